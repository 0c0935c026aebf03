/** One world as matchmaking sees it. */
export interface WorldListing {
  readonly id: string;
  /** The game's name (`defineGame({ name })`); matchmaking filters on it. */
  readonly game: string;
  /** Players in the world, connected or kept for resume. */
  readonly population: number;
  readonly capacity: number;
  /**
   * Base WebSocket URL of the process hosting the world (`wss://eu1.example.com`), or ""
   * for "the process answering the request".
   */
  readonly address: string;
  /** Clock ms of the last heartbeat; listings older than the registry's TTL are ignored. */
  readonly updatedAt: number;
}

/**
 * Where processes announce their worlds and matchmaking finds them. Async so a shared
 * store (Redis) can implement it; the in-memory one serves a single process.
 */
export interface WorldRegistry {
  /** Adds or refreshes a listing (the heartbeat). */
  upsert(listing: WorldListing): Promise<void>;
  remove(id: string): Promise<void>;
  /** Live listings, optionally of one game. */
  list(game?: string): Promise<WorldListing[]>;
}

/** The least-full world that has room, by fill ratio; ties go to the lowest id. */
export function pickWorld(listings: readonly WorldListing[]): WorldListing | undefined {
  let best: WorldListing | undefined;
  let bestFill = Number.POSITIVE_INFINITY;
  for (const listing of listings) {
    if (listing.population >= listing.capacity) continue;
    const fill = listing.population / listing.capacity;
    if (fill < bestFill || (fill === bestFill && best !== undefined && listing.id < best.id)) {
      best = listing;
      bestFill = fill;
    }
  }
  return best;
}

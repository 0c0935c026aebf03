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

/** A slot held in a world for a player on their way in (matchmaking answered, not joined yet). */
export interface Reservation {
  readonly worldId: string;
  readonly id: string;
}

export type ReserveResult =
  | { readonly ok: true; readonly reservation: Reservation }
  /** `full`: population + live reservations reached the capacity; `unlisted`: no live listing. */
  | { readonly ok: false; readonly reason: "full" | "unlisted" };

/**
 * Where processes announce their worlds and matchmaking finds them. Async so a shared
 * store (Redis) can implement it; the in-memory one serves a single process. Every
 * implementation passes the same contract suite (test/contracts/registry.ts).
 */
export interface WorldRegistry {
  /** Adds or refreshes a listing (the heartbeat). */
  upsert(listing: WorldListing): Promise<void>;
  remove(id: string): Promise<void>;
  /** Live listings, optionally of one game. */
  list(game?: string): Promise<WorldListing[]>;
  /**
   * Holds one slot in a listed world, atomically across every process sharing the registry:
   * granted only while the listing's population plus live reservations is under `capacity`.
   * A reservation neither committed nor cancelled is released after the registry's
   * reservation TTL.
   */
  reserve(worldId: string, capacity: number): Promise<ReserveResult>;
  /**
   * The player arrived: the reservation ends and the listing's population counts them until
   * the next heartbeat does. False when the reservation had already expired or was used.
   */
  commit(reservation: Reservation): Promise<boolean>;
  /** Gives the slot back (the player never came). False when it was no longer held. */
  cancel(reservation: Reservation): Promise<boolean>;
  /** Releases connections; the registry is unusable afterwards. */
  close(): Promise<void>;
}

/** An uncommitted reservation lasts this long: matchmaking, connect and Join take well under a second; this covers a slow mobile handshake. */
export const DEFAULT_RESERVATION_TTL_MS = 5_000;

/** Refuses a capacity that is not a non-negative integer: a caller's bug, before any store sees it. */
export function assertCapacity(capacity: number): void {
  if (!Number.isSafeInteger(capacity) || capacity < 0) {
    throw new RangeError(`capacity must be a non-negative integer, got ${String(capacity)}`);
  }
}

/**
 * Worlds fill in order: the first world (ids compared with their numbers as numbers, so
 * "quest-2" comes before "quest-10") that has room. Players meet instead of spreading thin
 * over empty worlds, and a later world opens only when the earlier ones are full.
 */
export function pickWorld(listings: readonly WorldListing[]): WorldListing | undefined {
  return worldsWithRoom(listings)[0];
}

/** Listed worlds with room in the order matchmaking tries them: `preferred` first (a resuming player's own), then fill order. */
export function worldsWithRoom(listings: readonly WorldListing[], preferred?: string): WorldListing[] {
  const open = listings.filter((listing) => listing.population < listing.capacity);
  open.sort((a, b) => {
    if (a.id === preferred) return -1;
    if (b.id === preferred) return 1;
    return compareWorldIds(a.id, b.id);
  });
  return open;
}

const worldIdCollator = new Intl.Collator("en", { numeric: true });

/** Orders world ids with their digits compared as numbers. */
export function compareWorldIds(a: string, b: string): number {
  return worldIdCollator.compare(a, b);
}

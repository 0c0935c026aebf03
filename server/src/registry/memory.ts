import { type Clock, systemClock } from "../clock.js";
import type { WorldListing, WorldRegistry } from "./registry.js";

/** Listings without a heartbeat for this long belong to a dead process: 5 missed beats. */
export const DEFAULT_LISTING_TTL_MS = 5_000;

/** The single-process registry: a Map, with the same expiry rule a shared one has. */
export class InMemoryRegistry implements WorldRegistry {
  private readonly listings = new Map<string, WorldListing>();
  private readonly ttlMs: number;
  private readonly clock: Clock;

  constructor(options: { ttlMs?: number; clock?: Clock } = {}) {
    this.ttlMs = options.ttlMs ?? DEFAULT_LISTING_TTL_MS;
    this.clock = options.clock ?? systemClock;
  }

  async upsert(listing: WorldListing): Promise<void> {
    this.listings.set(listing.id, listing);
  }

  async remove(id: string): Promise<void> {
    this.listings.delete(id);
  }

  async list(game?: string): Promise<WorldListing[]> {
    const oldest = this.clock() - this.ttlMs;
    const live: WorldListing[] = [];
    for (const [id, listing] of this.listings) {
      if (listing.updatedAt < oldest) {
        this.listings.delete(id);
        continue;
      }
      if (game === undefined || listing.game === game) live.push(listing);
    }
    return live;
  }
}

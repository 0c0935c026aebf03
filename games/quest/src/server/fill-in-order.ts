/**
 * Matchmaking that fills Quest's worlds in order, as BrowserQuest did (players meet instead
 * of spreading thin over empty worlds). The server's `/matchmake` picks the least-full world
 * its registry lists; this registry lists only the world to fill next, so `/matchmake`
 * answers with the first world (in number order) that has room.
 */
import type { WorldListing, WorldRegistry } from "@tickwire/server";
import { chooseWorld } from "../shared/worlds.js";

export class FillInOrderRegistry implements WorldRegistry {
  constructor(private readonly inner: WorldRegistry) {}

  upsert(listing: WorldListing): Promise<void> {
    return this.inner.upsert(listing);
  }

  remove(id: string): Promise<void> {
    return this.inner.remove(id);
  }

  async list(game?: string): Promise<WorldListing[]> {
    const listings = await this.inner.list(game);
    const next = chooseWorld(listings);
    // None with room: list them all, so matchmaking answers "full" as it would.
    return next === null ? listings : listings.filter((listing) => listing.id === next);
  }
}

/**
 * Matchmaking (`GET /matchmake?game=<name>&world=<previous world>`): the best world across
 * every process sharing the registry, with a slot reserved in it atomically, and the URL
 * that reaches its process. A resuming player's own world comes first when it has room;
 * otherwise worlds fill in order (`worldsWithRoom`). When every listed world is full,
 * this process opens one of its own (`openWorlds`) up to its limit.
 */
import { type Reservation, type WorldListing, worldsWithRoom } from "./registry/registry.js";
import type { ServerContext } from "./server-context.js";

/** Opens worlds of one game in this process when the listed ones are full. */
export interface WorldOpener {
  readonly gameName: string;
  /** Worlds this process may open, in all. */
  readonly max: number;
  /** Creates the world, starts it and lists it in the registry; resolves once it is listed. */
  open(id: string): Promise<WorldListing>;
}

export type MatchmakeAnswer =
  | { readonly ok: true; readonly world: string; readonly url: string; readonly opened: boolean }
  | { readonly ok: false; readonly error: string };

export class Matchmaker {
  private opened = 0;
  /** World openings run one at a time, so concurrent requests that all found the worlds full open one, not one each. */
  private openLock: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly server: ServerContext,
    private readonly opener: WorldOpener | undefined,
  ) {}

  /** Never rejects on a full deployment (ok: false); rejects when the registry fails. */
  async matchmake(game: string | undefined, preferred: string | undefined, host: string): Promise<MatchmakeAnswer> {
    if (this.server.shuttingDown) return { ok: false, error: "this server is restarting; ask another" };
    const found = await this.reserveListed(game, preferred, host);
    if (found !== undefined) return found;
    const opener = this.opener;
    if (opener === undefined || (game !== undefined && game !== opener.gameName)) return { ok: false, error: "no world available" };
    const opening = this.openLock.then(() => this.openThenReserve(opener, game, preferred, host));
    this.openLock = opening.catch(() => undefined);
    return opening;
  }

  private async openThenReserve(
    opener: WorldOpener,
    game: string | undefined,
    preferred: string | undefined,
    host: string,
  ): Promise<MatchmakeAnswer> {
    // A request ahead of this one may have opened a world meanwhile.
    const found = await this.reserveListed(game, preferred, host);
    if (found !== undefined) return found;
    if (this.opened >= opener.max || this.server.shuttingDown) return { ok: false, error: "no world available" };
    this.opened++;
    const listing = await opener.open(`${opener.gameName}-${this.server.processId}-${this.opened}`);
    const result = await this.server.registry.reserve(listing.id, listing.capacity);
    if (!result.ok) return { ok: false, error: "no world available" };
    return this.answer(listing, result.reservation, host, true);
  }

  /** Tries the listed worlds with room in preference order; the first reservation granted wins. */
  private async reserveListed(game: string | undefined, preferred: string | undefined, host: string): Promise<MatchmakeAnswer | undefined> {
    const listings = await this.server.registry.list(game);
    for (const listing of worldsWithRoom(listings, preferred)) {
      const result = await this.server.registry.reserve(listing.id, listing.capacity);
      if (result.ok) return this.answer(listing, result.reservation, host, false);
    }
    return undefined;
  }

  private answer(listing: WorldListing, reservation: Reservation, host: string, opened: boolean): MatchmakeAnswer {
    const base = listing.address || this.server.publicUrl || `ws://${host}`;
    const query = `world=${encodeURIComponent(listing.id)}&reservation=${encodeURIComponent(reservation.id)}`;
    return { ok: true, world: listing.id, url: `${base}/ws?${query}`, opened };
  }
}

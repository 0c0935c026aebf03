import type { ServerLimits } from "./limits.js";
import type { HeldSlot } from "./registry/held-slot.js";
import { Outbox, type OutboxStats, type SocketLike } from "./outbox.js";
import { TokenBucket } from "./rate-limit.js";

/** What the handshake learned about a peer before it existed. */
export interface PeerInfo {
  /** Remote address as text. */
  readonly ip: string;
  /** The auth hook's result, or undefined when the server has no auth hook. */
  readonly identity: unknown;
  /** The matchmaking reservation the upgrade named: committed at Join, cancelled if the peer never joins. */
  readonly slot?: HeldSlot;
}

/** Nothing chose a close code: the client closed or the peer dropped. */
export const NO_CLOSE_CODE = -1;

/**
 * A peer: one client's WebSocket connection as the server holds it — its outbox, its
 * rate limits, and the session once it joined.
 * Generic over the session so that neither file imports the other.
 */
export class Peer<P = unknown> {
  readonly outbox: Outbox;
  session: P | undefined;
  /** The code the server closed with; NO_CLOSE_CODE when the other side or the network did. */
  closeCode = NO_CLOSE_CODE;
  /** The rate limit is dropping this peer's messages (one Error per run of drops). */
  limited = false;
  private readonly messages: TokenBucket;
  private readonly flood: TokenBucket;
  private readonly strikes: TokenBucket;

  constructor(
    socket: SocketLike,
    readonly info: PeerInfo,
    limits: ServerLimits,
    stats: OutboxStats,
    readonly openedAt: number,
  ) {
    this.outbox = new Outbox(socket, limits, stats);
    this.messages = new TokenBucket(limits.messageBurst, limits.messagesPerSecond, openedAt);
    this.flood = new TokenBucket(limits.floodDropsBeforeClose, limits.floodForgivenessPerSecond, openedAt);
    this.strikes = new TokenBucket(limits.invalidMessagesBeforeClose, limits.invalidForgivenessPerSecond, openedAt);
  }

  get closed(): boolean {
    return this.outbox.closed;
  }

  /** Takes a message token; false when the message must be dropped. */
  admitMessage(now: number): boolean {
    return this.messages.take(now);
  }

  /** Records a dropped message; false once drops are sustained abuse (close it). */
  tolerateDrop(now: number): boolean {
    return this.flood.take(now);
  }

  /** Records an invalid message; false once they keep coming (close it). */
  tolerateInvalid(now: number): boolean {
    return this.strikes.take(now);
  }
}

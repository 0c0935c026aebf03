/**
 * The only code that writes to a client's socket. It enforces DESIGN.md's backpressure
 * rules:
 * - `getBufferedAmount()` is read before every snapshot; over the soft limit the snapshot
 *   is skipped and the client's baseline stays, so its next snapshot covers everything since;
 * - a client that keeps skipping gets a lower snapshot rate (every 2nd, 4th, 8th tick),
 *   restored step by step once it keeps up;
 * - a socket over the limit for `stallTimeoutMs` is closed as a stalled reader;
 * - uWS's own limit is set far above ours, so a dropped send (status 2) is a counted bug.
 * Memory for a stalled reader is therefore bounded by about one soft limit plus one message.
 */
import type { ServerLimits } from "./limits.js";

/** The part of a uWS WebSocket the outbox uses; tests pass a fake. */
export interface SocketLike {
  /** 1: sent, 0: sent and buffered (backpressure), 2: dropped at uWS's limit. */
  send(message: Uint8Array, isBinary: boolean, compress?: boolean): number;
  getBufferedAmount(): number;
  end(code?: number, shortMessage?: string): void;
  cork(cb: () => void): unknown;
}

/** uWS's send() status for a message it refused because its buffer limit was reached. */
const SEND_DROPPED = 2;

/** A lowered rate is restored only while the buffer stays this far under the soft limit. */
const RESTORE_HEADROOM_FRACTION = 0.25;

/** Counters the outboxes of a world add to; the world flushes them into metrics each tick. */
export class OutboxStats {
  messages = 0;
  bytes = 0;
  snapshots = 0;
  snapshotBytes = 0;
  skipped = 0;
  rateDrops = 0;
  sendDrops = 0;

  reset(): void {
    this.messages = 0;
    this.bytes = 0;
    this.snapshots = 0;
    this.snapshotBytes = 0;
    this.skipped = 0;
    this.rateDrops = 0;
    this.sendDrops = 0;
  }
}

export type SnapshotDecision = "send" | "wait" | "skip" | "stalled";

export class Outbox {
  /** Set once the socket is closed (by either side); nothing is written after. */
  closed = false;
  /** Send a snapshot every `interval` ticks: 1 normally, doubled while the client lags. */
  interval = 1;
  /** Tick of the last snapshot sent; -1 before the first. */
  lastSnapshotTick = -1;
  /** A snapshot was skipped since the last one sent: the drain handler may catch up at once. */
  behind = false;
  private consecutiveSkips = 0;
  private comfortableSends = 0;
  /** Clock ms since which the socket has been over the soft limit, or -1. */
  private overLimitSince = -1;
  // The snapshot sendSnapshotCorked hands to its callback (one callback per outbox, not per send).
  private corkedMessage: Uint8Array | undefined;
  private corkedTick = 0;
  private readonly sendCorked = (): void => {
    if (this.corkedMessage !== undefined) this.sendSnapshot(this.corkedMessage, this.corkedTick);
  };

  constructor(
    private readonly socket: SocketLike,
    private readonly limits: ServerLimits,
    private readonly stats: OutboxStats,
  ) {}

  /**
   * Whether to build a snapshot for this client at `tick`. Reads the send buffer: over the
   * soft limit it counts a skip (lowering the rate after a run of them) or reports a stall.
   */
  decide(tick: number, now: number): SnapshotDecision {
    if (this.closed) return "wait";
    if (this.lastSnapshotTick >= 0 && tick - this.lastSnapshotTick < this.interval) return "wait";
    if (this.socket.getBufferedAmount() <= this.limits.snapshotSoftLimitBytes) {
      this.overLimitSince = -1;
      this.consecutiveSkips = 0;
      return "send";
    }
    this.stats.skipped++;
    this.behind = true;
    this.comfortableSends = 0;
    if (this.overLimitSince < 0) this.overLimitSince = now;
    else if (now - this.overLimitSince >= this.limits.stallTimeoutMs) return "stalled";
    if (++this.consecutiveSkips >= this.limits.skipsBeforeRateDrop && this.interval < this.limits.maxSnapshotInterval) {
      this.interval *= 2;
      this.consecutiveSkips = 0;
      this.stats.rateDrops++;
    }
    return "skip";
  }

  /** Whether a catch-up snapshot may go out now (from the drain handler). */
  canCatchUp(): boolean {
    return !this.closed && this.behind && this.socket.getBufferedAmount() <= this.limits.snapshotSoftLimitBytes;
  }

  /** Sends a snapshot `decide` (or `canCatchUp`) allowed. */
  sendSnapshot(message: Uint8Array, tick: number): void {
    if (!this.write(message)) return;
    this.stats.snapshots++;
    this.stats.snapshotBytes += message.length;
    this.lastSnapshotTick = tick;
    this.behind = false;
    this.overLimitSince = -1;
    if (this.interval === 1) return;
    const comfortable = this.socket.getBufferedAmount() <= this.limits.snapshotSoftLimitBytes * RESTORE_HEADROOM_FRACTION;
    this.comfortableSends = comfortable ? this.comfortableSends + 1 : 0;
    if (this.comfortableSends >= this.limits.sendsBeforeRateRestore / this.interval) {
      this.interval /= 2;
      this.comfortableSends = 0;
    }
  }

  /** Sends a control message (Welcome, Pong, Error, Events): small, never skipped. */
  send(message: Uint8Array): boolean {
    return this.write(message);
  }

  /** Closes the socket with a code and reason; later writes are ignored. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end(code, reason);
  }

  /** sendSnapshot inside uWS's cork (one syscall), without a closure per call. */
  sendSnapshotCorked(message: Uint8Array, tick: number): void {
    if (this.closed) return;
    this.corkedMessage = message;
    this.corkedTick = tick;
    this.socket.cork(this.sendCorked);
    this.corkedMessage = undefined;
  }

  private write(message: Uint8Array): boolean {
    if (this.closed) return false;
    const status = this.socket.send(message, true, false);
    if (status === SEND_DROPPED) {
      this.stats.sendDrops++;
      return false;
    }
    this.stats.messages++;
    this.stats.bytes += message.length;
    return true;
  }
}

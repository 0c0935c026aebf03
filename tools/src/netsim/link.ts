import type { Socket } from "node:net";
import type { LinkShaper } from "./shaper.js";

/** Counters of one direction, summed over every connection. */
export interface DirectionStats {
  /** Bytes read from the sending side. */
  bytesIn: number;
  /** Bytes written to the receiving side. */
  bytesOut: number;
  /** Reads from the sending side (how TCP happened to chunk the stream). */
  chunks: number;
  /** Chunks that could not be passed on at once (delay, stall or bandwidth). */
  delayedChunks: number;
  /** Bytes held inside the simulator right now. */
  heldBytes: number;
  /** Times a sender was paused because the simulator held too much of its data. */
  sourcePauses: number;
}

export function emptyDirectionStats(): DirectionStats {
  return { bytesIn: 0, bytesOut: 0, chunks: 0, delayedChunks: 0, heldBytes: 0, sourcePauses: 0 };
}

interface HeldChunk {
  data: Buffer;
  dueAt: number;
}

/** Compact the held queue once this many delivered slots sit at its front. */
const COMPACT_AFTER_CHUNKS = 256;

/**
 * One direction of one proxied connection: reads from `source`, holds each chunk until
 * the shaper lets it go, writes it to `destination`. Backpressure-aware both ways:
 * it stops writing while the destination needs a drain, and pauses the source while
 * it holds more than `maxHeldBytes`, so a slow link pushes back on the sender (as a
 * real bottleneck does through TCP flow control) instead of growing memory.
 */
export class Link {
  private readonly held: (HeldChunk | undefined)[] = [];
  private head = 0;
  /** Bytes of the head chunk already written (bandwidth splits chunks). */
  private headOffset = 0;
  private heldBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private sourceEnded = false;
  private destinationEnded = false;
  private sourcePaused = false;
  private closed = false;

  constructor(
    private readonly source: Socket,
    private readonly destination: Socket,
    private readonly shaper: LinkShaper,
    private readonly stats: DirectionStats,
    private readonly now: () => number,
    private readonly maxHeldBytes: number,
  ) {
    source.on("data", this.onData);
    source.on("end", this.onEnd);
    destination.on("drain", this.pump);
  }

  /** Re-plans delivery after the conditions changed (a stall lifted, a higher rate). */
  wake(): void {
    this.pump();
  }

  /** Stops all timers and forgets held data; the sockets are the connection's to destroy. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearTimer();
    this.stats.heldBytes -= this.heldBytes;
    this.heldBytes = 0;
    this.held.length = 0;
    this.source.off("data", this.onData);
    this.source.off("end", this.onEnd);
    this.destination.off("drain", this.pump);
  }

  private readonly onData = (data: Buffer): void => {
    if (this.closed) return;
    const now = this.now();
    this.stats.bytesIn += data.length;
    this.stats.chunks++;
    this.held.push({ data, dueAt: this.shaper.dueAt(now) });
    this.heldBytes += data.length;
    this.stats.heldBytes += data.length;
    this.pump();
    // The queue is FIFO: if anything is still held, so is the chunk that just arrived.
    if (this.head < this.held.length) this.stats.delayedChunks++;
    if (!this.sourcePaused && this.heldBytes + this.destination.writableLength >= this.maxHeldBytes) {
      this.source.pause();
      this.sourcePaused = true;
      this.stats.sourcePauses++;
    }
  };

  private readonly onEnd = (): void => {
    this.sourceEnded = true;
    this.pump();
  };

  private readonly pump = (): void => {
    if (this.closed) return;
    this.clearTimer();
    const now = this.now();
    let corked = false;
    while (this.head < this.held.length) {
      const chunk = this.held[this.head]!;
      const wait = Math.max(chunk.dueAt, this.shaper.resumesAt(now)) - now;
      if (wait > 0) {
        this.arm(wait);
        break;
      }
      // 'drain' calls pump again.
      if (this.destination.writableNeedDrain) break;
      const remaining = chunk.data.length - this.headOffset;
      const granted = this.shaper.take(now, remaining);
      if (granted === 0) {
        this.arm(this.shaper.waitFor(now, remaining));
        break;
      }
      if (!corked) {
        // Chunks due together leave in one write, as the kernel would coalesce them.
        this.destination.cork();
        corked = true;
      }
      const whole = this.headOffset === 0 && granted === remaining;
      this.destination.write(whole ? chunk.data : chunk.data.subarray(this.headOffset, this.headOffset + granted));
      this.heldBytes -= granted;
      this.stats.heldBytes -= granted;
      this.stats.bytesOut += granted;
      if (granted === remaining) {
        this.held[this.head++] = undefined;
        this.headOffset = 0;
      } else {
        this.headOffset += granted;
      }
    }
    if (corked) this.destination.uncork();
    this.compact();
    if (this.sourceEnded && this.head === this.held.length && !this.destinationEnded) {
      this.destinationEnded = true;
      this.destination.end();
    }
    if (this.sourcePaused && this.heldBytes + this.destination.writableLength < this.maxHeldBytes / 2) {
      this.sourcePaused = false;
      this.source.resume();
    }
  };

  private compact(): void {
    if (this.head === this.held.length) {
      this.held.length = 0;
      this.head = 0;
    } else if (this.head >= COMPACT_AFTER_CHUNKS) {
      this.held.splice(0, this.head);
      this.head = 0;
    }
  }

  private arm(waitMs: number): void {
    // Timers have 1 ms resolution; rounding up never releases a chunk early.
    this.timer = setTimeout(this.pump, Math.max(1, Math.ceil(waitMs)));
  }

  private clearTimer(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}

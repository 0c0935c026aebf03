import { NO_INPUT_ACK, nextSeq, seqDiff, seqNewer } from "@tickwire/engine/wire";
import { ACK_WINDOW } from "./constants.js";

/** No input in a slot. Seqs are 0..65535, so -1 never collides. */
const EMPTY = -1;

/**
 * Input→ack latency of one bot: the time from sending input `seq` to the arrival of the
 * first snapshot whose `ackSeq` is at or past `seq` (16-bit, wrap-aware). An ack covers
 * every older input, including ones the server dropped or merged: what a player feels is
 * when the server's state reflects that input or a later one.
 *
 * Fixed memory: a ring of ACK_WINDOW send times indexed by `seq mod ACK_WINDOW`. An input
 * still unacknowledged when its slot is reused is counted as lost, not measured.
 */
export class AckTracker {
  /** Inputs whose ack was measured. */
  acked = 0;
  /** Inputs never acknowledged: their slot was reused, or the session restarted (`reset`). */
  lost = 0;
  private readonly sentAt = new Float64Array(ACK_WINDOW);
  private readonly seqs = new Int32Array(ACK_WINDOW).fill(EMPTY);
  /** Oldest seq possibly awaiting its ack, and the newest sent; EMPTY when none is pending. */
  private oldest = EMPTY;
  private newest = EMPTY;

  /** Inputs sent and not acknowledged yet. */
  get pending(): number {
    return this.oldest === EMPTY ? 0 : seqDiff(this.newest, this.oldest) + 1;
  }

  /** Input `seq` left at `now`. Seqs increase (mod 2^16), as the client sends them. */
  sent(seq: number, now: number): void {
    // A seq that does not move forward means the sender started over: forget the old ones.
    if (this.newest !== EMPTY && !seqNewer(seq, this.newest)) this.reset();
    const slot = seq % ACK_WINDOW;
    if (this.seqs[slot] !== EMPTY) this.lost++;
    this.seqs[slot] = seq;
    this.sentAt[slot] = now;
    if (this.oldest === EMPTY) this.oldest = seq;
    else if (seqDiff(seq, this.oldest) >= ACK_WINDOW) this.oldest = (seq - ACK_WINDOW + 1) & 0xffff;
    this.newest = seq;
  }

  /**
   * A snapshot acknowledging inputs up to `ackSeq` arrived at `now`: calls `record` with the
   * latency (ms) of every pending input it covers, oldest first.
   */
  ack(ackSeq: number, now: number, record: (latencyMs: number) => void): void {
    if (ackSeq === NO_INPUT_ACK || this.oldest === EMPTY || seqNewer(this.oldest, ackSeq)) return;
    // Never past the newest input sent: a stale ack from before a wrap must not sweep the ring.
    const last = seqNewer(ackSeq, this.newest) ? this.newest : ackSeq;
    let seq = this.oldest;
    for (;;) {
      const slot = seq % ACK_WINDOW;
      if (this.seqs[slot] === seq) {
        this.seqs[slot] = EMPTY;
        this.acked++;
        record(now - this.sentAt[slot]);
      }
      if (seq === last) break;
      seq = nextSeq(seq);
    }
    this.oldest = last === this.newest ? EMPTY : nextSeq(last);
  }

  /** The session restarted (a new player): pending inputs will never be acknowledged. */
  reset(): void {
    this.lost += this.countPending();
    this.seqs.fill(EMPTY);
    this.oldest = EMPTY;
    this.newest = EMPTY;
  }

  private countPending(): number {
    let count = 0;
    for (let i = 0; i < ACK_WINDOW; i++) if (this.seqs[i] !== EMPTY) count++;
    return count;
  }
}

/**
 * The events a session has sent and its client has not confirmed yet, numbered by the
 * session's event sequence (1, 2, 3, …). A socket that dies takes with it whatever it was
 * still carrying; the client's Resume says the last event it processed, and the ones after
 * it are sent again from here, in order, exactly once. Each Ping confirms events, so this
 * holds about one ping interval's worth. Bounded: past `capacity` the oldest are forgotten,
 * and a resume that needs one of them is told with EventOverflow.
 */
import type { GameEvent } from "@tickwire/engine";

export class SentEvents {
  /** Unconfirmed events, oldest first; `kept[0]` has seq `firstKeptSeq`. */
  private kept: GameEvent[] = [];
  private firstKeptSeq = 1;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError("sent events capacity must be >= 1");
  }

  /** Seq of the last event sent; 0 before any. */
  get lastSeq(): number {
    return this.firstKeptSeq + this.kept.length - 1;
  }

  /** Unconfirmed events held. */
  get size(): number {
    return this.kept.length;
  }

  /** Numbers `events`, sent now, after the last ones and keeps them; returns the first one's seq. */
  record(events: readonly GameEvent[]): number {
    const first = this.lastSeq + 1;
    for (let i = 0; i < events.length; i++) this.kept.push(events[i]);
    const over = this.kept.length - this.capacity;
    if (over > 0) this.forget(over);
    return first;
  }

  /** The client processed every event up to `seq`: they are not needed again. */
  confirm(seq: number): void {
    const count = Math.min(this.kept.length, seq - this.firstKeptSeq + 1);
    if (count > 0) this.forget(count);
  }

  /** Events after `seq` that were forgotten before the client confirmed them: a resume from `seq` would miss them. */
  missingAfter(seq: number): number {
    return Math.max(0, this.firstKeptSeq - 1 - seq);
  }

  /**
   * For a resume whose client processed up to `seq`: confirms those and returns the seq
   * the replay continues from (the next event's is one more) and the events to send again.
   */
  replayAfter(seq: number): { lastSeq: number; events: readonly GameEvent[] } {
    this.confirm(seq);
    return { lastSeq: this.firstKeptSeq - 1, events: this.kept };
  }

  private forget(count: number): void {
    this.kept.splice(0, count);
    this.firstKeptSeq += count;
  }
}

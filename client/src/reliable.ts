const NOTHING: readonly never[] = Object.freeze([]);

interface Entry<T> {
  message: T;
  /** Ordinal of the first ping sent after this message on the current socket; -1 = not sent on it. */
  confirmingPing: number;
}

/**
 * Chat and commands must reach the server exactly once, in order, across reconnects.
 *
 * Each message gets a per-session increasing `rid`. It stays here until the server confirms
 * that rid: every Pong and a resume Welcome carry the highest rid the server processed, and
 * the server processes rids only in sequence. A message sent before a ping but still
 * unconfirmed by its pong did not get processed (the server's rate limit dropped it), so it
 * and everything after it go again, in order; after a resume the unconfirmed ones are sent
 * once more. The server drops rids it already has. The buffer is bounded: when full, `add`
 * refuses and the caller reports it.
 */
export class ReliableBuffer<T extends { rid: number }> {
  private entries: Entry<T>[] = [];
  private lastRid = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError("reliable buffer capacity must be >= 1");
  }

  get size(): number {
    return this.entries.length;
  }

  /** The rid given to the most recent message. */
  get lastAssignedRid(): number {
    return this.lastRid;
  }

  /** Assigns the next rid to `message` and keeps it; false (nothing changed) when full. */
  add(message: T): boolean {
    if (this.entries.length >= this.capacity) return false;
    message.rid = ++this.lastRid;
    this.entries.push({ message, confirmingPing: -1 });
    return true;
  }

  /** Records that `message` went out on the socket; the ping with ordinal `nextPing` will confirm it. */
  markSent(message: T, nextPing: number): void {
    for (const entry of this.entries) {
      if (entry.message === message) {
        entry.confirmingPing = nextPing;
        return;
      }
    }
  }

  /**
   * The pong of ping `ordinal` (-1: unknown) says the server processed every rid up to
   * `lastReliableId`. Forgets those; when one sent before that ping is still unconfirmed,
   * the server never processed it, nor (in sequence only) anything after it: returns all
   * waiting messages to send again, oldest first. Otherwise returns none.
   */
  confirm(lastReliableId: number, ordinal: number): readonly T[] {
    let delivered = 0;
    while (delivered < this.entries.length && this.entries[delivered].message.rid <= lastReliableId) delivered++;
    if (delivered > 0) this.entries.splice(0, delivered);
    const first = this.entries[0];
    if (first === undefined || first.confirmingPing < 0 || first.confirmingPing > ordinal) return NOTHING;
    return this.entries.map((entry) => entry.message);
  }

  /** The socket is gone: whatever was sent on it is in doubt until the next Welcome says. */
  connectionLost(): void {
    for (const entry of this.entries) entry.confirmingPing = -1;
  }

  /**
   * Applies a Welcome. A resumed session drops what the server already has; a new session
   * (resume refused, or the first join) numbers the waiting messages after its
   * `lastReliableId`. Returns the messages to send now, oldest first.
   */
  welcome(lastReliableId: number, resumed: boolean): readonly T[] {
    if (resumed) {
      this.entries = this.entries.filter((entry) => entry.message.rid > lastReliableId);
      this.lastRid = Math.max(this.lastRid, lastReliableId);
    } else {
      this.lastRid = lastReliableId;
      for (const entry of this.entries) entry.message.rid = ++this.lastRid;
    }
    return this.entries.map((entry) => entry.message);
  }
}

/**
 * Server events must be processed exactly once, in order, across reconnects: the mirror of
 * ReliableBuffer. The server numbers each session's events 1, 2, 3, …; this keeps the last
 * one processed, which every Ping reports (the server then forgets those) and Resume
 * reports (the server replays the ones after it). A resume's Welcome says where its events
 * go on from.
 */
export class ReceivedEvents {
  private last = 0;

  /** Seq of the last event processed; 0 before any. */
  get lastSeq(): number {
    return this.last;
  }

  /** A Welcome: the next event is `lastEventSeq + 1`. */
  welcome(lastEventSeq: number): void {
    this.last = lastEventSeq;
  }

  /**
   * Of `count` events numbered from `firstSeq`, how many at the start were processed
   * already (to skip); -1 when one before them is missing.
   */
  alreadyProcessed(firstSeq: number, count: number): number {
    if (count === 0) return 0;
    if (firstSeq > this.last + 1) return -1;
    return Math.min(count, this.last + 1 - firstSeq);
  }

  /** The events up to `seq` were processed. */
  processed(seq: number): void {
    if (seq > this.last) this.last = seq;
  }
}

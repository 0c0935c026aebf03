interface Entry<T> {
  message: T;
  /** Ordinal of the first ping sent after this message on the current socket; -1 = not sent on it. */
  confirmingPing: number;
}

/**
 * Chat and commands must reach the server exactly once, across reconnects.
 *
 * Each message gets a per-session increasing `rid`. It stays here until delivery is proven:
 * the pong answering a ping sent after it on the same socket proves the server read it (TCP
 * keeps order and the server answers in order), and a resume Welcome's `lastReliableId`
 * proves everything up to that rid. After a resume the rest is sent once more; the server
 * drops rids it already has. The buffer is bounded: when full, `add` refuses and the caller
 * reports it.
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

  /** The pong of ping `ordinal` arrived: every message sent before that ping was delivered. */
  confirmThroughPing(ordinal: number): void {
    let delivered = 0;
    while (delivered < this.entries.length) {
      const ping = this.entries[delivered].confirmingPing;
      if (ping < 0 || ping > ordinal) break;
      delivered++;
    }
    if (delivered > 0) this.entries.splice(0, delivered);
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

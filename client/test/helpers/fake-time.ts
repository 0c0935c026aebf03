import type { Timers } from "../../src/connection.js";

interface Pending {
  at: number;
  order: number;
  callback: () => void;
}

/**
 * Simulated time for state-machine tests: `now()` and timers that fire only when the test
 * calls `advance`, in time order.
 */
export class FakeTime implements Timers {
  current = 0;
  private readonly pending = new Map<number, Pending>();
  private nextHandle = 1;
  private order = 0;

  now = (): number => this.current;

  setTimeout = (callback: () => void, ms: number): unknown => {
    const handle = this.nextHandle++;
    this.pending.set(handle, { at: this.current + Math.max(0, ms), order: this.order++, callback });
    return handle;
  };

  clearTimeout = (handle: unknown): void => {
    this.pending.delete(handle as number);
  };

  /** Timers waiting to fire. */
  get timerCount(): number {
    return this.pending.size;
  }

  /** Delay until the next timer fires; Infinity when none. */
  get nextDelay(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const timer of this.pending.values()) next = Math.min(next, timer.at);
    return next - this.current;
  }

  /** Moves time forward by `ms`, firing due timers in order (including ones they schedule). */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      let due: [number, Pending] | undefined;
      for (const entry of this.pending) {
        if (entry[1].at > end) continue;
        if (due === undefined || entry[1].at < due[1].at || (entry[1].at === due[1].at && entry[1].order < due[1].order)) {
          due = entry;
        }
      }
      if (due === undefined) break;
      this.pending.delete(due[0]);
      this.current = Math.max(this.current, due[1].at);
      due[1].callback();
    }
    this.current = end;
  }
}

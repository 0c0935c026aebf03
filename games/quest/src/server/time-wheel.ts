/**
 * Things to do at a later tick (a mob's respawn, its next roam, a drop's blink and vanish),
 * filed by tick: a tick costs only what falls due in it, however many wait.
 */
export class TimeWheel {
  private readonly slots = new Map<number, (() => void)[]>();
  /** The last tick run (worlds start at tick 0). */
  private lastRun = -1;

  constructor(private readonly tickMs: number) {}

  /** Runs `task` in the first tick at or after `time` (ms), and never in a tick already run. */
  at(time: number, task: () => void): void {
    let tick = Math.ceil(time / this.tickMs - 1e-9);
    if (tick <= this.lastRun) tick = this.lastRun + 1;
    const slot = this.slots.get(tick);
    if (slot) slot.push(task);
    else this.slots.set(tick, [task]);
  }

  /** Runs what falls due at `time` (a tick's time, ms) and in any earlier tick skipped since the last run. */
  run(time: number): void {
    const tick = Math.round(time / this.tickMs);
    for (let t = this.lastRun + 1; t <= tick; t++) {
      const slot = this.slots.get(t);
      if (!slot) continue;
      this.slots.delete(t);
      this.lastRun = t;
      for (const task of slot) task();
    }
    this.lastRun = tick;
  }

  get pending(): number {
    let count = 0;
    for (const slot of this.slots.values()) count += slot.length;
    return count;
  }
}

/**
 * Most ticks one `advance` will ask for. A longer stall (250 ms at 20 Hz) is dropped, not
 * replayed: replaying it would make the next frame slower still (the "spiral of death").
 */
export const DEFAULT_MAX_CATCH_UP_TICKS = 5;

export interface FixedStepOptions {
  /** Ticks per second. */
  tickRate: number;
  /** Clock reading (ms) at which tick `startTick` begins. */
  startTime: number;
  maxCatchUpTicks?: number;
  /** First tick number, e.g. for a world restored from a save. */
  startTick?: number;
}

/**
 * Fixed-timestep clock after Glenn Fiedler's "Fix Your Timestep". Time is passed in (ms,
 * any monotonic-ish clock); nothing here reads a clock.
 *
 * Instead of summing frame times into an accumulator, which drifts in floating point,
 * the clock keeps an anchor (tick `anchorTick` begins at `anchorTime`) and derives every
 * tick's time from it with one multiplication. The anchor moves only when ticks are
 * dropped or the clock goes backwards.
 */
export class FixedStep {
  readonly tickRate: number;
  readonly tickMs: number;
  readonly maxCatchUpTicks: number;
  private currentTick: number;
  private dropped = 0;
  private anchorTick: number;
  private anchorTime: number;

  constructor(opts: FixedStepOptions) {
    const { tickRate, startTime, maxCatchUpTicks = DEFAULT_MAX_CATCH_UP_TICKS, startTick = 0 } = opts;
    if (!(tickRate > 0 && Number.isFinite(tickRate))) {
      throw new RangeError(`tickRate must be positive and finite, got ${tickRate}`);
    }
    if (!(Number.isInteger(maxCatchUpTicks) && maxCatchUpTicks >= 1)) {
      throw new RangeError(`maxCatchUpTicks must be an integer >= 1, got ${maxCatchUpTicks}`);
    }
    if (!Number.isSafeInteger(startTick)) {
      throw new RangeError(`startTick must be a safe integer, got ${startTick}`);
    }
    assertFinite("startTime", startTime);
    this.tickRate = tickRate;
    this.tickMs = 1000 / tickRate;
    this.maxCatchUpTicks = maxCatchUpTicks;
    this.currentTick = startTick;
    this.anchorTick = startTick;
    this.anchorTime = startTime;
  }

  /** Ticks stepped so far plus `startTick`: the number of the next tick to step. */
  get tick(): number {
    return this.currentTick;
  }

  /** Ticks skipped because a stall exceeded the catch-up cap. */
  get droppedTicks(): number {
    return this.dropped;
  }

  /**
   * Number of ticks to step now (0 to maxCatchUpTicks); the caller steps that many times.
   * A tick is due once its whole interval has passed.
   */
  advance(now: number): number {
    assertFinite("now", now);
    if (now < this.tickToTime(this.currentTick)) {
      // The clock went backwards. Restart the current tick at `now` instead of stalling
      // until the clock gets back to where it was.
      this.anchorTick = this.currentTick;
      this.anchorTime = now;
      return 0;
    }
    let due = this.timeToTick(now) - this.currentTick;
    if (due <= 0) return 0;
    if (due > this.maxCatchUpTicks) {
      // Forget the excess but keep the phase: the tick after the last one stepped
      // starts where the latest due tick would have started.
      this.anchorTime = this.tickToTime(this.currentTick + due);
      this.dropped += due - this.maxCatchUpTicks;
      due = this.maxCatchUpTicks;
      this.anchorTick = this.currentTick + due;
    }
    this.currentTick += due;
    return due;
  }

  /**
   * Delay until the next tick is due, for a timer. Measured from the schedule rather than
   * the last wake-up, so timer lateness does not accumulate; never more than one tick.
   */
  msUntilNextTick(now: number): number {
    assertFinite("now", now);
    return Math.min(this.tickMs, Math.max(0, this.tickToTime(this.currentTick + 1) - now));
  }

  /** Fraction of the current tick that has elapsed, in [0, 1], for render interpolation. */
  alpha(now: number): number {
    assertFinite("now", now);
    const fraction = (now - this.tickToTime(this.currentTick)) / this.tickMs;
    return Math.min(1, Math.max(0, fraction));
  }

  /** Time at which `tick` begins on the current timeline. */
  tickToTime(tick: number): number {
    return this.anchorTime + ((tick - this.anchorTick) * 1000) / this.tickRate;
  }

  /** The tick whose interval contains `time`: the largest t with tickToTime(t) <= time. */
  timeToTick(time: number): number {
    assertFinite("time", time);
    let tick = this.anchorTick + Math.floor(((time - this.anchorTime) * this.tickRate) / 1000);
    // The estimate can be off by one from rounding; tickToTime is the reference.
    if (this.tickToTime(tick) > time) tick--;
    else if (this.tickToTime(tick + 1) <= time) tick++;
    return tick;
  }
}

function assertFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be finite, got ${value}`);
}

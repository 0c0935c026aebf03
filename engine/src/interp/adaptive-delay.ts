export interface AdaptiveDelayOptions {
  /** Nominal time between snapshots (server ms), e.g. 50 at 20 Hz. */
  snapshotIntervalMs: number;
  /** Default: one snapshot interval, below which the render time outruns the buffer. */
  minDelayMs?: number;
  /** Default: `DEFAULT_MAX_DELAY_MS`, or minDelayMs if that is larger. */
  maxDelayMs?: number;
  /** Weight of the measured jitter in the target. */
  jitterMultiplier?: number;
  /** Snapshots the jitter statistics cover. */
  windowSize?: number;
  /** Most the delay grows per ms of update: the render clock slows to (1 − rate). */
  increaseRate?: number;
  /** Most the delay shrinks per ms of update: the render clock speeds to (1 + rate). */
  decreaseRate?: number;
  /** Silence between arrivals (ms) taken for an outage rather than jitter; default `DEFAULT_OUTAGE_MS`. */
  outageMs?: number;
}

/** Past half a second remote players look stale enough that extrapolating is better. */
export const DEFAULT_MAX_DELAY_MS = 500;
/** Covers the upper tail beyond the 95th percentile of gaussian-ish network jitter. */
export const DEFAULT_JITTER_MULTIPLIER = 1.5;
/** 3.2 s at 20 Hz: long enough for stable percentiles, short enough to follow changes. */
export const DEFAULT_JITTER_WINDOW = 64;
/**
 * A snapshot stream silent this long has stalled or dropped: as long as the default delay
 * cap, so covering it would need a delay no one wants anyway.
 */
export const DEFAULT_OUTAGE_MS = 500;
/** 5% slower render clock: barely visible, yet adds 50 ms of delay per second. */
export const DEFAULT_INCREASE_RATE = 0.05;
/** 1% faster render clock: giving up safety margin is never urgent. */
export const DEFAULT_DECREASE_RATE = 0.01;
/** One interval is the bare minimum to have two snapshots around the render time; the
 *  extra quarter absorbs timer and frame granularity when arrivals are perfectly steady. */
const INTERVAL_FACTOR = 1.25;
/** Arrivals after an outage before the held ones' bunching can no longer be told from jitter. */
const RECOVERY_SNAPSHOTS = 8;
/** Upper percentile of arrival lateness: higher ones are outliers, not the link's jitter. */
const JITTER_QUANTILE = 0.95;
/** `settled` once the delay has stayed within this fraction of the target... */
const SETTLE_TOLERANCE_FRACTION = 0.05;
/** ...but never tighter than this, so sub-millisecond target wobble does not unsettle it. */
const SETTLE_TOLERANCE_MIN_MS = 2;
/** ...for this long. */
const SETTLE_TIME_MS = 500;

/**
 * Chooses how far behind the snapshot stream to render so the render time stays inside the
 * interpolation buffer. Each snapshot gives an offset, arrival − serverTime; its median over
 * a window is the typical transit (plus clock offset) and `jitterMs` is how much later than
 * that the late ones (95th percentile) arrive. The target is
 * `1.25 × interval + max(0, largest recent snapshot gap − interval) + jitterMultiplier × jitter`,
 * clamped to [minDelayMs, maxDelayMs]. The percentile reacts within a few late snapshots
 * and forgets only when the window rolls over; the delay then follows the target at
 * bounded rates, fast up and slow down, so the render clock runs at between
 * (1 − increaseRate) and (1 + decreaseRate) of real time instead of jumping.
 *
 * Times passed to `onSnapshot` and `renderTime` must come from the same clock: local
 * (e.g. `performance.now()`), or the clock-sync server-time estimate.
 */
export class AdaptiveDelay {
  private readonly intervalMs: number;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly jitterMultiplier: number;
  private readonly increaseRate: number;
  private readonly decreaseRate: number;
  private readonly windowSize: number;
  private readonly outageMs: number;
  private readonly offsets: Float64Array;
  private readonly gaps: Float64Array;
  private readonly sorted: Float64Array;
  private next = 0;
  private count = 0;
  private lastServerTime = Number.NaN;
  private lastArrivalTime = Number.NaN;
  /** After an outage, until RECOVERY_SNAPSHOTS steady arrivals. */
  private recovering = false;
  private baseOffset = Number.NaN;
  private jitter = 0;
  private target: number;
  private delay: number;
  private settledForMs = 0;

  constructor(opts: AdaptiveDelayOptions) {
    const interval = opts.snapshotIntervalMs;
    if (!(interval > 0)) throw new RangeError(`snapshotIntervalMs must be positive, got ${interval}`);
    this.intervalMs = interval;
    this.minDelayMs = opts.minDelayMs ?? interval;
    this.maxDelayMs = opts.maxDelayMs ?? Math.max(DEFAULT_MAX_DELAY_MS, this.minDelayMs);
    if (!(this.minDelayMs >= 0 && this.maxDelayMs >= this.minDelayMs)) {
      throw new RangeError(`need 0 <= minDelayMs <= maxDelayMs, got ${this.minDelayMs}, ${this.maxDelayMs}`);
    }
    this.jitterMultiplier = opts.jitterMultiplier ?? DEFAULT_JITTER_MULTIPLIER;
    this.increaseRate = opts.increaseRate ?? DEFAULT_INCREASE_RATE;
    this.decreaseRate = opts.decreaseRate ?? DEFAULT_DECREASE_RATE;
    if (!(this.jitterMultiplier >= 0 && this.increaseRate > 0 && this.decreaseRate > 0)) {
      throw new RangeError("jitterMultiplier must be >= 0 and the rates positive");
    }
    this.outageMs = opts.outageMs ?? DEFAULT_OUTAGE_MS;
    if (!(this.outageMs > 0)) throw new RangeError(`outageMs must be positive, got ${this.outageMs}`);
    this.windowSize = opts.windowSize ?? DEFAULT_JITTER_WINDOW;
    if (!Number.isInteger(this.windowSize) || this.windowSize < 1) {
      throw new RangeError(`windowSize must be a positive integer, got ${this.windowSize}`);
    }
    this.offsets = new Float64Array(this.windowSize);
    this.gaps = new Float64Array(this.windowSize);
    this.sorted = new Float64Array(this.windowSize);
    this.target = this.clamp(INTERVAL_FACTOR * interval);
    this.delay = this.target;
  }

  /** Current delay behind the typical-arrival timeline, ms. */
  get delayMs(): number {
    return this.delay;
  }

  /** Where the delay is heading, ms. */
  get targetMs(): number {
    return this.target;
  }

  /** How much later than typical the late (95th percentile) snapshots arrive, ms. */
  get jitterMs(): number {
    return this.jitter;
  }

  /** True once the delay has stayed close to the target for a while. */
  get settled(): boolean {
    return this.settledForMs >= SETTLE_TIME_MS;
  }

  /**
   * Records a snapshot's arrival. Snapshots whose server time is not newer than the last
   * one's are ignored.
   */
  onSnapshot(arrivalTime: number, serverTime: number): void {
    if (!Number.isFinite(arrivalTime) || !Number.isFinite(serverTime)) return;
    if (serverTime <= this.lastServerTime) return;
    const offset = arrivalTime - serverTime;
    // Silence no delay within the cap could cover is an outage, not jitter: it must not raise
    // the delay. Snapshots held during it then arrive together, each one less late than the
    // one before; until arrivals are steady again, a less late one starts the history over.
    if (arrivalTime - this.lastArrivalTime >= this.outageMs || serverTime - this.lastServerTime >= this.outageMs) {
      this.restart();
    } else if (this.recovering && offset < this.baseOffset - this.intervalMs) {
      this.restart();
    }
    this.lastArrivalTime = arrivalTime;
    const gap = this.count === 0 ? this.intervalMs : serverTime - this.lastServerTime;
    this.lastServerTime = serverTime;
    this.offsets[this.next] = offset;
    this.gaps[this.next] = gap;
    this.next = (this.next + 1) % this.windowSize;
    if (this.count < this.windowSize) this.count++;
    if (this.count >= RECOVERY_SNAPSHOTS) this.recovering = false;
    this.measure();
  }

  /**
   * Forgets the arrival history but keeps the delay: after an outage or on a new
   * connection (a resume), the silence says nothing about the link's jitter.
   */
  restart(): void {
    this.recovering = true;
    this.count = 0;
    this.next = 0;
    this.lastServerTime = Number.NaN;
    this.baseOffset = Number.NaN;
  }

  /** Moves the delay toward the target by at most the configured rate × `dtMs`. */
  update(dtMs: number): void {
    if (!(dtMs > 0)) return;
    const diff = this.target - this.delay;
    this.delay += diff > 0 ? Math.min(diff, this.increaseRate * dtMs) : Math.max(diff, -this.decreaseRate * dtMs);
    const tolerance = Math.max(SETTLE_TOLERANCE_MIN_MS, SETTLE_TOLERANCE_FRACTION * this.target);
    const close = this.count > 0 && Math.abs(this.target - this.delay) <= tolerance;
    this.settledForMs = close ? this.settledForMs + dtMs : 0;
  }

  /** Server time of the snapshot that typically has just arrived at `now`; NaN before any. */
  serverTimeAt(now: number): number {
    return now - this.baseOffset;
  }

  /** The time to sample interpolation buffers at: `serverTimeAt(now) − delayMs`. */
  renderTime(now: number): number {
    return now - this.baseOffset - this.delay;
  }

  private measure(): void {
    const n = this.count;
    const sorted = this.sorted;
    // Unused slots sort to the end, so the first n entries are the window in order.
    for (let i = 0; i < this.windowSize; i++) sorted[i] = i < n ? this.offsets[i] : Number.POSITIVE_INFINITY;
    sorted.sort();
    const median = sorted[Math.round(0.5 * (n - 1))];
    const late = sorted[Math.round(JITTER_QUANTILE * (n - 1))];
    let largestGap = 0;
    for (let i = 0; i < n; i++) largestGap = Math.max(largestGap, this.gaps[i]);
    // When the base moves, move the delay the other way so the render clock does not jump;
    // only a move that would leave [minDelayMs, maxDelayMs] (start-up, a latency step)
    // shifts the render clock.
    if (!Number.isNaN(this.baseOffset)) this.delay = this.clamp(this.delay - (median - this.baseOffset));
    this.baseOffset = median;
    this.jitter = late - median;
    const skipAllowance = Math.max(0, largestGap - this.intervalMs);
    this.target = this.clamp(INTERVAL_FACTOR * this.intervalMs + skipAllowance + this.jitterMultiplier * this.jitter);
  }

  private clamp(delayMs: number): number {
    return Math.min(this.maxDelayMs, Math.max(this.minDelayMs, delayMs));
  }
}

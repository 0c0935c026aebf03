/**
 * Samples kept. At one ping a second that is 16 s: enough for several low-queueing
 * samples, short enough that a 50 ppm clock drift stays under a millisecond.
 */
export const DEFAULT_SYNC_WINDOW = 16;
/** Samples before the estimate is trusted (`ready`). */
export const DEFAULT_READY_SAMPLES = 4;
/** Offset and RTT come from this fraction of the window with the lowest RTT. */
const BEST_SAMPLE_FRACTION = 0.25;
/** Window size below which the median RTT is too noisy to call anything an outlier. */
const OUTLIER_MIN_SAMPLES = 4;
/** A sample is an outlier when its RTT exceeds factor × median + floor. */
const OUTLIER_RTT_FACTOR = 3;
/** Keeps sub-millisecond LAN medians from turning every small wobble into an outlier. */
const OUTLIER_RTT_FLOOR_MS = 10;
/** Consecutive samples that must agree on a new offset before a clock jump is adopted. */
export const DEFAULT_JUMP_CONFIRM_SAMPLES = 3;
/** How far beyond a sample's possible range, plus the estimate's error bound, the estimate must lie to be contradicted. */
export const DEFAULT_JUMP_MARGIN_MS = 20;
/**
 * Small corrections are slewed: serverNow runs at most 5% fast or slow while absorbing
 * them, too little to notice in motion, and it never runs backwards.
 */
export const DEFAULT_SLEW_RATE = 0.05;
/** Corrections larger than this snap at once (slewing 100 ms at 5% already takes 2 s). */
export const DEFAULT_SNAP_THRESHOLD_MS = 100;
/** Upper bound on the window: the estimate sorts it on every sample. */
const MAX_SYNC_WINDOW = 256;

export interface ClockSyncOptions {
  windowSize?: number;
  readySamples?: number;
  jumpConfirmSamples?: number;
  jumpMarginMs?: number;
  slewRate?: number;
  snapThresholdMs?: number;
}

/**
 * NTP-style estimate of the server clock from ping/pong samples; all times in ms.
 * serverTime ≈ clientTime + offset.
 *
 * A sample (client send t0, server time t1, client receive t2) has RTT t2 − t0 and offset
 * t1 − (t0 + t2) / 2. The server read its clock between t0 and t2, so the true offset lies
 * in the sample's range [t1 − t2, t1 − t0]: the midpoint is exact on a symmetric path and
 * off by at most RTT / 2 otherwise. The estimate is the median offset of the lowest-RTT
 * samples (least queueing), clamped into the intersection of every sample's range when
 * that is not empty, which can only bring it closer to the truth.
 *
 * Clock jumps: a sample whose range excludes the estimate by more than the estimate's own
 * error bound plus a margin contradicts it. Contradicting samples are held aside; once
 * enough consecutive ones agree with each other, they replace the window. Outliers (RTT
 * far above the window's median) are kept in the window, so a lasting RTT rise becomes the
 * new normal, but they never confirm or break a jump and are never among the lowest-RTT
 * samples.
 */
export class ClockSync {
  readonly windowSize: number;
  readonly readySamples: number;
  readonly jumpConfirmSamples: number;
  readonly jumpMarginMs: number;
  readonly slewRate: number;
  readonly snapThresholdMs: number;

  // The window, a ring: each sample's RTT and range of possible offsets.
  private readonly rtts: Float64Array;
  private readonly lows: Float64Array;
  private readonly highs: Float64Array;
  private head = 0;
  private count = 0;
  private readonly pendingRtts: Float64Array;
  private readonly pendingLows: Float64Array;
  private readonly pendingHighs: Float64Array;
  private pendingCount = 0;
  private pendingLow = 0;
  private pendingHigh = 0;
  private readonly order: number[] = [];
  private readonly sortScratch: Float64Array;

  private estimate = 0;
  private errorBound = 0;
  private rttEstimate = 0;
  private jitterEstimate = 0;
  private windowMedianRtt = 0;
  private hasEstimate = false;
  private isReady = false;
  // serverNow's offset moves from slewFrom (at client time slewStart) towards the estimate.
  private slewFrom = 0;
  private slewStart = 0;
  private invalid = 0;
  private outliers = 0;
  private jumps = 0;

  constructor(opts: ClockSyncOptions = {}) {
    const {
      windowSize = DEFAULT_SYNC_WINDOW,
      readySamples = Math.min(DEFAULT_READY_SAMPLES, windowSize),
      jumpConfirmSamples = Math.min(DEFAULT_JUMP_CONFIRM_SAMPLES, windowSize),
      jumpMarginMs = DEFAULT_JUMP_MARGIN_MS,
      slewRate = DEFAULT_SLEW_RATE,
      snapThresholdMs = DEFAULT_SNAP_THRESHOLD_MS,
    } = opts;
    assertIntegerIn("windowSize", windowSize, 1, MAX_SYNC_WINDOW);
    assertIntegerIn("readySamples", readySamples, 1, windowSize);
    assertIntegerIn("jumpConfirmSamples", jumpConfirmSamples, 1, windowSize);
    if (!(jumpMarginMs >= 0 && Number.isFinite(jumpMarginMs))) throw new RangeError("jumpMarginMs must be finite and >= 0");
    // A rate of 1 or more could stop or reverse serverNow.
    if (!(slewRate > 0 && slewRate < 1)) throw new RangeError("slewRate must be in (0, 1)");
    if (!(snapThresholdMs >= 0)) throw new RangeError("snapThresholdMs must be >= 0");
    this.windowSize = windowSize;
    this.readySamples = readySamples;
    this.jumpConfirmSamples = jumpConfirmSamples;
    this.jumpMarginMs = jumpMarginMs;
    this.slewRate = slewRate;
    this.snapThresholdMs = snapThresholdMs;
    this.rtts = new Float64Array(windowSize);
    this.lows = new Float64Array(windowSize);
    this.highs = new Float64Array(windowSize);
    this.pendingRtts = new Float64Array(jumpConfirmSamples);
    this.pendingLows = new Float64Array(jumpConfirmSamples);
    this.pendingHighs = new Float64Array(jumpConfirmSamples);
    this.sortScratch = new Float64Array(windowSize);
  }

  /** True once enough consistent samples (or a confirmed clock jump) back the estimate. */
  get ready(): boolean {
    return this.isReady;
  }

  /** Best estimate of serverTime − clientTime; serverNow converges to it. 0 before any sample. */
  get offset(): number {
    return this.estimate;
  }

  /**
   * Bound on the offset's error when the clocks are steady: half the largest RTT among the
   * samples used, or the width of the window's common range if that is smaller.
   */
  get offsetErrorBound(): number {
    return this.errorBound;
  }

  /** Median RTT of the lowest-RTT samples: the path's RTT without queueing. */
  get rtt(): number {
    return this.rttEstimate;
  }

  /** Mean absolute deviation of the window's RTTs from their median. */
  get jitter(): number {
    return this.jitterEstimate;
  }

  /** Samples in the window. */
  get sampleCount(): number {
    return this.count;
  }

  /** Samples ignored as malformed (non-finite times or negative RTT). */
  get invalidSamples(): number {
    return this.invalid;
  }

  /** Samples whose RTT was far above the window's median. */
  get outlierSamples(): number {
    return this.outliers;
  }

  /** Clock jumps adopted. */
  get clockJumps(): number {
    return this.jumps;
  }

  addSample(clientSendTime: number, serverTime: number, clientReceiveTime: number): void {
    const rtt = clientReceiveTime - clientSendTime;
    if (!Number.isFinite(clientSendTime) || !Number.isFinite(serverTime) || !(rtt >= 0 && rtt < Number.POSITIVE_INFINITY)) {
      this.invalid++;
      return;
    }
    const low = serverTime - clientReceiveTime;
    const high = serverTime - clientSendTime;
    const isOutlier = this.count >= OUTLIER_MIN_SAMPLES && rtt > this.windowMedianRtt * OUTLIER_RTT_FACTOR + OUTLIER_RTT_FLOOR_MS;
    if (isOutlier) {
      this.outliers++;
      this.push(rtt, low, high);
    } else if (this.hasEstimate && this.contradicts(low, high)) {
      if (!this.holdForJump(rtt, low, high)) return;
      this.adoptJump();
    } else {
      this.pendingCount = 0;
      this.push(rtt, low, high);
      if (this.count >= this.readySamples) this.isReady = true;
    }
    this.reestimate(clientReceiveTime);
  }

  /** Estimated server time at client time `clientNow`, slewed or snapped towards `offset`. */
  serverNow(clientNow: number): number {
    return clientNow + this.offsetAt(clientNow);
  }

  /** Forgets every sample, e.g. after reconnecting to another server. */
  reset(): void {
    this.head = 0;
    this.count = 0;
    this.pendingCount = 0;
    this.estimate = 0;
    this.errorBound = 0;
    this.rttEstimate = 0;
    this.jitterEstimate = 0;
    this.windowMedianRtt = 0;
    this.hasEstimate = false;
    this.isReady = false;
    this.slewFrom = 0;
    this.slewStart = 0;
  }

  private offsetAt(clientNow: number): number {
    const gap = this.estimate - this.slewFrom;
    const maxStep = this.slewRate * Math.max(0, clientNow - this.slewStart);
    if (gap > maxStep) return this.slewFrom + maxStep;
    if (gap < -maxStep) return this.slewFrom - maxStep;
    return this.estimate;
  }

  /** True when the estimate cannot be reconciled with the sample's range [low, high]. */
  private contradicts(low: number, high: number): boolean {
    const slack = this.errorBound + this.jumpMarginMs;
    return this.estimate < low - slack || this.estimate > high + slack;
  }

  /** Holds a contradicting sample; returns true once enough consecutive ones agree. */
  private holdForJump(rtt: number, low: number, high: number): boolean {
    if (this.pendingCount > 0 && low <= this.pendingHigh && high >= this.pendingLow) {
      this.pendingLow = Math.max(this.pendingLow, low);
      this.pendingHigh = Math.min(this.pendingHigh, high);
    } else {
      this.pendingCount = 0;
      this.pendingLow = low;
      this.pendingHigh = high;
    }
    this.pendingRtts[this.pendingCount] = rtt;
    this.pendingLows[this.pendingCount] = low;
    this.pendingHighs[this.pendingCount] = high;
    this.pendingCount++;
    return this.pendingCount >= this.jumpConfirmSamples;
  }

  private adoptJump(): void {
    this.head = 0;
    this.count = 0;
    for (let i = 0; i < this.pendingCount; i++) this.push(this.pendingRtts[i], this.pendingLows[i], this.pendingHighs[i]);
    this.pendingCount = 0;
    this.jumps++;
    this.isReady = true;
  }

  private push(rtt: number, low: number, high: number): void {
    this.rtts[this.head] = rtt;
    this.lows[this.head] = low;
    this.highs[this.head] = high;
    this.head = (this.head + 1) % this.windowSize;
    if (this.count < this.windowSize) this.count++;
  }

  private reestimate(clientNow: number): void {
    const { rtts, lows, highs, order, count } = this;
    // Window indices by ascending RTT (insertion sort: the window is small).
    order.length = count;
    for (let i = 0; i < count; i++) {
      let j = i;
      while (j > 0 && rtts[order[j - 1]] > rtts[i]) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = i;
    }
    const best = Math.max(1, Math.ceil(count * BEST_SAMPLE_FRACTION));
    this.rttEstimate = medianOfSorted(rtts, order, best);
    this.windowMedianRtt = medianOfSorted(rtts, order, count);

    // Midpoint offsets of the best samples, sorted for their median.
    const bestOffsets = this.sortScratch;
    for (let i = 0; i < best; i++) {
      const value = (lows[order[i]] + highs[order[i]]) / 2;
      let j = i;
      while (j > 0 && bestOffsets[j - 1] > value) {
        bestOffsets[j] = bestOffsets[j - 1];
        j--;
      }
      bestOffsets[j] = value;
    }
    const mid = best >> 1;
    let target = best % 2 === 1 ? bestOffsets[mid] : (bestOffsets[mid - 1] + bestOffsets[mid]) / 2;
    let bound = rtts[order[best - 1]] / 2;

    let commonLow = Number.NEGATIVE_INFINITY;
    let commonHigh = Number.POSITIVE_INFINITY;
    let deviation = 0;
    for (let i = 0; i < count; i++) {
      if (lows[i] > commonLow) commonLow = lows[i];
      if (highs[i] < commonHigh) commonHigh = highs[i];
      deviation += Math.abs(rtts[i] - this.windowMedianRtt);
    }
    // Empty when a clock drifted or stepped within the window; the median still stands.
    if (commonLow <= commonHigh) {
      target = Math.min(commonHigh, Math.max(commonLow, target));
      bound = Math.min(bound, commonHigh - commonLow);
    }
    this.jitterEstimate = deviation / count;
    this.errorBound = bound;
    this.retarget(target, clientNow);
  }

  private retarget(target: number, clientNow: number): void {
    if (!this.hasEstimate) {
      this.hasEstimate = true;
      this.slewFrom = target;
    } else {
      const shown = this.offsetAt(clientNow);
      this.slewFrom = Math.abs(target - shown) > this.snapThresholdMs ? target : shown;
    }
    this.slewStart = clientNow;
    this.estimate = target;
  }
}

function assertIntegerIn(name: string, value: number, min: number, max: number): void {
  if (!(Number.isInteger(value) && value >= min && value <= max)) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

/** Median of values[order[0..n)], where that sequence is already ascending. */
function medianOfSorted(values: Float64Array, order: readonly number[], n: number): number {
  const mid = n >> 1;
  return n % 2 === 1 ? values[order[mid]] : (values[order[mid - 1]] + values[order[mid]]) / 2;
}

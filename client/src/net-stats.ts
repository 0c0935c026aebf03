import { STATS_HISTORY_LENGTH, STATS_RATE_WINDOW_MS, STATS_SAMPLE_INTERVAL_MS } from "./constants.js";

/** Buckets per rate window: rates move in 100 ms steps, smooth enough for a graph. */
const RATE_BUCKETS = 10;

/** Sum of amounts over a sliding time window, in fixed buckets: no allocation per record. */
export class RateWindow {
  private readonly sums: Float64Array;
  private readonly starts: Float64Array;
  private readonly bucketMs: number;

  constructor(readonly windowMs = STATS_RATE_WINDOW_MS) {
    this.bucketMs = windowMs / RATE_BUCKETS;
    this.sums = new Float64Array(RATE_BUCKETS);
    this.starts = new Float64Array(RATE_BUCKETS).fill(Number.NEGATIVE_INFINITY);
  }

  add(now: number, amount: number): void {
    const start = Math.floor(now / this.bucketMs) * this.bucketMs;
    const slot = Math.floor(now / this.bucketMs) % RATE_BUCKETS;
    if (this.starts[slot] !== start) {
      this.starts[slot] = start;
      this.sums[slot] = 0;
    }
    this.sums[slot] += amount;
  }

  /** Amount in the window ending at `now`. */
  total(now: number): number {
    const oldest = now - this.windowMs;
    let sum = 0;
    for (let i = 0; i < RATE_BUCKETS; i++) {
      if (this.starts[i] > oldest && this.starts[i] <= now) sum += this.sums[i];
    }
    return sum;
  }

  /** Amount per second over the window ending at `now`. */
  perSecond(now: number): number {
    return (this.total(now) * 1000) / this.windowMs;
  }
}

/** A fixed-length history of one metric, oldest first, for the net graph. */
export class Series {
  readonly values: Float64Array;
  private head = 0;
  private count = 0;

  constructor(
    readonly label: string,
    readonly unit: string,
    capacity = STATS_HISTORY_LENGTH,
  ) {
    this.values = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  get capacity(): number {
    return this.values.length;
  }

  push(value: number): void {
    this.values[this.head] = value;
    this.head = (this.head + 1) % this.values.length;
    if (this.count < this.values.length) this.count++;
  }

  /** The i-th retained value, 0 = oldest. */
  at(index: number): number {
    const start = (this.head - this.count + this.values.length) % this.values.length;
    return this.values[(start + index) % this.values.length];
  }

  get last(): number {
    return this.count === 0 ? 0 : this.at(this.count - 1);
  }

  max(): number {
    let max = 0;
    for (let i = 0; i < this.count; i++) max = Math.max(max, this.at(i));
    return max;
  }
}

export interface NetSeries {
  rtt: Series;
  jitter: Series;
  interpDelay: Series;
  interArrival: Series;
  bytesIn: Series;
  bytesOut: Series;
  corrections: Series;
  correctionSize: Series;
}

/**
 * Everything a net graph shows. The client records events as they happen and calls
 * `update(now)` each frame; rates cover the last second and the history gets one sample
 * per 100 ms.
 */
export class NetStats {
  /** Round-trip time and its variation, from clock sync. */
  rttMs = 0;
  jitterMs = 0;
  /** Estimated server clock minus local clock. */
  clockOffsetMs = 0;
  /** Interpolation delay in use and its target. */
  interpDelayMs = 0;
  interpTargetMs = 0;
  /** How far the newest snapshot is ahead of the render time (≤ 0: extrapolating). */
  bufferAheadMs = 0;
  /** The same in snapshot intervals: how many snapshots are buffered ahead of the render time. */
  bufferDepth = 0;

  snapshotsPerSec = 0;
  lastInterArrivalMs = 0;
  /** Exponential average of snapshot inter-arrival times. */
  meanInterArrivalMs = 0;
  /** Ticks the server did not send us (gaps in snapshot ticks). */
  skippedSnapshots = 0;

  bytesInPerSec = 0;
  bytesOutPerSec = 0;
  totalBytesIn = 0;
  totalBytesOut = 0;

  /** Reconciliations that moved the local player (mispredictions). */
  corrections = 0;
  correctionsPerSec = 0;
  lastCorrectionSize = 0;
  largestCorrectionSize = 0;
  /** Inputs merged into a later one because the socket was backed up. */
  coalescedInputs = 0;
  reconnects = 0;

  readonly series: NetSeries = {
    rtt: new Series("RTT", "ms"),
    jitter: new Series("jitter", "ms"),
    interpDelay: new Series("interp delay", "ms"),
    interArrival: new Series("snapshot gap", "ms"),
    bytesIn: new Series("in", "B/s"),
    bytesOut: new Series("out", "B/s"),
    corrections: new Series("corrections", "/s"),
    correctionSize: new Series("correction", "units"),
  };

  private readonly bytesInWindow = new RateWindow();
  private readonly bytesOutWindow = new RateWindow();
  private readonly snapshotWindow = new RateWindow();
  private readonly correctionWindow = new RateWindow();
  private lastSnapshotAt = Number.NaN;
  private lastTick = -1;
  private nextSampleAt = Number.NEGATIVE_INFINITY;
  /** Largest values since the last history sample, so short spikes show on the graph. */
  private periodInterArrival = 0;
  private periodCorrection = 0;

  recordBytesIn(now: number, bytes: number): void {
    this.totalBytesIn += bytes;
    this.bytesInWindow.add(now, bytes);
  }

  recordBytesOut(now: number, bytes: number): void {
    this.totalBytesOut += bytes;
    this.bytesOutWindow.add(now, bytes);
  }

  /** A snapshot for server tick `tick` arrived at `now`. */
  recordSnapshot(now: number, tick: number): void {
    this.snapshotWindow.add(now, 1);
    if (this.lastTick >= 0 && tick > this.lastTick + 1) this.skippedSnapshots += tick - this.lastTick - 1;
    this.lastTick = tick;
    if (!Number.isNaN(this.lastSnapshotAt)) {
      const gap = now - this.lastSnapshotAt;
      this.lastInterArrivalMs = gap;
      this.meanInterArrivalMs = this.meanInterArrivalMs === 0 ? gap : this.meanInterArrivalMs * 0.9 + gap * 0.1;
      this.periodInterArrival = Math.max(this.periodInterArrival, gap);
    }
    this.lastSnapshotAt = now;
  }

  /** A new connection starts: its first snapshot is neither a gap nor a skip. */
  newConnection(): void {
    this.lastTick = -1;
    this.lastSnapshotAt = Number.NaN;
  }

  /** A reconciliation moved the local player by `size` (world units). */
  recordCorrection(now: number, size: number): void {
    this.corrections++;
    this.correctionWindow.add(now, 1);
    this.lastCorrectionSize = size;
    this.largestCorrectionSize = Math.max(this.largestCorrectionSize, size);
    this.periodCorrection = Math.max(this.periodCorrection, size);
  }

  /** Refreshes the rates and, every 100 ms, appends a sample to each history series. */
  update(now: number): void {
    this.bytesInPerSec = this.bytesInWindow.perSecond(now);
    this.bytesOutPerSec = this.bytesOutWindow.perSecond(now);
    this.snapshotsPerSec = this.snapshotWindow.perSecond(now);
    this.correctionsPerSec = this.correctionWindow.perSecond(now);
    if (now < this.nextSampleAt) return;
    const next = this.nextSampleAt + STATS_SAMPLE_INTERVAL_MS;
    // After a long pause (or the first call) skip ahead instead of back-filling samples.
    this.nextSampleAt = next > now ? next : now + STATS_SAMPLE_INTERVAL_MS;
    const s = this.series;
    s.rtt.push(this.rttMs);
    s.jitter.push(this.jitterMs);
    s.interpDelay.push(this.interpDelayMs);
    s.interArrival.push(this.periodInterArrival);
    s.bytesIn.push(this.bytesInPerSec);
    s.bytesOut.push(this.bytesOutPerSec);
    s.corrections.push(this.correctionsPerSec);
    s.correctionSize.push(this.periodCorrection);
    this.periodInterArrival = 0;
    this.periodCorrection = 0;
  }
}

import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
  JsHistogram,
} from "hdr-histogram-js";
import type { HistogramBucket } from "../report/chart-types.js";
import { AGGREGATE_DIGITS, HISTOGRAM_MAX_MICROS, MICROS_PER_MS, PER_BOT_DIGITS } from "./constants.js";

export type { Histogram };

/** Percentiles of one measured quantity, in ms. Zero everywhere when nothing was recorded. */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** An aggregate histogram (3 significant digits): a group's totals, a timeline interval. */
export function createHistogram(): Histogram {
  return build({ numberOfSignificantValueDigits: AGGREGATE_DIGITS, highestTrackableValue: HISTOGRAM_MAX_MICROS });
}

/** A per-bot histogram: coarser (see PER_BOT_DIGITS) so that thousands of bots stay cheap. */
export function createBotHistogram(): Histogram {
  return build({ numberOfSignificantValueDigits: PER_BOT_DIGITS, highestTrackableValue: HISTOGRAM_MAX_MICROS });
}

/** Milliseconds → the histogram's integer microseconds, clamped into its range. */
export function toMicros(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(HISTOGRAM_MAX_MICROS, Math.round(ms * MICROS_PER_MS));
}

/** Compressed base64 (HdrHistogram's portable encoding): how groups send histograms to the parent. */
export function encodeHistogram(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  return decodeFromCompressedBase64(encoded);
}

const EMPTY_SUMMARY: LatencySummary = Object.freeze({ count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });

/** The histogram's percentiles in ms (µs precision). */
export function summarize(histogram: Histogram): LatencySummary {
  if (histogram.totalCount === 0) return { ...EMPTY_SUMMARY };
  const ms = (micros: number) => Math.round(micros) / MICROS_PER_MS;
  return {
    count: histogram.totalCount,
    min: ms(histogram.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : histogram.minNonZeroValue),
    mean: ms(histogram.mean),
    p50: ms(histogram.getValueAtPercentile(50)),
    p90: ms(histogram.getValueAtPercentile(90)),
    p99: ms(histogram.getValueAtPercentile(99)),
    p999: ms(histogram.getValueAtPercentile(99.9)),
    max: ms(histogram.maxValue),
  };
}

/**
 * Counted buckets (ms) of equal width from the smallest to the largest recorded value,
 * for the report's histogram chart. Every recorded count lands in exactly one bucket.
 */
export function histogramBuckets(histogram: Histogram, binCount: number): HistogramBucket[] {
  if (histogram.totalCount === 0 || !(histogram instanceof JsHistogram)) return [];
  const values: number[] = [];
  const counts: number[] = [];
  const iterator = histogram.recordedValuesIterator;
  iterator.reset();
  while (iterator.hasNext()) {
    const step = iterator.next();
    values.push(step.valueIteratedTo);
    counts.push(step.countAddedInThisIterationStep);
  }
  const lowest = values[0];
  const width = Math.max(1, (values[values.length - 1] - lowest) / binCount);
  const binned = new Array<number>(binCount).fill(0);
  for (let i = 0; i < values.length; i++) binned[Math.min(binCount - 1, Math.floor((values[i] - lowest) / width))] += counts[i];
  return binned.map((count, i) => ({
    from: (lowest + i * width) / MICROS_PER_MS,
    to: (lowest + (i + 1) * width) / MICROS_PER_MS,
    count,
  }));
}

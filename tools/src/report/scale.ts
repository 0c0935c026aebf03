/** Axis arithmetic: "nice" tick steps (1, 2, 5 × 10^k) and linear value → pixel maps. */

export interface Ticks {
  /** The domain widened to whole steps. */
  min: number;
  max: number;
  step: number;
  values: number[];
}

/** Roughly this many intervals per axis: enough to read a value, few enough to label. */
const DEFAULT_TICK_COUNT = 5;

/** The 1/2/5 × 10^k step closest to (max - min) / count. */
export function niceStep(span: number, count = DEFAULT_TICK_COUNT): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / magnitude;
  const nice = fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10;
  return nice * magnitude;
}

/**
 * Ticks covering [min, max] at a nice step. An empty span (min = max) is widened
 * around the value, so a flat series still gets an axis.
 */
export function niceTicks(min: number, max: number, count = DEFAULT_TICK_COUNT): Ticks {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return niceTicks(0, 1, count);
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) / 2;
    return niceTicks(min - pad, max + pad, count);
  }
  const step = niceStep(max - min, count);
  const low = Math.floor(min / step) * step;
  const high = Math.ceil(max / step) * step;
  const values: number[] = [];
  // Multiplying instead of accumulating keeps 0.1 + 0.2 style drift out of the labels.
  for (let i = 0; low + i * step <= high + step / 2; i++) values.push(roundToStep(low + i * step, step));
  return { min: low, max: high, step, values };
}

function roundToStep(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(value.toFixed(Math.min(decimals, 20)));
}

/** Maps [domainMin, domainMax] linearly onto [rangeStart, rangeEnd]. */
export function linearScale(domainMin: number, domainMax: number, rangeStart: number, rangeEnd: number) {
  const span = domainMax - domainMin || 1;
  return (value: number) => rangeStart + ((value - domainMin) / span) * (rangeEnd - rangeStart);
}

/** [min, max] of the values ([NaN, NaN] when empty); a loop, so large arrays are fine. */
export function extent(values: readonly number[]): [number, number] {
  if (values.length === 0) return [Number.NaN, Number.NaN];
  let min = values[0];
  let max = values[0];
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return [min, max];
}

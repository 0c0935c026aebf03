/**
 * Growing typed arrays, the one way the engine and server do it: to at least double the
 * length, so n appends cost O(n) copies in total.
 */

export type GrowableArray = Int32Array | Uint32Array | Uint16Array | Uint8Array | Float64Array;

/** The length to grow an array of `current` elements to so that it holds `needed`: at least double, at most `max`. */
export function grownLength(current: number, needed: number, max = Number.MAX_SAFE_INTEGER): number {
  return Math.min(max, Math.max(needed, current * 2));
}

/**
 * `array` when it holds `needed` elements; otherwise a longer copy (`grownLength`) whose new
 * elements are `fill`. Callers keep the result: `this.ids = ensureLength(this.ids, count + 1)`.
 */
export function ensureLength<T extends GrowableArray>(array: T, needed: number, fill = 0, max?: number): T {
  if (needed <= array.length) return array;
  const grown = allocate(array, grownLength(array.length, needed, max));
  grown.set(array);
  if (fill !== 0) grown.fill(fill, array.length);
  return grown;
}

/**
 * `array` when it holds `needed` elements; otherwise a new zeroed one of `grownLength`, its
 * contents dropped: for scratch rebuilt before each use.
 */
export function ensureScratchLength<T extends GrowableArray>(array: T, needed: number): T {
  return needed <= array.length ? array : allocate(array, grownLength(array.length, needed));
}

function allocate<T extends GrowableArray>(like: T, length: number): T {
  return new (like.constructor as new (length: number) => T)(length);
}

/** Milliseconds on a monotonic clock. Injected everywhere so tests can drive time. */
export type Clock = () => number;

export const systemClock: Clock = () => performance.now();

import { RECONNECT_BASE_MS, RECONNECT_MAX_ATTEMPTS, RECONNECT_MAX_MS } from "./constants.js";

export interface BackoffOptions {
  /** Ceiling of the first delay, doubled per attempt. */
  baseMs?: number;
  /** Cap of the ceiling. */
  maxMs?: number;
  /** Consecutive attempts before giving up. */
  maxAttempts?: number;
}

/**
 * Exponential backoff with full jitter ("Exponential Backoff And Jitter", AWS Architecture
 * Blog): attempt n waits uniform(0, min(maxMs, baseMs · 2^n)). Full jitter keeps a crowd of
 * clients dropped at the same instant from reconnecting in lockstep.
 */
export class Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
  readonly maxAttempts: number;
  private attemptCount = 0;

  /** `random` returns uniform values in [0, 1); injected so tests are repeatable. */
  constructor(
    options: BackoffOptions,
    private readonly random: () => number,
  ) {
    this.baseMs = options.baseMs ?? RECONNECT_BASE_MS;
    this.maxMs = options.maxMs ?? RECONNECT_MAX_MS;
    this.maxAttempts = options.maxAttempts ?? RECONNECT_MAX_ATTEMPTS;
    if (!(this.baseMs > 0) || !(this.maxMs >= this.baseMs)) throw new RangeError("backoff needs 0 < baseMs <= maxMs");
    if (!(this.maxAttempts >= 1)) throw new RangeError("backoff needs maxAttempts >= 1");
  }

  /** Attempts handed out since the last reset. */
  get attempts(): number {
    return this.attemptCount;
  }

  get exhausted(): boolean {
    return this.attemptCount >= this.maxAttempts;
  }

  /** Upper bound of the delay before attempt `attempt` (0-based). */
  ceiling(attempt: number): number {
    // 2^attempt overflows to Infinity for large attempts; min() keeps it at the cap.
    return Math.min(this.maxMs, this.baseMs * 2 ** attempt);
  }

  /** The delay before the next attempt, or null once `maxAttempts` were handed out. */
  next(): number | null {
    if (this.exhausted) return null;
    const delay = this.random() * this.ceiling(this.attemptCount);
    this.attemptCount++;
    return delay;
  }

  /** Called after a successful connection. */
  reset(): void {
    this.attemptCount = 0;
  }
}

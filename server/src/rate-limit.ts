/** Refills summed in floating point fall a hair short of whole tokens; this much counts as whole. */
const ROUNDING_SLACK = 1e-9;

/**
 * A token bucket: `capacity` tokens, refilled at `ratePerSecond`. Time is passed in, so
 * tests drive it with a fake clock.
 */
export class TokenBucket {
  private tokens: number;
  private lastRefill: number;

  constructor(
    private readonly capacity: number,
    private readonly ratePerSecond: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.lastRefill = now;
  }

  /** Takes one token; false when the bucket is empty. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1 - ROUNDING_SLACK) return false;
    this.tokens -= 1;
    return true;
  }

  /** Whether a token is there to take, without taking it. */
  has(now: number): boolean {
    this.refill(now);
    return this.tokens >= 1 - ROUNDING_SLACK;
  }

  /** Whether the bucket has refilled completely: it remembers nothing and can be forgotten. */
  full(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.capacity - ROUNDING_SLACK;
  }

  private refill(now: number): void {
    const elapsed = now - this.lastRefill;
    // A clock that steps backwards refills nothing instead of draining the bucket.
    if (elapsed <= 0) return;
    this.lastRefill = now;
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed / 1000) * this.ratePerSecond);
  }
}

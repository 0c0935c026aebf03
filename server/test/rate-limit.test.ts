import { describe, expect, it } from "vitest";
import { TokenBucket } from "../src/rate-limit.js";

describe("TokenBucket", () => {
  it("allows a burst of `capacity` then refuses until time refills it", () => {
    const bucket = new TokenBucket(3, 10, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    expect(bucket.take(50)).toBe(false); // half a token
    expect(bucket.take(100)).toBe(true); // one token after 100 ms at 10/s
    expect(bucket.take(100)).toBe(false);
  });

  it("never holds more than its capacity after a long idle time", () => {
    const bucket = new TokenBucket(2, 10, 0);
    bucket.take(0);
    let taken = 0;
    while (bucket.take(1_000_000)) taken++;
    expect(taken).toBe(2);
  });

  it("refills nothing when the clock goes backwards (edge: clock step back)", () => {
    const bucket = new TokenBucket(1, 10, 1000);
    expect(bucket.take(1000)).toBe(true);
    expect(bucket.take(500)).toBe(false);
    expect(bucket.take(1050)).toBe(false);
    expect(bucket.take(1100)).toBe(true);
  });

  it("sustains exactly its rate over a long run", () => {
    const bucket = new TokenBucket(5, 20, 0);
    let accepted = 0;
    for (let now = 0; now <= 10_000; now += 5) if (bucket.take(now)) accepted++;
    // 5 burst + 20/s for 10 s
    expect(accepted).toBe(5 + 200);
  });
});

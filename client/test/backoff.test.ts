import { Rng } from "@tickwire/engine";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Backoff } from "../src/backoff.js";

describe("Backoff (exponential, full jitter)", () => {
  it("draws each delay uniformly below a ceiling that doubles per attempt", () => {
    const draws = [0.5, 0.25, 1 - Number.EPSILON, 0];
    let i = 0;
    const backoff = new Backoff({ baseMs: 100, maxMs: 10_000, maxAttempts: 10 }, () => draws[i++]);
    expect(backoff.next()).toBe(0.5 * 100);
    expect(backoff.next()).toBe(0.25 * 200);
    expect(backoff.next()).toBeCloseTo(400, 6);
    expect(backoff.next()).toBe(0);
    expect(backoff.attempts).toBe(4);
  });

  it("caps the ceiling at maxMs, even for attempt counts where 2^n overflows", () => {
    const backoff = new Backoff({ baseMs: 100, maxMs: 1_000, maxAttempts: 5_000 }, () => 0.999);
    expect(backoff.ceiling(3)).toBe(800);
    expect(backoff.ceiling(4)).toBe(1_000);
    expect(backoff.ceiling(2_000)).toBe(1_000);
    for (let n = 0; n < 4_000; n++) {
      const delay = backoff.next();
      expect(delay).not.toBeNull();
      expect(delay!).toBeLessThan(1_000);
    }
  });

  it("gives up (null) after maxAttempts and starts over after reset", () => {
    const backoff = new Backoff({ baseMs: 10, maxMs: 100, maxAttempts: 3 }, () => 0.5);
    expect([backoff.next(), backoff.next(), backoff.next()].every((d) => d !== null)).toBe(true);
    expect(backoff.exhausted).toBe(true);
    expect(backoff.next()).toBeNull();
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect(backoff.next()).toBe(5);
  });

  it("keeps every delay within [0, ceiling) for any seed (property)", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1, max: 64 }), (seed, base, k) => {
        const rng = new Rng(seed);
        const backoff = new Backoff({ baseMs: base, maxMs: base * k, maxAttempts: 20 }, () => rng.next());
        for (let attempt = 0; attempt < 20; attempt++) {
          const delay = backoff.next()!;
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(Math.min(base * k, base * 2 ** attempt));
        }
      }),
    );
  });

  it("spreads a crowd: 1,000 clients' third retries cover the whole [0, ceiling) range", () => {
    const rng = new Rng(7);
    const delays: number[] = [];
    for (let client = 0; client < 1_000; client++) {
      const backoff = new Backoff({ baseMs: 100, maxMs: 10_000 }, () => rng.next());
      backoff.next();
      backoff.next();
      delays.push(backoff.next()!);
    }
    const buckets = new Array(4).fill(0);
    for (const d of delays) buckets[Math.floor(d / 100)]++;
    // Uniform over [0, 400): each 100 ms quarter holds about 250 of them.
    for (const count of buckets) expect(count).toBeGreaterThan(180);
  });

  it("rejects nonsensical options", () => {
    expect(() => new Backoff({ baseMs: 0 }, Math.random)).toThrow(RangeError);
    expect(() => new Backoff({ baseMs: 100, maxMs: 50 }, Math.random)).toThrow(RangeError);
    expect(() => new Backoff({ maxAttempts: 0 }, Math.random)).toThrow(RangeError);
  });
});

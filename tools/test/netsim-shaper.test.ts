import { Rng } from "@tickwire/engine";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type LinkConditions, NO_CONDITIONS } from "../src/netsim/conditions.js";
import { burstBytes, type DirectionConfig, LinkShaper } from "../src/netsim/shaper.js";

function shaperWith(conditions: Partial<LinkConditions>, seed = 7, now = 0) {
  const config: DirectionConfig = { conditions: { ...NO_CONDITIONS, ...conditions }, stallEpochMs: 0 };
  return { config, shaper: new LinkShaper(config, new Rng(seed), now) };
}

/** Non-decreasing arrival times built from random gaps. */
const arrivals = fc
  .array(fc.double({ min: 0, max: 50, noNaN: true }), { minLength: 1, maxLength: 200 })
  .map((gaps) => {
    let t = 0;
    return gaps.map((gap) => (t += gap));
  });

describe("LinkShaper due times (latency and jitter)", () => {
  it("without jitter, every chunk is due exactly the latency after it arrives", () => {
    const { shaper } = shaperWith({ latencyMs: 40 });
    for (const arrival of [0, 3, 3, 100.5]) expect(shaper.dueAt(arrival)).toBe(arrival + 40);
  });

  it("property: chunks never overtake each other, whatever the arrivals, latency and jitter", () => {
    fc.assert(
      fc.property(arrivals, fc.nat(300), fc.nat(100), fc.integer(), (times, latencyMs, jitterMs, seed) => {
        const { shaper } = shaperWith({ latencyMs, jitterMs }, seed);
        let previous = Number.NEGATIVE_INFINITY;
        for (const time of times) {
          const due = shaper.dueAt(time);
          expect(due).toBeGreaterThanOrEqual(previous);
          previous = due;
        }
      }),
    );
  });

  it("property: a chunk's delay is within latency ± jitter (never below zero) unless an earlier chunk holds it back", () => {
    fc.assert(
      fc.property(arrivals, fc.nat(300), fc.nat(100), fc.integer(), (times, latencyMs, jitterMs, seed) => {
        const { shaper } = shaperWith({ latencyMs, jitterMs }, seed);
        let previous = Number.NEGATIVE_INFINITY;
        for (const time of times) {
          const due = shaper.dueAt(time);
          expect(due).toBeGreaterThanOrEqual(time + Math.max(0, latencyMs - jitterMs));
          expect(due).toBeLessThanOrEqual(Math.max(previous, time + latencyMs + jitterMs) + 1e-9);
          previous = due;
        }
      }),
    );
  });

  it("the median delay equals the latency when chunks are further apart than the jitter", () => {
    const { shaper } = shaperWith({ latencyMs: 100, jitterMs: 20 }, 3);
    const delays = Array.from({ length: 1_001 }, (_, i) => shaper.dueAt(i * 50) - i * 50).sort((a, b) => a - b);
    expect(delays[500]).toBeGreaterThan(98);
    expect(delays[500]).toBeLessThan(102);
    expect(delays[0]).toBeLessThan(82);
    expect(delays[1_000]).toBeGreaterThan(118);
  });

  it("the same seed gives the same due times, so runs repeat", () => {
    const a = shaperWith({ latencyMs: 50, jitterMs: 30 }, 42).shaper;
    const b = shaperWith({ latencyMs: 50, jitterMs: 30 }, 42).shaper;
    for (let t = 0; t < 500; t += 10) expect(a.dueAt(t)).toBe(b.dueAt(t));
  });

  it("a latency lowered at run time never lets new chunks overtake held ones", () => {
    const { config, shaper } = shaperWith({ latencyMs: 200 });
    const first = shaper.dueAt(0);
    config.conditions = { ...config.conditions, latencyMs: 10 };
    expect(shaper.dueAt(5)).toBe(first);
    expect(shaper.dueAt(300)).toBe(310);
  });
});

describe("LinkShaper stalls", () => {
  it("freezes for the last stallFor ms of every stallEvery period counted from the epoch", () => {
    const { shaper } = shaperWith({ stallEveryMs: 1_000, stallForMs: 300 });
    expect(shaper.resumesAt(0)).toBe(0);
    expect(shaper.resumesAt(699)).toBe(699);
    expect(shaper.resumesAt(700)).toBe(1_000);
    expect(shaper.resumesAt(850)).toBe(1_000);
    expect(shaper.resumesAt(1_000)).toBe(1_000);
    expect(shaper.resumesAt(2_999)).toBe(3_000);
  });

  it("counts periods from the epoch, including times before it (a link created before a change)", () => {
    const { config, shaper } = shaperWith({ stallEveryMs: 1_000, stallForMs: 300 });
    config.stallEpochMs = 5_000;
    expect(shaper.resumesAt(4_800)).toBe(5_000);
    expect(shaper.resumesAt(5_100)).toBe(5_100);
    expect(shaper.resumesAt(5_800)).toBe(6_000);
  });

  it("never stalls when stallFor is zero", () => {
    const { shaper } = shaperWith({ stallEveryMs: 1_000, stallForMs: 0 });
    for (const t of [0, 999, 1_000, 12_345]) expect(shaper.resumesAt(t)).toBe(t);
  });
});

describe("LinkShaper bandwidth (token bucket)", () => {
  it("grants everything at once when the bandwidth is 0 (unlimited)", () => {
    const { shaper } = shaperWith({});
    expect(shaper.take(0, 10_000_000)).toBe(10_000_000);
    expect(shaper.waitFor(0, 10_000_000)).toBe(0);
  });

  it("starts with one burst (10 ms of traffic, at least one 1460-byte segment) and then refills at the rate", () => {
    const rate = 512 * 1024;
    const { shaper } = shaperWith({ bandwidthBytesPerSec: rate });
    expect(shaper.take(0, 1_000_000)).toBe(Math.floor(burstBytes(rate)));
    expect(shaper.take(0, 1_000_000)).toBe(0);
    // The fraction of a byte left from the first grant carries over.
    expect(shaper.take(5, 1_000_000)).toBe(Math.floor((burstBytes(rate) % 1) + (rate * 5) / 1_000));
    expect(burstBytes(8_000)).toBe(1_460);
  });

  it("waitFor says when the bucket will cover the request, capped at one burst", () => {
    const rate = 100_000;
    const { shaper } = shaperWith({ bandwidthBytesPerSec: rate });
    shaper.take(0, 1_000_000);
    expect(shaper.waitFor(0, 500)).toBeCloseTo(5, 9);
    expect(shaper.waitFor(0, 1_000_000)).toBeCloseTo((burstBytes(rate) * 1_000) / rate, 9);
    expect(shaper.take(5, 500)).toBe(500);
  });

  it("property: bytes granted never exceed rate × elapsed time + one burst", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 10_000_000 }),
        fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 300 }),
        (rate, gaps) => {
          const { shaper } = shaperWith({ bandwidthBytesPerSec: rate });
          let now = 0;
          let granted = shaper.take(0, Number.MAX_SAFE_INTEGER);
          for (const gap of gaps) {
            now += gap;
            granted += shaper.take(now, Number.MAX_SAFE_INTEGER);
            expect(granted).toBeLessThanOrEqual((rate * now) / 1_000 + burstBytes(rate) + 1);
          }
        },
      ),
    );
  });

  it("property: a sender that asks at least every 10 ms (one burst window) gets the full rate", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 10_000_000 }),
        fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 1, maxLength: 300 }),
        (rate, gaps) => {
          const { shaper } = shaperWith({ bandwidthBytesPerSec: rate });
          let now = 0;
          let granted = shaper.take(0, Number.MAX_SAFE_INTEGER);
          for (const gap of gaps) {
            now += gap;
            granted += shaper.take(now, Number.MAX_SAFE_INTEGER);
          }
          // The first burst plus the rate; whole-byte grants may lose under a byte per step at the cap.
          const expected = Math.floor(burstBytes(rate)) + (rate * now) / 1_000;
          expect(granted).toBeGreaterThanOrEqual(expected - gaps.length - 1);
        },
      ),
    );
  });

  it("a rate lowered at run time applies to the next grant and shrinks the saved burst", () => {
    const { config, shaper } = shaperWith({ bandwidthBytesPerSec: 1_000_000 });
    config.conditions = { ...config.conditions, bandwidthBytesPerSec: 10_000 };
    expect(shaper.take(1_000, 1_000_000)).toBe(burstBytes(10_000));
    expect(shaper.take(1_100, 1_000_000)).toBe(1_000);
  });
});

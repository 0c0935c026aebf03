import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_CATCH_UP_TICKS, FixedStep } from "../../src/time/index.js";
import { Rng } from "../../src/util/rng.js";

/** A typical performance.now()-style reading, far from zero. */
const T0 = 123_456.789;

describe("FixedStep", () => {
  it("derives the tick length from the rate", () => {
    const clock = new FixedStep({ tickRate: 20, startTime: T0 });
    expect(clock.tickRate).toBe(20);
    expect(clock.tickMs).toBe(50);
    expect(clock.tick).toBe(0);
    expect(clock.maxCatchUpTicks).toBe(DEFAULT_MAX_CATCH_UP_TICKS);
  });

  it("steps a tick only once its whole interval has passed", () => {
    const clock = new FixedStep({ tickRate: 20, startTime: 1000 });
    expect(clock.advance(1000)).toBe(0);
    expect(clock.advance(1049.999)).toBe(0);
    expect(clock.advance(1050)).toBe(1);
    expect(clock.advance(1050)).toBe(0);
    expect(clock.advance(1175)).toBe(2);
    expect(clock.tick).toBe(3);
  });

  it("steps exactly 20,000 ticks over 1,000 s of irregular advances at 20 Hz (no drift)", () => {
    const rng = new Rng(1);
    const clock = new FixedStep({ tickRate: 20, startTime: T0 });
    const end = T0 + 1_000_000;
    let now = T0;
    let stepped = 0;
    while (now < end) {
      now = Math.min(end, now + rng.range(0.1, 120));
      stepped += clock.advance(now);
    }
    expect(stepped).toBe(20_000);
    expect(clock.tick).toBe(20_000);
    expect(clock.droppedTicks).toBe(0);
  });

  it("steps exactly 60,000 ticks over 1,000 s at 60 Hz, whose tick length is not a whole number", () => {
    const rng = new Rng(2);
    const clock = new FixedStep({ tickRate: 60, startTime: 1.7e12 });
    const end = 1.7e12 + 1_000_000;
    let now = 1.7e12;
    let stepped = 0;
    while (now < end) {
      now = Math.min(end, now + rng.range(0.1, 40));
      stepped += clock.advance(now);
    }
    expect(stepped).toBe(60_000);
    expect(clock.droppedTicks).toBe(0);
  });

  it("keeps to the schedule when a timer wakes up late every time (drift compensation)", () => {
    const rng = new Rng(3);
    const clock = new FixedStep({ tickRate: 30, startTime: T0 });
    let now = T0;
    let stepped = 0;
    for (let wake = 0; wake < 3000; wake++) {
      const delay = clock.msUntilNextTick(now);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(clock.tickMs);
      now += delay + rng.range(0, 8);
      stepped += clock.advance(now);
    }
    expect(stepped).toBe(Math.floor(((now - T0) * 30) / 1000));
    expect(clock.droppedTicks).toBe(0);
  });

  it("caps catch-up after a long stall, counts the dropped ticks and keeps the tick phase", () => {
    const clock = new FixedStep({ tickRate: 20, startTime: 0 });
    expect(clock.advance(10_020)).toBe(DEFAULT_MAX_CATCH_UP_TICKS);
    expect(clock.tick).toBe(5);
    expect(clock.droppedTicks).toBe(200 - 5);
    expect(clock.advance(10_021)).toBe(0);
    // The latest due tick began at 10,000 ms, so the next one is due at 10,050 ms.
    expect(clock.msUntilNextTick(10_021)).toBe(29);
    expect(clock.advance(10_049)).toBe(0);
    expect(clock.advance(10_050)).toBe(1);
    expect(clock.timeToTick(10_050)).toBe(clock.tick);
  });

  it("honours a custom catch-up cap", () => {
    const clock = new FixedStep({ tickRate: 10, startTime: 0, maxCatchUpTicks: 2 });
    expect(clock.advance(1000)).toBe(2);
    expect(clock.droppedTicks).toBe(8);
  });

  it("steps nothing and never goes back when the clock jumps backwards, then resumes one tick later", () => {
    const clock = new FixedStep({ tickRate: 20, startTime: 100_000 });
    expect(clock.advance(100_120)).toBe(2);
    expect(clock.advance(40_000)).toBe(0);
    expect(clock.tick).toBe(2);
    expect(clock.msUntilNextTick(40_000)).toBe(50);
    expect(clock.advance(40_049)).toBe(0);
    expect(clock.advance(40_050)).toBe(1);
    expect(clock.tick).toBe(3);
    expect(clock.droppedTicks).toBe(0);
  });

  it("keeps the schedule when the clock steps back within the current tick", () => {
    const clock = new FixedStep({ tickRate: 20, startTime: 0 });
    clock.advance(130);
    expect(clock.advance(110)).toBe(0);
    expect(clock.advance(150)).toBe(1);
    expect(clock.tick).toBe(3);
  });

  it("caps msUntilNextTick at one tick when the clock reads earlier than the current tick", () => {
    const clock = new FixedStep({ tickRate: 20, startTime: 1_000_000 });
    expect(clock.msUntilNextTick(0)).toBe(50);
    expect(clock.msUntilNextTick(1_000_100)).toBe(0);
  });

  it("reports alpha as the fraction of the current tick elapsed, clamped to [0, 1]", () => {
    const clock = new FixedStep({ tickRate: 20, startTime: 0 });
    clock.advance(60);
    expect(clock.alpha(60)).toBeCloseTo(0.2, 12);
    expect(clock.alpha(75)).toBeCloseTo(0.5, 12);
    expect(clock.alpha(50)).toBe(0);
    expect(clock.alpha(20)).toBe(0);
    expect(clock.alpha(500)).toBe(1);
  });

  it("counts exactly with very large tick numbers", () => {
    const start = 2 ** 50;
    const clock = new FixedStep({ tickRate: 20, startTime: T0, startTick: start });
    expect(clock.advance(T0 + 50)).toBe(1);
    expect(clock.advance(T0 + 250)).toBe(4);
    expect(clock.tick).toBe(start + 5);
    expect(clock.tickToTime(start + 5)).toBe(T0 + 250);
    expect(clock.timeToTick(T0 + 260)).toBe(start + 5);
    expect(clock.timeToTick(clock.tickToTime(start + 123_456_789))).toBe(start + 123_456_789);
  });

  it("maps a tick to its start time and back to the same tick, for any rate and epoch", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 240, noNaN: true }),
        fc.double({ min: -1e13, max: 1e13, noNaN: true }),
        fc.integer({ min: -1e9, max: 1e9 }),
        (tickRate, startTime, tick) => {
          const clock = new FixedStep({ tickRate, startTime });
          const time = clock.tickToTime(tick);
          expect(clock.timeToTick(time)).toBe(tick);
          expect(clock.tickToTime(tick + 1)).toBeGreaterThan(time);
        },
      ),
    );
  });

  it("maps any time to the tick whose interval contains it", () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 240, noNaN: true }), fc.double({ min: -1e7, max: 1e7, noNaN: true }), (tickRate, offset) => {
        const clock = new FixedStep({ tickRate, startTime: 1.7e12 });
        const time = 1.7e12 + offset;
        const tick = clock.timeToTick(time);
        expect(clock.tickToTime(tick)).toBeLessThanOrEqual(time);
        expect(clock.tickToTime(tick + 1)).toBeGreaterThan(time);
      }),
    );
  });

  it("rejects invalid options and non-finite times", () => {
    expect(() => new FixedStep({ tickRate: 0, startTime: 0 })).toThrow(RangeError);
    expect(() => new FixedStep({ tickRate: Number.POSITIVE_INFINITY, startTime: 0 })).toThrow(RangeError);
    expect(() => new FixedStep({ tickRate: 20, startTime: Number.NaN })).toThrow(RangeError);
    expect(() => new FixedStep({ tickRate: 20, startTime: 0, maxCatchUpTicks: 0 })).toThrow(RangeError);
    expect(() => new FixedStep({ tickRate: 20, startTime: 0, startTick: 2 ** 53 })).toThrow(RangeError);
    const clock = new FixedStep({ tickRate: 20, startTime: 0 });
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(() => clock.timeToTick(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(clock.tick).toBe(0);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { angleDelta } from "../../src/interp/angle.js";
import { type FieldInterp, InterpolationBuffer } from "../../src/interp/buffer.js";

const DEG = Math.PI / 180;

function buffer(fields: readonly FieldInterp[], opts: { capacity?: number; maxExtrapolationMs?: number } = {}) {
  return new InterpolationBuffer({ fields, ...opts });
}

describe("InterpolationBuffer", () => {
  it("interpolates linear fields at the exact midpoint", () => {
    const buf = buffer(["linear", "linear"]);
    buf.push(1000, [0, 10]);
    buf.push(1100, [10, 30]);
    const out = [0, 0];
    expect(buf.sample(1050, out)).toBe("interpolated");
    expect(out).toEqual([5, 20]);
  });

  it("returns a snapshot's own values at its time, including the newest", () => {
    const buf = buffer(["linear"]);
    buf.push(0, [1]);
    buf.push(50, [2]);
    buf.push(100, [3]);
    const out = [0];
    expect(buf.sample(50, out)).toBe("interpolated");
    expect(out[0]).toBe(2);
    expect(buf.sample(100, out)).toBe("interpolated");
    expect(out[0]).toBe(3);
  });

  it("interpolates between the two snapshots around the render time in a longer buffer", () => {
    const buf = buffer(["linear"]);
    for (let i = 0; i < 10; i++) buf.push(i * 50, [i * i]);
    const out = [0];
    buf.sample(7 * 50 + 10, out);
    expect(out[0]).toBeCloseTo(49 + (64 - 49) * (10 / 50), 12);
  });

  it("angle wraps forward through 0: 350° to 10° passes 0° at the midpoint", () => {
    const buf = buffer(["angle"]);
    buf.push(0, [350 * DEG]);
    buf.push(100, [10 * DEG]);
    const out = [0];
    buf.sample(50, out);
    expect(angleDelta(out[0], 0)).toBeCloseTo(0, 12);
    buf.sample(25, out);
    expect(angleDelta(out[0], 355 * DEG)).toBeCloseTo(0, 12);
  });

  it("angle wraps backward through 0: 10° to 350° passes 0° at the midpoint", () => {
    const buf = buffer(["angle"]);
    buf.push(0, [10 * DEG]);
    buf.push(100, [350 * DEG]);
    const out = [0];
    buf.sample(50, out);
    expect(angleDelta(out[0], 0)).toBeCloseTo(0, 12);
    buf.sample(25, out);
    expect(angleDelta(out[0], 5 * DEG)).toBeCloseTo(0, 12);
  });

  it("angle without a wrap blends directly: 10° to 50° is 30° at the midpoint", () => {
    const buf = buffer(["angle"]);
    buf.push(0, [10 * DEG]);
    buf.push(100, [50 * DEG]);
    const out = [0];
    buf.sample(50, out);
    expect(out[0]).toBeCloseTo(30 * DEG, 12);
  });

  it("step fields hold the older value until the newer snapshot's time", () => {
    const buf = buffer(["step", "linear"]);
    buf.push(0, [1, 0]);
    buf.push(100, [2, 10]);
    const out = [0, 0];
    buf.sample(99, out);
    expect(out[0]).toBe(1);
    buf.sample(100, out);
    expect(out[0]).toBe(2);
  });

  it("extrapolates from the last two snapshots' velocity within the window", () => {
    const buf = buffer(["linear", "angle", "step"], { maxExtrapolationMs: 100 });
    buf.push(0, [0, 350 * DEG, 7]);
    buf.push(50, [5, 0, 8]);
    const out = [0, 0, 0];
    expect(buf.sample(80, out)).toBe("extrapolated");
    expect(out[0]).toBeCloseTo(8, 12);
    expect(angleDelta(out[1], 6 * DEG)).toBeCloseTo(0, 12);
    expect(out[2]).toBe(8);
  });

  it("extrapolation stops at the window: past it the status is clamped and values hold", () => {
    const maxExtrapolationMs = 100;
    const buf = buffer(["linear"], { maxExtrapolationMs });
    buf.push(0, [0]);
    buf.push(50, [5]);
    const atWindow = [0];
    expect(buf.sample(50 + maxExtrapolationMs, atWindow)).toBe("extrapolated");
    expect(atWindow[0]).toBeCloseTo(15, 12);
    const past = [0];
    expect(buf.sample(50 + maxExtrapolationMs + 1, past)).toBe("clamped");
    expect(past[0]).toBe(atWindow[0]);
    expect(buf.sample(10_000, past)).toBe("clamped");
    expect(past[0]).toBe(atWindow[0]);
  });

  it("maxExtrapolationMs 0 never extrapolates: past the newest it holds the newest", () => {
    const buf = buffer(["linear"], { maxExtrapolationMs: 0 });
    buf.push(0, [0]);
    buf.push(50, [5]);
    const out = [0];
    expect(buf.sample(60, out)).toBe("clamped");
    expect(out[0]).toBe(5);
  });

  it("a single snapshot holds its values past its time", () => {
    const buf = buffer(["linear"]);
    buf.push(0, [3]);
    const out = [0];
    expect(buf.sample(20, out)).toBe("extrapolated");
    expect(out[0]).toBe(3);
  });

  it("never interpolates across a discontinuity: holds, then snaps at the discontinuity time", () => {
    const buf = buffer(["linear"]);
    buf.push(0, [0]);
    buf.push(100, [10]);
    buf.push(200, [1000], true);
    buf.push(300, [1010]);
    const out = [0];
    buf.sample(150, out);
    expect(out[0]).toBe(10);
    buf.sample(199.999, out);
    expect(out[0]).toBe(10);
    buf.sample(200, out);
    expect(out[0]).toBe(1000);
    buf.sample(250, out);
    expect(out[0]).toBe(1005);
  });

  it("never extrapolates from before a discontinuity: a fresh spawn holds", () => {
    const buf = buffer(["linear"]);
    buf.push(0, [0]);
    buf.push(100, [500], true);
    const out = [0];
    expect(buf.sample(150, out)).toBe("extrapolated");
    expect(out[0]).toBe(500);
  });

  it("ignores out-of-order and duplicate pushes, keeping the first values", () => {
    const buf = buffer(["linear"]);
    expect(buf.push(100, [1])).toBe(true);
    expect(buf.push(200, [2])).toBe(true);
    expect(buf.push(150, [99])).toBe(false);
    expect(buf.push(200, [99])).toBe(false);
    expect(buf.push(Number.NaN, [99])).toBe(false);
    expect(buf.length).toBe(2);
    const out = [0];
    buf.sample(150, out);
    expect(out[0]).toBe(1.5);
    buf.sample(200, out);
    expect(out[0]).toBe(2);
  });

  it("capacity overflow drops the oldest and keeps the newest snapshots", () => {
    const capacity = 4;
    const buf = buffer(["linear"], { capacity });
    for (let i = 0; i < 6; i++) buf.push(i * 10, [i]);
    expect(buf.length).toBe(capacity);
    expect(buf.oldestTime).toBe(20);
    expect(buf.newestTime).toBe(50);
    const out = [0];
    expect(buf.sample(45, out)).toBe("interpolated");
    expect(out[0]).toBe(4.5);
    expect(buf.sample(10, out)).toBe("before");
    expect(out[0]).toBe(2);
  });

  it("a render time older than the buffer gives the oldest snapshot with status before", () => {
    const buf = buffer(["linear"]);
    buf.push(100, [1]);
    buf.push(200, [2]);
    const out = [0];
    expect(buf.sample(50, out)).toBe("before");
    expect(out[0]).toBe(1);
    expect(buf.sample(Number.NaN, out)).toBe("before");
  });

  it("an empty buffer reports empty, leaves out untouched and has NaN times", () => {
    const buf = buffer(["linear"]);
    const out = [42];
    expect(buf.sample(0, out)).toBe("empty");
    expect(out[0]).toBe(42);
    expect(buf.length).toBe(0);
    expect(buf.oldestTime).toBeNaN();
    expect(buf.newestTime).toBeNaN();
  });

  it("clear empties the buffer and accepts older times again", () => {
    const buf = buffer(["linear"]);
    buf.push(100, [1]);
    buf.clear();
    expect(buf.sample(100, [0])).toBe("empty");
    expect(buf.push(50, [5])).toBe(true);
  });

  it("writes into a Float64Array as well as a plain array", () => {
    const buf = buffer(["linear"]);
    buf.push(0, [0]);
    buf.push(10, [1]);
    const out = new Float64Array(1);
    buf.sample(5, out);
    expect(out[0]).toBe(0.5);
  });

  it("matches a linear-scan reference for random snapshot series, across ring wraparound", () => {
    const series = fc.array(fc.tuple(fc.integer({ min: 1, max: 100 }), fc.double({ min: -1e3, max: 1e3, noNaN: true })), {
      minLength: 2,
      maxLength: 40,
    });
    fc.assert(
      fc.property(series, fc.double({ min: 0, max: 1, noNaN: true }), (steps, where) => {
        const capacity = 8;
        const buf = buffer(["linear"], { capacity });
        const times: number[] = [];
        const values: number[] = [];
        let time = 0;
        for (const [gap, value] of steps) {
          time += gap;
          buf.push(time, [value]);
          times.push(time);
          values.push(value);
        }
        const keptTimes = times.slice(-capacity);
        const keptValues = values.slice(-capacity);
        const first = keptTimes[0];
        const last = keptTimes[keptTimes.length - 1];
        const renderTime = first + (last - first) * where;
        let i = 0;
        while (i < keptTimes.length - 2 && keptTimes[i + 1] <= renderTime) i++;
        const fraction = (renderTime - keptTimes[i]) / (keptTimes[i + 1] - keptTimes[i]);
        const expected = keptValues[i] + (keptValues[i + 1] - keptValues[i]) * fraction;
        const out = [0];
        expect(buf.sample(renderTime, out)).toBe("interpolated");
        expect(out[0]).toBeCloseTo(expected, 9);
      }),
    );
  });

  it("rejects bad options and short value arrays", () => {
    expect(() => buffer([])).toThrow(RangeError);
    expect(() => buffer(["linear"], { capacity: 1 })).toThrow(RangeError);
    expect(() => buffer(["linear"], { maxExtrapolationMs: -1 })).toThrow(RangeError);
    expect(() => buffer(["cubic" as FieldInterp])).toThrow(RangeError);
    expect(() => buffer(["linear", "linear"]).push(0, [1])).toThrow(RangeError);
  });
});

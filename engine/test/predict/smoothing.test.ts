import { describe, expect, it } from "vitest";
import { DECAY_RESIDUE, ErrorSmoother } from "../../src/predict/smoothing.js";

const DECAY_MS = 200;

function runFrames(smoother: ErrorSmoother, hz: number, totalMs: number): void {
  const frameMs = 1000 / hz;
  const frames = Math.round(totalMs / frameMs);
  for (let i = 0; i < frames; i++) smoother.update(frameMs);
}

describe("ErrorSmoother", () => {
  it("keeps an added correction as the visual offset until time passes", () => {
    const smoother = new ErrorSmoother({ dimensions: 2, decayMs: DECAY_MS });
    smoother.add([3, -4]);
    expect(Array.from(smoother.offset)).toEqual([3, -4]);
    expect(smoother.magnitude()).toBe(5);
  });

  it("accumulates corrections that arrive before the previous one has decayed", () => {
    const smoother = new ErrorSmoother({ dimensions: 2, decayMs: DECAY_MS });
    smoother.add([1, 0]);
    smoother.add([0.5, 2]);
    expect(Array.from(smoother.offset)).toEqual([1.5, 2]);
  });

  it("decays to 5% of the offset after decayMs, and below it afterwards", () => {
    const smoother = new ErrorSmoother({ dimensions: 1, decayMs: DECAY_MS });
    smoother.add([1]);
    smoother.update(DECAY_MS);
    expect(smoother.offset[0]).toBeCloseTo(DECAY_RESIDUE, 12);
    smoother.update(1);
    expect(smoother.offset[0]).toBeLessThan(DECAY_RESIDUE);
    expect(smoother.offset[0]).toBeGreaterThan(0);
  });

  it("follows an exponential curve: half of decayMs leaves the square root of the residue", () => {
    const smoother = new ErrorSmoother({ dimensions: 1, decayMs: DECAY_MS });
    smoother.add([1]);
    smoother.update(DECAY_MS / 2);
    expect(smoother.offset[0]).toBeCloseTo(Math.sqrt(DECAY_RESIDUE), 12);
  });

  it("is frame-rate independent: 60 Hz and 144 Hz give the same offset at the same time", () => {
    const at60 = new ErrorSmoother({ dimensions: 2, decayMs: DECAY_MS });
    const at144 = new ErrorSmoother({ dimensions: 2, decayMs: DECAY_MS });
    at60.add([2, -1]);
    at144.add([2, -1]);
    const elapsedMs = 250; // 15 frames at 60 Hz, 36 at 144 Hz
    runFrames(at60, 60, elapsedMs);
    runFrames(at144, 144, elapsedMs);
    expect(Math.abs(at60.offset[0] - at144.offset[0])).toBeLessThan(1e-12);
    expect(Math.abs(at60.offset[1] - at144.offset[1])).toBeLessThan(1e-12);
    expect(at60.offset[0]).toBeCloseTo(2 * DECAY_RESIDUE ** (elapsedMs / DECAY_MS), 12);
  });

  it("snaps (clears the offset) when a correction exceeds snapDistance: teleports are not smoothed", () => {
    const smoother = new ErrorSmoother({ dimensions: 2, decayMs: DECAY_MS, snapDistance: 5 });
    smoother.add([4, 4]);
    expect(smoother.magnitude()).toBe(0);
  });

  it("keeps a correction within snapDistance", () => {
    const smoother = new ErrorSmoother({ dimensions: 2, decayMs: DECAY_MS, snapDistance: 5 });
    smoother.add([3, 4]);
    expect(smoother.magnitude()).toBe(5);
  });

  it("snaps when accumulated small corrections together exceed snapDistance", () => {
    const smoother = new ErrorSmoother({ dimensions: 1, decayMs: DECAY_MS, snapDistance: 5 });
    smoother.add([3]);
    smoother.add([3]);
    expect(smoother.offset[0]).toBe(0);
  });

  it("ignores zero and negative frame times", () => {
    const smoother = new ErrorSmoother({ dimensions: 1, decayMs: DECAY_MS });
    smoother.add([1]);
    smoother.update(0);
    smoother.update(-16);
    expect(smoother.offset[0]).toBe(1);
  });

  it("reset clears the offset", () => {
    const smoother = new ErrorSmoother({ dimensions: 3, decayMs: DECAY_MS });
    smoother.add([1, 2, 3]);
    smoother.reset();
    expect(Array.from(smoother.offset)).toEqual([0, 0, 0]);
  });

  it("rejects a correction with fewer components than dimensions, and bad options", () => {
    const smoother = new ErrorSmoother({ dimensions: 2, decayMs: DECAY_MS });
    expect(() => smoother.add([1])).toThrow(RangeError);
    expect(() => new ErrorSmoother({ dimensions: 0, decayMs: DECAY_MS })).toThrow(RangeError);
    expect(() => new ErrorSmoother({ dimensions: 2, decayMs: 0 })).toThrow(RangeError);
    expect(() => new ErrorSmoother({ dimensions: 2, decayMs: DECAY_MS, snapDistance: -1 })).toThrow(RangeError);
  });
});

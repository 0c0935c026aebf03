import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { angleDelta } from "../../src/interp/angle.js";

const DEG = Math.PI / 180;
const TURN = 2 * Math.PI;

describe("angleDelta", () => {
  it("takes the short way across 0: 350° to 10° is +20°, 10° to 350° is -20°", () => {
    expect(angleDelta(350 * DEG, 10 * DEG)).toBeCloseTo(20 * DEG, 12);
    expect(angleDelta(10 * DEG, 350 * DEG)).toBeCloseTo(-20 * DEG, 12);
  });

  it("takes the short way across ±π with inputs in (-π, π]", () => {
    expect(angleDelta(170 * DEG, -170 * DEG)).toBeCloseTo(20 * DEG, 12);
    expect(angleDelta(-170 * DEG, 170 * DEG)).toBeCloseTo(-20 * DEG, 12);
  });

  it("an exact half turn goes the negative way", () => {
    expect(angleDelta(0, Math.PI)).toBeCloseTo(-Math.PI, 12);
  });

  it("for any angles, is at most half a turn and lands on the target modulo a full turn", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -50, max: 50, noNaN: true }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        (from, to) => {
          const delta = angleDelta(from, to);
          expect(delta).toBeGreaterThanOrEqual(-Math.PI);
          expect(delta).toBeLessThan(Math.PI + 1e-9);
          const turns = (from + delta - to) / TURN;
          expect(Math.abs(turns - Math.round(turns))).toBeLessThan(1e-9);
        },
      ),
    );
  });
});

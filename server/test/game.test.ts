import { defineInput, defineSchema, inputField, t } from "@tickwire/engine";
import { describe, expect, it } from "vitest";
import { defineGame, type GameDefinition } from "../src/game.js";
import { DEFAULT_LIMITS, resolveLimits } from "../src/limits.js";

const schema = defineSchema({ dot: { x: t.fixed(1, { min: 0, max: 10 }), y: t.fixed(1, { min: 0, max: 10 }) } });
const input = defineInput({ dx: inputField.int(-1, 1) });
const base: GameDefinition<typeof schema, { dx: number }> = {
  schema,
  input,
  bounds: { width: 10, height: 10 },
  onJoin: (ctx) => ctx.spawn("dot"),
};

describe("defineGame", () => {
  it("returns a valid definition unchanged", () => {
    expect(defineGame(base)).toBe(base);
  });

  it.each([
    ["a zero tick rate", { tickRate: 0 }, /tickRate/],
    ["a tick rate above the protocol's maximum", { tickRate: 1000 }, /tickRate/],
    ["a fractional capacity", { capacity: 1.5 }, /capacity/],
    ["an empty world", { bounds: { width: 0, height: 10 } }, /bounds/],
    ["an infinite world", { bounds: { width: Number.POSITIVE_INFINITY, height: 10 } }, /bounds/],
    ["a zero interest radius", { interest: { radius: 0 } }, /radius/],
    ["a negative cell size", { interest: { radius: 100, cellSize: -1 } }, /cellSize/],
  ])("refuses %s", (_name, overrides, message) => {
    expect(() => defineGame({ ...base, ...overrides })).toThrow(message);
  });
});

describe("resolveLimits", () => {
  it("fills unspecified limits with the defaults", () => {
    expect(resolveLimits({ stallTimeoutMs: 5 })).toEqual({ ...DEFAULT_LIMITS, stallTimeoutMs: 5 });
  });

  it.each([
    ["a negative value", { resumeGraceMs: -1 }],
    ["NaN", { messagesPerSecond: Number.NaN }],
    ["a zero snapshot interval", { maxSnapshotInterval: 0 }],
    ["a zero input credit", { maxInputsPerTick: 0 }],
    ["more pending events than a message can carry", { maxPendingEvents: 5000 }],
  ])("refuses %s", (_name, overrides) => {
    expect(() => resolveLimits(overrides)).toThrow(RangeError);
  });
});

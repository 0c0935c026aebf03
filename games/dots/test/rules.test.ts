import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type DotState, prediction, step } from "../src/shared/movement.js";
import { PLAYER_SPEED, POSITION_RESOLUTION, TICK_RATE, WORLD_HEIGHT, WORLD_WIDTH } from "../src/shared/schema.js";

const dt = 1 / TICK_RATE;

describe("dots movement step", () => {
  it("moves PLAYER_SPEED / TICK_RATE units per tick along each pushed axis", () => {
    const state: DotState = { x: 100, y: 100 };
    step(state, { dx: 1, dy: -1 }, dt);
    expect(state).toEqual({ x: 100 + PLAYER_SPEED * dt, y: 100 - PLAYER_SPEED * dt });
    step(state, { dx: 0, dy: 0 }, dt);
    expect(state).toEqual({ x: 100 + PLAYER_SPEED * dt, y: 100 - PLAYER_SPEED * dt });
  });

  it("stops at the walls, including from a corner", () => {
    const state: DotState = { x: 3, y: WORLD_HEIGHT - 1 };
    step(state, { dx: -1, dy: 1 }, dt);
    expect(state).toEqual({ x: 0, y: WORLD_HEIGHT });
    state.x = WORLD_WIDTH;
    step(state, { dx: 1, dy: 1 }, dt);
    expect(state).toEqual({ x: WORLD_WIDTH, y: WORLD_HEIGHT });
  });

  it("always lands on the wire's 1/16 grid inside the world, so prediction and server agree exactly (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: WORLD_WIDTH, noNaN: true }),
        fc.double({ min: 0, max: WORLD_HEIGHT, noNaN: true }),
        fc.array(fc.tuple(fc.integer({ min: -1, max: 1 }), fc.integer({ min: -1, max: 1 })), { maxLength: 50 }),
        (x, y, moves) => {
          const state: DotState = { x, y };
          for (const [dx, dy] of moves) {
            step(state, { dx, dy }, dt);
            for (const value of [state.x, state.y]) {
              expect(Number.isInteger(value / POSITION_RESOLUTION)).toBe(true);
            }
            expect(state.x).toBeGreaterThanOrEqual(0);
            expect(state.x).toBeLessThanOrEqual(WORLD_WIDTH);
            expect(state.y).toBeGreaterThanOrEqual(0);
            expect(state.y).toBeLessThanOrEqual(WORLD_HEIGHT);
          }
        },
      ),
    );
  });

  it("the prediction model copies states and inputs and measures errors as distances", () => {
    const { model } = prediction;
    const a = model.create();
    model.copy({ x: 3, y: 4 }, a);
    expect(a).toEqual({ x: 3, y: 4 });
    expect(model.error(a, { x: 0, y: 0 })).toBe(5);
    const input = model.createInput!();
    model.copyInput!({ dx: 1, dy: -1 }, input);
    expect(input).toEqual({ dx: 1, dy: -1 });
  });
});

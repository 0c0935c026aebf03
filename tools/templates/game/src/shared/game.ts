// What server and client build from: the schema, the input, and the shared step that the
// server runs for every input and the client replays to predict its own player.
import { definePrediction, defineInput, defineSchema, inputField, MAX_NAME_LENGTH, t } from "@tickwire/engine";

/** World size in units; the page scales it to the window. */
export const WIDTH = 800;
export const HEIGHT = 600;
export const TICK_RATE = 20;
/** Units per second: 8 units per tick at 20 Hz. */
export const SPEED = 160;
/** Positions travel in 1/16 units: sub-pixel at any sane zoom. */
const RESOLUTION = 1 / 16;

export const schema = defineSchema({
  player: {
    x: t.fixed(RESOLUTION, { min: 0, max: WIDTH }),
    y: t.fixed(RESOLUTION, { min: 0, max: HEIGHT }),
    name: t.string(MAX_NAME_LENGTH),
  },
});

/** One input per tick: which way the player pushes. */
export const input = defineInput({ dx: inputField.int(-1, 1), dy: inputField.int(-1, 1) });
export type Move = { dx: number; dy: number };

function place(value: number, max: number): number {
  return Math.min(max, Math.max(0, Math.round(value / RESOLUTION) * RESOLUTION));
}

/** Deterministic (no clock, no randomness) and snapped to the wire's grid, so both ends agree exactly. */
export function step(state: { x: number; y: number }, move: Move, dt: number): void {
  state.x = place(state.x + move.dx * SPEED * dt, WIDTH);
  state.y = place(state.y + move.dy * SPEED * dt, HEIGHT);
}

/** What the client passes as `game.predict`: `step` on the player's `x` and `y`. */
export const prediction = definePrediction({ schema, entity: "player", fields: ["x", "y"], input, step });

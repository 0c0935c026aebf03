import { definePrediction } from "@tickwire/engine";
import { type DotsInput, input, PLAYER_SPEED, POSITION_RESOLUTION, schema, WORLD_HEIGHT, WORLD_WIDTH } from "./schema.js";

/** The part of a player the shared step moves, and the client predicts. */
export interface DotState {
  x: number;
  y: number;
}

function quantize(value: number): number {
  return Math.round(value / POSITION_RESOLUTION) * POSITION_RESOLUTION;
}

function clamp(value: number, max: number): number {
  return Math.min(max, Math.max(0, value));
}

/**
 * The deterministic movement rule, run by the server for every input and by the client to
 * predict its own dot. Results are snapped to the wire's 1/16 grid so the prediction and the
 * server's quantized state agree exactly. Diagonals are not normalized: simple and exact.
 */
export function step(state: DotState, move: DotsInput, dt: number): void {
  const distance = PLAYER_SPEED * dt;
  state.x = clamp(quantize(state.x + move.dx * distance), WORLD_WIDTH);
  state.y = clamp(quantize(state.y + move.dy * distance), WORLD_HEIGHT);
}

/** How the client predicts its dot: `step` on the player's `x` and `y`. */
export const prediction = definePrediction({ schema, entity: "player", fields: ["x", "y"], input, step });

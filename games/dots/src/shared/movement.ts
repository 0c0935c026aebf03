import type { PredictionModel } from "@tickwire/engine";
import { type DotsInput, PLAYER_SPEED, POSITION_RESOLUTION, WORLD_HEIGHT, WORLD_WIDTH } from "./schema.js";

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

/** `step` packaged for the client's reconciler. */
export const movement: PredictionModel<DotState, DotsInput> = {
  step,
  copy(from, to) {
    to.x = from.x;
    to.y = from.y;
  },
  create: () => ({ x: 0, y: 0 }),
  error: (a, b) => Math.hypot(a.x - b.x, a.y - b.y),
  // The page reuses one input object per tick, so the reconciler keeps copies.
  createInput: () => ({ dx: 0, dy: 0 }),
  copyInput(from, to) {
    to.dx = from.dx;
    to.dy = from.dy;
  },
};

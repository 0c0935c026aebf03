import { describe, expect, it } from "vitest";
import { LocalPrediction } from "../src/prediction.js";
import { model, PLAYER_SPEED, TICK_RATE, type TestInput } from "./helpers/test-game.js";

const TICK_MS = 1000 / TICK_RATE;
const FRAME_MS = 1000 / 60;
const RIGHT: TestInput = { dx: 1, dy: 0 };

describe("LocalPrediction drawing", () => {
  it("at constant speed moves every 60 fps frame by speed × frame time (±25%), not once per tick", () => {
    const prediction = new LocalPrediction({ model, fields: ["x", "y"] }, 1 / TICK_RATE);
    prediction.reset({ x: 100, y: 100 });
    const out = new Float64Array(2);
    const steps: number[] = [];
    let nextDue = 0;
    let last = Number.NaN;
    for (let frame = 0; frame < 120; frame++) {
      const now = frame * FRAME_MS;
      // Inputs go out on the first frame at or after they are due, as the client's update() sends them.
      while (now >= nextDue) {
        prediction.applyInput(RIGHT, nextDue);
        nextDue += TICK_MS;
      }
      prediction.draw(["x", "y"], out, now);
      if (!Number.isNaN(last)) steps.push(out[0] - last);
      last = out[0];
    }
    const expected = (PLAYER_SPEED * FRAME_MS) / 1000;
    for (const step of steps.slice(3)) {
      expect(step).toBeGreaterThanOrEqual(expected * 0.75);
      expect(step).toBeLessThanOrEqual(expected * 1.25);
    }
  });

  it("a correction does not move the drawn position at once (it is smoothed away)", () => {
    const prediction = new LocalPrediction({ model, fields: ["x", "y"] }, 1 / TICK_RATE);
    prediction.reset({ x: 100, y: 100 });
    const out = new Float64Array(2);
    const seq = prediction.applyInput(RIGHT, 0);
    prediction.applyInput(RIGHT, TICK_MS);
    prediction.draw(["x", "y"], out, TICK_MS + 20);
    const drawn = out[0];
    // The server says the first input moved the player only half as far.
    expect(prediction.reconcile({ x: 102.5, y: 100 }, seq)).toBeGreaterThan(0);
    prediction.draw(["x", "y"], out, TICK_MS + 20);
    expect(out[0]).toBeCloseTo(drawn, 9);
  });

  it("correctionOf tells a game that draws the predicted state itself the offset still hiding a correction", () => {
    const prediction = new LocalPrediction({ model, fields: ["x", "y"] }, 1 / TICK_RATE);
    prediction.reset({ x: 100, y: 100 });
    const seq = prediction.applyInput(RIGHT, 0);
    expect(prediction.correctionOf("x")).toBe(0);
    const predictedX = prediction.state.x;
    // The server says the input moved the player 2.5 units less: drawn = new state + offset = old state.
    prediction.reconcile({ x: predictedX - 2.5, y: 100 }, seq);
    expect(prediction.state.x + prediction.correctionOf("x")).toBeCloseTo(predictedX, 9);
    expect(prediction.correctionOf("y")).toBe(0);
    expect(prediction.correctionOf("hp")).toBe(0);
    prediction.update(10_000);
    expect(Math.abs(prediction.correctionOf("x"))).toBeLessThan(0.01);
  });
});

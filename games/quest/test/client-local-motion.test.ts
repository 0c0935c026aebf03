import { describe, expect, it } from "vitest";
import { tileCentre } from "../src/shared/map.js";
import { type MoverState, step } from "../src/shared/movement.js";
import { TICK_RATE } from "../src/shared/schema.js";
import { LocalMotion } from "../src/client/local-motion.js";
import { Walker } from "../src/client/walker.js";
import { asciiMap } from "./shared-fixtures.js";

const TICK_MS = 1000 / TICK_RATE;
const map = asciiMap(["S.......", "........", "..#....."]);

function at(tx: number, ty: number): MoverState {
  return { x: tileCentre(tx), y: tileCentre(ty), dir: "down", moving: false };
}

/** One client input tick: the input the motion asks for, applied to the prediction as the engine does. */
function tick(motion: LocalMotion, predicted: MoverState): void {
  step(predicted, motion.tickInput(predicted), TICK_MS / 1000, map);
}

describe("the local player's motion between input ticks", () => {
  it("moves on the frame of the key press, before the input tick", () => {
    const walker = new Walker(map);
    const motion = new LocalMotion(map, walker);
    const predicted = at(1, 1);
    walker.keyDown("ArrowRight");
    expect(motion.draw(predicted, 10).x).toBeGreaterThan(predicted.x);
  });

  it("is drawn continuously across ticks: the frame before a tick and the tick's own state agree", () => {
    const walker = new Walker(map);
    const motion = new LocalMotion(map, walker);
    const predicted = at(1, 1);
    walker.keyDown("ArrowRight");
    const justBefore = motion.draw(predicted, TICK_MS).x;
    tick(motion, predicted);
    expect(motion.draw(predicted, 0).x).toBe(justBefore);
  });

  it("never draws a step back: a key let go after the player was drawn leaving its tile still walks that tile", () => {
    const walker = new Walker(map);
    const motion = new LocalMotion(map, walker);
    const predicted = at(1, 1);
    walker.keyDown("ArrowRight");
    const drawn: number[] = [motion.draw(predicted, 20).x];
    walker.keyUp("ArrowRight"); // before the tick: the tick would otherwise send "stand still"
    for (let t = 0; t < 8; t++) {
      tick(motion, predicted);
      for (const since of [0, 25, 49]) drawn.push(motion.draw(predicted, since).x);
    }
    for (let i = 1; i < drawn.length; i++) expect(drawn[i]).toBeGreaterThanOrEqual(drawn[i - 1]);
    expect(predicted).toMatchObject({ x: tileCentre(2), y: tileCentre(1), moving: false });
  });

  it("a key pressed and let go before anything was drawn moves nothing", () => {
    const walker = new Walker(map);
    const motion = new LocalMotion(map, walker);
    const predicted = at(1, 1);
    walker.keyDown("ArrowRight");
    walker.keyUp("ArrowRight");
    tick(motion, predicted);
    expect(predicted).toMatchObject({ x: tileCentre(1), y: tileCentre(1) });
  });
});

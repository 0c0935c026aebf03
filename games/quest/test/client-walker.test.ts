import { describe, expect, it } from "vitest";
import { tileCentre } from "../src/shared/map.js";
import { type MoverState, step } from "../src/shared/movement.js";
import { MOVE_DOWN, MOVE_NONE, MOVE_RIGHT, MOVE_UP, type QuestInput, TICK_RATE } from "../src/shared/schema.js";
import { Walker } from "../src/client/walker.js";
import { asciiMap } from "./shared-fixtures.js";

const DT = 1 / TICK_RATE;
// A wall between the spawn and the right side: the way round is through the gap below.
const map = asciiMap(["S..#....", "...#....", "........"]);

function at(tx: number, ty: number): MoverState {
  return { x: tileCentre(tx), y: tileCentre(ty), dir: "down", moving: false };
}

/** Runs the walker and the shared step tick by tick, as the client does, until it stops (or a cap). */
function run(walker: Walker, state: MoverState, maxTicks = 200): { inputs: number[]; ticks: number } {
  const input: QuestInput = { move: MOVE_NONE };
  const inputs: number[] = [];
  for (let tick = 0; tick < maxTicks; tick++) {
    walker.input(state, input);
    inputs.push(input.move);
    step(state, input, DT, map);
    if (!walker.walking && !state.moving) return { inputs, ticks: tick + 1 };
  }
  return { inputs, ticks: maxTicks };
}

describe("the client's walker", () => {
  it("walks a clicked tile's A* path round a wall with single moves and stops on the tile", () => {
    const walker = new Walker(map);
    const state = at(0, 0);
    const path = walker.walkTo(state, { tx: 5, ty: 0 });
    expect(path).not.toBeNull();
    expect(walker.target).toEqual({ tx: 5, ty: 0 });
    const { inputs } = run(walker, state);
    expect(state).toMatchObject({ x: tileCentre(5), y: tileCentre(0), moving: false });
    expect(walker.walking).toBe(false);
    // It had to go down and round: every move is one of the four, and it went down, right and up.
    expect(new Set(inputs.filter((m) => m !== MOVE_NONE))).toEqual(new Set([MOVE_DOWN, MOVE_RIGHT, MOVE_UP]));
  });

  it("refuses an unreachable tile and keeps walking the current path", () => {
    const walker = new Walker(map);
    const state = at(0, 0);
    walker.walkTo(state, { tx: 2, ty: 2 });
    expect(walker.walkTo(state, { tx: 3, ty: 0 })).toBeNull(); // the wall itself
    expect(walker.target).toEqual({ tx: 2, ty: 2 });
  });

  it("plans from the tile it is walking into, so a click mid-step does not turn back", () => {
    const walker = new Walker(map);
    const state = at(0, 2);
    step(state, { move: MOVE_RIGHT }, DT, map); // a third of the way to (1, 2)
    walker.walkTo(state, { tx: 1, ty: 0 });
    const input: QuestInput = { move: MOVE_NONE };
    // Heading to (1, 2) first, then up: never left.
    expect(walker.input(state, input).move).toBe(MOVE_UP);
    run(walker, state);
    expect(state).toMatchObject({ x: tileCentre(1), y: tileCentre(0) });
  });

  it("held keys win over a path, the last pressed first, and cancel the walk", () => {
    const walker = new Walker(map);
    const state = at(0, 0);
    walker.walkTo(state, { tx: 2, ty: 2 });
    const input: QuestInput = { move: MOVE_NONE };
    walker.keyDown("KeyD");
    walker.keyDown("ArrowDown");
    expect(walker.walking).toBe(false);
    expect(walker.input(state, input).move).toBe(MOVE_DOWN);
    walker.keyUp("ArrowDown");
    expect(walker.input(state, input).move).toBe(MOVE_RIGHT);
    walker.keyDown("ArrowLeft");
    walker.releaseAll();
    expect(walker.input(state, input).move).toBe(MOVE_NONE);
  });
});

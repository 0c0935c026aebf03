import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tileCentre, tileOf } from "../src/shared/map.js";
import { createMovementModel, type MoverState, MS_PER_TILE, moveToward, RouteFollower, step, WALK_SPEED } from "../src/shared/movement.js";
import { findPath } from "../src/shared/path.js";
import { MOVE_DOWN, MOVE_LEFT, MOVE_NONE, MOVE_RIGHT, MOVE_UP, POSITION_RESOLUTION, TICK_RATE } from "../src/shared/schema.js";
import { asciiMap } from "./shared-fixtures.js";

const DT = 1 / TICK_RATE;
const field = asciiMap(["S.......", "........", "...#....", "........"]);

function at(tx: number, ty: number): MoverState {
  return { x: tileCentre(tx), y: tileCentre(ty), dir: "down", moving: false };
}

function walk(state: MoverState, move: number, ticks: number, map = field): MoverState {
  for (let i = 0; i < ticks; i++) step(state, { move }, DT, map);
  return state;
}

describe("the shared step", () => {
  it("walks one tile per 120 ms: 12 ticks at 20 Hz cover 5 tiles (to within a rounding per tick)", () => {
    expect(MS_PER_TILE).toBe(120);
    const state = walk(at(0, 1), MOVE_RIGHT, 12);
    expect(state).toMatchObject({ y: tileCentre(1), dir: "right", moving: true });
    expect(Math.abs(state.x - tileCentre(5))).toBeLessThanOrEqual(12 * POSITION_RESOLUTION);
  });

  it("refuses to walk into a wall: the player turns to face it and stays", () => {
    const state = walk(at(3, 1), MOVE_DOWN, 10);
    expect(state).toEqual({ x: tileCentre(3), y: tileCentre(1), dir: "down", moving: false });
    // The map's edge is a wall too.
    expect(walk(at(0, 0), MOVE_UP, 5)).toEqual({ x: tileCentre(0), y: tileCentre(0), dir: "up", moving: false });
  });

  it("finishes the way to the next tile centre once started, whatever the input, then stops", () => {
    const state = walk(at(1, 1), MOVE_RIGHT, 1);
    expect(state.x).toBeGreaterThan(tileCentre(1));
    walk(state, MOVE_LEFT, 1);
    expect(state.x).toBeGreaterThan(tileCentre(1));
    walk(state, MOVE_NONE, 3);
    expect(state).toEqual({ x: tileCentre(2), y: tileCentre(1), dir: "right", moving: false });
  });

  it("keeps positions on the wire's 1/16 px grid, so server and prediction agree exactly", () => {
    const state = at(0, 1);
    for (let i = 0; i < 30; i++) {
      step(state, { move: [MOVE_RIGHT, MOVE_DOWN, MOVE_LEFT, MOVE_UP][i % 4] }, DT, field);
      expect(Number.isInteger(state.x / POSITION_RESOLUTION)).toBe(true);
      expect(Number.isInteger(state.y / POSITION_RESOLUTION)).toBe(true);
    }
  });

  it("a speed hack gains nothing: no sequence of inputs moves further than the walking speed per step", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 60 }), (moves) => {
        const state = at(0, 1);
        const limit = WALK_SPEED * DT + POSITION_RESOLUTION;
        for (const move of moves) {
          const before = { x: state.x, y: state.y };
          step(state, { move }, DT, field);
          expect(Math.abs(state.x - before.x) + Math.abs(state.y - before.y)).toBeLessThanOrEqual(limit);
          expect(field.blocked(tileOf(state.x), tileOf(state.y))).toBe(false);
        }
      }),
    );
  });

  it("teleports to a portal's destination on arriving at its tile, without sliding there", () => {
    const map = asciiMap(["S.a#...", "...#..."], { portals: { a: { tx: 5, ty: 1 } } });
    const state = at(1, 0);
    let ticks = 0;
    while (state.x !== tileCentre(5) && ticks < 10) {
      const before = state.x;
      step(state, { move: MOVE_RIGHT }, DT, map);
      ticks++;
      if (state.x !== tileCentre(5)) expect(state.x).toBeLessThanOrEqual(tileCentre(2));
      else expect(state.x - before).toBeGreaterThan(TILE_JUMP);
    }
    expect(state).toMatchObject({ x: tileCentre(5), y: tileCentre(1) });
    expect(ticks).toBe(3);
    // The step that teleports ends there: the next one starts walking from the destination.
    step(state, { move: MOVE_RIGHT }, DT, map);
    expect(state.x).toBeGreaterThan(tileCentre(5));
  });

  it("follows an A* path with one input per tick (RouteFollower), turning exactly at the path's corners", () => {
    const start = { tx: 0, ty: 0 };
    const target = { tx: 6, ty: 3 };
    const path = findPath(field, start, target)!;
    const route = new RouteFollower(start, path);
    const state = at(0, 0);
    const visited = new Set<string>();
    let ticks = 0;
    while (!route.arrived(state) && ticks < 100) {
      const move = route.input(state);
      expect(move).not.toBeNull();
      step(state, { move: move! }, DT, field);
      visited.add(`${tileOf(state.x)},${tileOf(state.y)}`);
      ticks++;
    }
    expect(route.arrived(state)).toBe(true);
    // Only tiles of the path were entered.
    for (const tile of visited) expect(path.some((p) => `${p.tx},${p.ty}` === tile) || tile === "0,0").toBe(true);
    // 9 tiles at 120 ms = 1080 ms: 22 ticks of 50 ms.
    expect(ticks).toBe(Math.ceil((path.length * MS_PER_TILE) / (DT * 1000)));
    expect(route.input(state)).toBe(MOVE_NONE);
  });

  it("tells the follower when the mover is off its route, so it can find a new path", () => {
    const route = new RouteFollower({ tx: 0, ty: 0 }, findPath(field, { tx: 0, ty: 0 }, { tx: 2, ty: 0 })!);
    expect(route.input(at(5, 3))).toBeNull();
    expect(moveToward({ tx: 1, ty: 1 }, { tx: 1, ty: 0 })).toBe(MOVE_UP);
  });

  it("packages the step for the reconciler: the same inputs give the same states", () => {
    const model = createMovementModel(field);
    const a = model.create();
    const b = model.create();
    model.copy(at(0, 1), a);
    model.copy(a, b);
    for (const move of [MOVE_RIGHT, MOVE_RIGHT, MOVE_DOWN, MOVE_NONE, MOVE_UP]) {
      model.step(a, { move }, DT);
      step(b, { move }, DT, field);
    }
    expect(a).toEqual(b);
    expect(model.error(a, at(0, 1))).toBeGreaterThan(0);
    const input = model.createInput!();
    model.copyInput!({ move: MOVE_LEFT }, input);
    expect(input.move).toBe(MOVE_LEFT);
  });
});

/** More than any walking step: a portal jump is a cut. */
const TILE_JUMP = 2 * 16;

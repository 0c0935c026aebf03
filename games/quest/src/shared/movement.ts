/**
 * The shared step: how one input moves a player, run by the server for every input it
 * applies and by the client to predict its own player. Walking is grid-locked in four
 * directions at one tile per `MS_PER_TILE`: a player between tiles always finishes the way
 * to the next tile's centre; at a centre it turns to the input's direction and goes on if that
 * tile is free. Stepping onto a portal's tile teleports to its destination. Deterministic (no
 * clock, no randomness) and quantized to the wire's 1/16 px, so both ends agree exactly.
 */
import type { PredictionModel } from "@tickwire/engine";
import { type QuestMap, type TilePoint, tileCentre, tileOf } from "./map.js";
import { type DIRECTIONS, MOVE_DOWN, MOVE_LEFT, MOVE_NONE, MOVE_RIGHT, MOVE_UP, POSITION_RESOLUTION, type QuestInput } from "./schema.js";
import { TILE_SIZE } from "./tiles.js";

/** BrowserQuest's walking pace. */
export const MS_PER_TILE = 120;
/** Pixels per second. */
export const WALK_SPEED = (TILE_SIZE * 1000) / MS_PER_TILE;

export type Direction = (typeof DIRECTIONS)[number];

/** The part of a player the step moves (pixels; `moving` is whether the last step moved it). */
export interface MoverState {
  x: number;
  y: number;
  dir: Direction;
  moving: boolean;
}

const HALF_TILE = TILE_SIZE / 2;

function quantize(value: number): number {
  return Math.round(value / POSITION_RESOLUTION) * POSITION_RESOLUTION;
}

function atCentre(p: number): boolean {
  return (p - HALF_TILE) % TILE_SIZE === 0;
}

/** The direction an input asks for, or null for "stand still". */
export function directionOf(move: number): Direction | null {
  switch (move) {
    case MOVE_UP:
      return "up";
    case MOVE_DOWN:
      return "down";
    case MOVE_LEFT:
      return "left";
    case MOVE_RIGHT:
      return "right";
    default:
      return null;
  }
}

function delta(dir: Direction): [number, number] {
  switch (dir) {
    case "up":
      return [0, -1];
    case "down":
      return [0, 1];
    case "left":
      return [-1, 0];
    case "right":
      return [1, 0];
  }
}

/** The input that walks from a tile to its 4-neighbour `next` (MOVE_NONE when it is the same tile). */
export function moveToward(from: TilePoint, next: TilePoint): number {
  if (next.ty < from.ty) return MOVE_UP;
  if (next.ty > from.ty) return MOVE_DOWN;
  if (next.tx < from.tx) return MOVE_LEFT;
  if (next.tx > from.tx) return MOVE_RIGHT;
  return MOVE_NONE;
}

/**
 * Advances `state` in place by one input over `dt` seconds. The input says which way to go
 * at the next tile centre: a mover off a centre (it was walking) goes on to the next centre
 * whatever the input says; at a centre — where it stood, or one it reaches during this
 * step — it faces the input's direction and walks on unless that tile is blocked, or stops
 * there on MOVE_NONE. Reaching a portal's tile moves it to the portal's destination and ends
 * the step there.
 */
export function step(state: MoverState, input: QuestInput, dt: number, map: QuestMap): void {
  let budget = WALK_SPEED * dt;
  let moved = false;
  while (budget > 0) {
    let dir = state.dir;
    if (atCentre(state.x) && atCentre(state.y)) {
      const wanted = directionOf(input.move);
      if (wanted === null) break;
      state.dir = dir = wanted;
      const [dx, dy] = delta(dir);
      if (map.blocked(tileOf(state.x) + dx, tileOf(state.y) + dy)) break;
    }
    const [dx, dy] = delta(dir);
    // The next centre along the way (an axis off its centre is finished first, whatever `dir` says).
    let targetX = state.x;
    let targetY = state.y;
    if (!atCentre(state.x)) targetX = dx !== 0 ? nextCentre(state.x, dx) : nearestCentre(state.x);
    else if (!atCentre(state.y)) targetY = dy !== 0 ? nextCentre(state.y, dy) : nearestCentre(state.y);
    else {
      targetX = state.x + dx * TILE_SIZE;
      targetY = state.y + dy * TILE_SIZE;
    }
    const remaining = Math.abs(targetX - state.x) + Math.abs(targetY - state.y);
    const travel = Math.min(budget, remaining);
    state.x += Math.sign(targetX - state.x) * travel;
    state.y += Math.sign(targetY - state.y) * travel;
    budget -= travel;
    moved = true;
    if (travel < remaining) break;
    // Landed on a centre exactly: a portal takes the mover away and ends the step.
    state.x = targetX;
    state.y = targetY;
    const portal = map.portalAt(tileOf(state.x), tileOf(state.y));
    if (portal) {
      state.x = tileCentre(portal.to.tx);
      state.y = tileCentre(portal.to.ty);
      break;
    }
    if (directionOf(input.move) === null) break;
  }
  state.x = quantize(state.x);
  state.y = quantize(state.y);
  state.moving = moved;
}

function nextCentre(p: number, sign: number): number {
  const tile = tileOf(p);
  const centre = tileCentre(tile);
  if (sign > 0) return p < centre ? centre : centre + TILE_SIZE;
  return p > centre ? centre : centre - TILE_SIZE;
}

function nearestCentre(p: number): number {
  return tileCentre(tileOf(p));
}

/** The tile a mover stands on (at a centre) or is walking to. */
export function headingTile(state: MoverState): TilePoint {
  let tx = tileOf(state.x);
  let ty = tileOf(state.y);
  const [dx, dy] = delta(state.dir);
  if (!atCentre(state.x)) tx = tileOf(dx !== 0 ? nextCentre(state.x, dx) : nearestCentre(state.x));
  if (!atCentre(state.y)) ty = tileOf(dy !== 0 ? nextCentre(state.y, dy) : nearestCentre(state.y));
  return { tx, ty };
}

/**
 * Turns a path (from `findPath`) into one input per tick: at each tile of the route the
 * input names the way to the route's next tile, sent while walking towards it, so the
 * step turns exactly there even when it reaches that centre mid-tick.
 */
export class RouteFollower {
  private readonly route: TilePoint[];
  private index = 0;

  constructor(start: TilePoint, path: readonly TilePoint[]) {
    this.route = [start, ...path];
  }

  get target(): TilePoint {
    return this.route[this.route.length - 1];
  }

  /** The input for the next tick, or null when the mover has left the route (find a new path). */
  input(state: MoverState): number | null {
    const heading = headingTile(state);
    let i = this.index;
    while (i < this.route.length && (this.route[i].tx !== heading.tx || this.route[i].ty !== heading.ty)) i++;
    if (i === this.route.length) return null;
    this.index = i;
    return i === this.route.length - 1 ? MOVE_NONE : moveToward(this.route[i], this.route[i + 1]);
  }

  /** Whether the mover stands on the route's last tile. */
  arrived(state: MoverState): boolean {
    const { tx, ty } = this.target;
    return state.x === tileCentre(tx) && state.y === tileCentre(ty);
  }
}

/** The shared step packaged for the client's reconciler (`predict` in `connect`'s game options). */
export function createMovementModel(map: QuestMap): PredictionModel<MoverState, QuestInput> {
  return {
    step: (state, input, dt) => step(state, input, dt, map),
    copy(from, to) {
      to.x = from.x;
      to.y = from.y;
      to.dir = from.dir;
      to.moving = from.moving;
    },
    create: () => ({ x: 0, y: 0, dir: "down", moving: false }),
    error: (a, b) => Math.hypot(a.x - b.x, a.y - b.y),
    // The client reuses one input object per tick, so the reconciler keeps copies.
    createInput: () => ({ move: MOVE_NONE }),
    copyInput(from, to) {
      to.move = from.move;
    },
  };
}

/**
 * The whole prediction config for `connect(..., { game: { predict } })`: the reconciler
 * smooths `x`, `y`; `dir` and `moving` are copied from the server's entity as they are.
 */
export function createPrediction(map: QuestMap) {
  return {
    model: createMovementModel(map),
    fields: ["x", "y"] as const,
    fromEntity(values: Readonly<Record<string, number | boolean | string>>, state: MoverState): void {
      state.dir = values.dir as Direction;
      state.moving = values.moving === true;
    },
    /** A portal jump is a cut, not a slide: corrections longer than two tiles snap. */
    snapDistance: 2 * TILE_SIZE,
  };
}

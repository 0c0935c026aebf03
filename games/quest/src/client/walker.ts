/**
 * Turns what the player asks for (a clicked tile, held arrow keys) into one `move` input per
 * tick for the shared step. A click becomes an A* path from the tile the player is heading
 * to, followed by the shared RouteFollower, so the step (and the server's copy of it) only
 * ever sees single moves to a neighbour. Keys win over a path.
 */
import type { QuestMap, TilePoint } from "../shared/map.js";
import { headingTile, type MoverState, RouteFollower } from "../shared/movement.js";
import { findPath } from "../shared/path.js";
import { MOVE_DOWN, MOVE_LEFT, MOVE_NONE, MOVE_RIGHT, MOVE_UP, type QuestInput } from "../shared/schema.js";

const KEY_MOVES: Readonly<Record<string, number>> = {
  ArrowUp: MOVE_UP,
  KeyW: MOVE_UP,
  ArrowDown: MOVE_DOWN,
  KeyS: MOVE_DOWN,
  ArrowLeft: MOVE_LEFT,
  KeyA: MOVE_LEFT,
  ArrowRight: MOVE_RIGHT,
  KeyD: MOVE_RIGHT,
};

export function isMoveKey(code: string): boolean {
  return code in KEY_MOVES;
}

export class Walker {
  private route: RouteFollower | null = null;
  /** Held movement keys, most recent last: the last one pressed wins. */
  private readonly held: string[] = [];

  constructor(private readonly map: QuestMap) {}

  keyDown(code: string): void {
    if (!isMoveKey(code)) return;
    this.keyUp(code);
    this.held.push(code);
    this.route = null;
  }

  keyUp(code: string): void {
    const at = this.held.indexOf(code);
    if (at >= 0) this.held.splice(at, 1);
  }

  releaseAll(): void {
    this.held.length = 0;
  }

  /** The clicked tile while its path is being walked. */
  get target(): TilePoint | null {
    return this.route?.target ?? null;
  }

  get walking(): boolean {
    return this.route !== null;
  }

  /**
   * Plans a walk to `to` from the tile `state` is heading to. Returns the path (empty when
   * already there) or null when `to` cannot be reached; the current walk is kept then.
   */
  walkTo(state: MoverState, to: TilePoint): TilePoint[] | null {
    const from = headingTile(state);
    const path = findPath(this.map, from, to);
    if (path === null) return null;
    this.route = path.length > 0 ? new RouteFollower(from, path) : null;
    return path;
  }

  /** The input for the next tick, written into `out`. Ends the walk on arrival or off the route. */
  input(state: MoverState, out: QuestInput): QuestInput {
    if (this.held.length > 0) {
      out.move = KEY_MOVES[this.held[this.held.length - 1]];
      return out;
    }
    const route = this.route;
    const move = route?.input(state) ?? null;
    if (route !== null && (move === null || route.arrived(state))) this.route = null;
    out.move = move ?? MOVE_NONE;
    return out;
  }
}

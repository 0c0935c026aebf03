/**
 * How the local player moves on screen between input ticks. The engine's prediction holds
 * the state after the last input tick; drawn as is, the player would move in 50 ms jumps and
 * start up to a tick after a click. So it is drawn at that state advanced by the time since
 * the tick, with the input the next tick will send: it moves every frame, from the frame of
 * the click or key press. Once it has been drawn past the tile the prediction is heading to,
 * that move is on screen and the next tick sends it even if the key was let go meanwhile, so
 * the player is never drawn stepping back.
 */
import type { QuestMap, TilePoint } from "../shared/map.js";
import { headingTile, type MoverState, step } from "../shared/movement.js";
import { MOVE_NONE, type QuestInput, TICK_RATE } from "../shared/schema.js";
import type { Walker } from "./walker.js";

const TICK_MS = 1000 / TICK_RATE;

function sameTile(a: TilePoint, b: TilePoint): boolean {
  return a.tx === b.tx && a.ty === b.ty;
}

export class LocalMotion {
  /** A move already drawn ahead of its tick: the next tick sends it. */
  private shownMove = MOVE_NONE;
  private readonly input: QuestInput = { move: MOVE_NONE };
  private readonly drawn: MoverState = { x: 0, y: 0, dir: "down", moving: false };

  constructor(
    private readonly map: QuestMap,
    private readonly walker: Walker,
  ) {}

  /** The input an input tick sends (the caller predicts and sends it at once). */
  tickInput(predicted: MoverState): QuestInput {
    const input = this.walker.input(predicted, this.input);
    if (input.move === MOVE_NONE) input.move = this.shownMove;
    this.shownMove = MOVE_NONE;
    return input;
  }

  /** Where to draw the player `sinceTickMs` after the input tick that left it at `predicted`. Reused object. */
  draw(predicted: MoverState, sinceTickMs: number): Readonly<MoverState> {
    const drawn = this.drawn;
    drawn.x = predicted.x;
    drawn.y = predicted.y;
    drawn.dir = predicted.dir;
    drawn.moving = predicted.moving;
    const next = this.walker.input(predicted, this.input);
    if (next.move === MOVE_NONE) next.move = this.shownMove;
    step(drawn, next, Math.min(TICK_MS, Math.max(0, sinceTickMs)) / 1000, this.map);
    if (next.move !== MOVE_NONE && !sameTile(headingTile(drawn), headingTile(predicted))) this.shownMove = next.move;
    return drawn;
  }
}

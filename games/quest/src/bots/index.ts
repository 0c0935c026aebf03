/**
 * Quest for `tickwire-bots`: the game module (`--game games/quest/src/bots/index.ts`) with
 * its input, schema, prediction and the `quest` behaviour (`--behavior quest`): walk to a
 * reachable tile nearby as a player clicking would (a `walk` command, then one input per
 * tick along the shared A* path), pause, go on — each walk towards a far goal, so a swarm
 * spreads over the world as players do; say something now and then.
 *
 *   npm run bots -- --url ws://127.0.0.1:8080/ws?world=quest-1 --bots 150 \
 *     --game games/quest/src/bots/index.ts --behavior quest
 *
 * Node only (it reads the map file). The behaviour works in light mode too: it then follows
 * its own walk with the shared step, as the server does (bots have no saved progress, so
 * they start at the spawn).
 */
import type { TickwireClient } from "@tickwire/client";
import type { Rng } from "@tickwire/engine";
import { type QuestMap, type TilePoint, tileCentre } from "../shared/map.js";
import { createPrediction, headingTile, type MoverState, RouteFollower, step } from "../shared/movement.js";
import { findPath } from "../shared/path.js";
import { MOVE_NONE, type QuestInput } from "../shared/schema.js";
import { loadWorldMap } from "../server/world-map.js";

export { input, schema } from "../shared/schema.js";

/** How far (tiles, each axis) a bot's next destination may be: a click within about a screen. */
export const BOT_WALK_RANGE = 12;
/** A bot stands still this long (seconds, uniform) between walks. */
const PAUSE_MIN_S = 1;
const PAUSE_MAX_S = 4;
/** A bot says something about this often (seconds, memoryless), as a chatty player would. */
export const BOT_CHAT_EVERY_S = 30;
/** Nearby destinations tried per walk (most random tiles are free); the one nearest the goal wins. */
const TRIES_PER_TICK = 4;
/** Random tiles tried per tick for a far goal in the bot's own area. */
const GOAL_TRIES = 8;

const LINES = [
  "hello!",
  "anyone seen the cave?",
  "nice weather by the pier",
  "where is the inn?",
  "brb",
  "the forest is so dense",
  "lol",
  "meet at the plaza",
];

/** What the behaviour sees of its bot (the part of tickwire-bots' BotView it uses). */
export interface QuestBotView {
  readonly tickRate: number;
  readonly light: boolean;
  readonly client: Pick<TickwireClient, "chat" | "command" | "predicted">;
  readonly memory: Record<string, unknown>;
}

interface Plan {
  /** The bot's own idea of where it is: the prediction in full mode, its own step in light mode. */
  mover: MoverState;
  route: RouteFollower | null;
  /** Where it is heading over many walks: players spread out over the world, not only near the spawn. */
  goal: TilePoint | null;
  /** Ticks left standing still before choosing a new destination. */
  pause: number;
}

export interface QuestBehaviorOptions {
  map: QuestMap;
  chatEverySeconds?: number;
}

export function createQuestBehavior(options: QuestBehaviorOptions) {
  const { map } = options;
  const chatEvery = options.chatEverySeconds ?? BOT_CHAT_EVERY_S;

  function plan(bot: QuestBotView): Plan {
    let current = bot.memory.quest as Plan | undefined;
    if (!current) {
      current = { mover: { x: tileCentre(map.spawn.tx), y: tileCentre(map.spawn.ty), dir: "down", moving: false }, route: null, goal: null, pause: 0 };
      bot.memory.quest = current;
    }
    return current;
  }

  /** A far destination in the walker's area: somewhere else on the map to wander towards. */
  function chooseGoal(from: TilePoint, rng: Rng): TilePoint | null {
    const area = map.regionAt(from.tx, from.ty);
    for (let i = 0; i < GOAL_TRIES; i++) {
      const goal = { tx: rng.int(0, map.width - 1), ty: rng.int(0, map.height - 1) };
      if (map.regionAt(goal.tx, goal.ty) === area && !map.portalAt(goal.tx, goal.ty)) return goal;
    }
    return null;
  }

  /** The next walk: of the few reachable tiles nearby it tries, the one nearest its goal. */
  function chooseRoute(plan: Plan, from: TilePoint, rng: Rng): RouteFollower | null {
    if (!plan.goal || Math.abs(plan.goal.tx - from.tx) + Math.abs(plan.goal.ty - from.ty) <= BOT_WALK_RANGE) plan.goal = chooseGoal(from, rng);
    let best: { route: RouteFollower; distance: number } | null = null;
    for (let i = 0; i < TRIES_PER_TICK; i++) {
      const to = { tx: from.tx + rng.int(-BOT_WALK_RANGE, BOT_WALK_RANGE), ty: from.ty + rng.int(-BOT_WALK_RANGE, BOT_WALK_RANGE) };
      if (map.blocked(to.tx, to.ty) || map.portalAt(to.tx, to.ty)) continue;
      const path = findPath(map, from, to);
      if (!path || path.length === 0) continue;
      const distance = plan.goal ? Math.abs(plan.goal.tx - to.tx) + Math.abs(plan.goal.ty - to.ty) : 0;
      if (!best || distance < best.distance) best = { route: new RouteFollower(from, path), distance };
    }
    return best?.route ?? null;
  }

  return {
    name: "quest",
    onSpawn(bot: QuestBotView) {
      bot.memory.quest = undefined;
      plan(bot);
    },
    input(bot: QuestBotView, _tick: number, rng: Rng): QuestInput {
      const state = plan(bot);
      const predicted = bot.client.predicted as MoverState | undefined;
      if (predicted) Object.assign(state.mover, predicted);
      if (rng.next() < 1 / (chatEvery * Math.max(1, bot.tickRate))) bot.client.chat(rng.pick(LINES));

      let move = MOVE_NONE;
      if (state.route) {
        const next = state.route.input(state.mover);
        if (next === null || state.route.arrived(state.mover)) {
          // Arrived, or pushed off the route: stand a while, then choose again.
          state.route = null;
          state.pause = Math.round(rng.range(PAUSE_MIN_S, PAUSE_MAX_S) * bot.tickRate);
        } else move = next;
      } else if (state.pause > 0) state.pause--;
      else {
        const from = headingTile(state.mover);
        state.route = chooseRoute(state, from, rng);
        if (state.route) {
          const { tx, ty } = state.route.target;
          bot.client.command("walk", [tx, ty]);
          move = state.route.input(state.mover) ?? MOVE_NONE;
        }
      }
      // Light mode: no prediction to read back, so follow the walk with the server's own rule.
      if (!predicted) step(state.mover, { move }, 1 / Math.max(1, bot.tickRate), map);
      // A fresh object: a client's reconciler may hold on to the previous one.
      return { move };
    },
  };
}

const map = loadWorldMap();
export const predict = createPrediction(map);
export const quest = createQuestBehavior({ map });
export const behaviors = { quest };

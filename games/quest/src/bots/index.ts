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
 * The `fight` behaviour (`--behavior fight`) plays as a fighter does: it picks the nearest
 * mob it sees, clicks it (`attack [id]`), walks to a tile next to it (not diagonal) and
 * stands there while the server swings; when its mob dies it picks another, and when it
 * dies itself it presses respawn after a moment. With no mob in sight it wanders as `quest`.
 *
 * Node only (it reads the map file). `quest` works in light mode too: it then follows its
 * own walk with the shared step, as the server does (bots have no saved progress, so they
 * start at the spawn); `fight` needs the entities, so in light mode it only wanders.
 */
import type { TickwireClient } from "@tickwire/client";
import type { GameEvent, Rng } from "@tickwire/engine";
import { adjacent } from "../shared/combat.js";
import { type QuestMap, type TilePoint, tileCentre, tileOf } from "../shared/map.js";
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

/** A fighter looks for mobs this far (tiles, each axis): about what a screen shows. */
export const FIGHT_SEEK_TILES = 12;
/**
 * A fighter with no mob in sight looks again this often (seconds): about a player's reaction
 * time, and a scan of every entity it sees each tick would be most of a bot's own work.
 */
export const FIGHT_LOOK_EVERY_S = 0.25;
/** A dead fighter reads its death for this long (seconds) before pressing respawn. */
const RESPAWN_AFTER_S = 2;

/** What `fight` sees of its bot: the quest view plus the entities and its own id. */
export interface FightBotView extends QuestBotView {
  readonly entityId: number;
  readonly client: Pick<TickwireClient, "chat" | "command" | "predicted" | "entities" | "get" | "local">;
}

interface FightPlan {
  /** The mob it is after (entity id), or -1. */
  target: number;
  /** The tile next to the target it walks to, and the walk. */
  stand: TilePoint | null;
  route: RouteFollower | null;
  /** Ticks dead so far. */
  deadTicks: number;
  /** Mobs it could not reach: not chosen again. */
  unreachable: Set<number>;
  /** Ticks until it looks for a mob again, while it has none. */
  lookIn: number;
}

export function createFightBehavior(options: QuestBehaviorOptions) {
  const { map } = options;
  const wander = createQuestBehavior(options);

  function plan(bot: FightBotView): FightPlan {
    let current = bot.memory.fight as FightPlan | undefined;
    if (!current) {
      current = { target: -1, stand: null, route: null, deadTicks: 0, unreachable: new Set(), lookIn: 0 };
      bot.memory.fight = current;
    }
    return current;
  }

  function field(values: object, name: string): number {
    return (values as Record<string, number>)[name];
  }

  /** The nearest mob in sight, in its own area of the map. */
  function chooseTarget(bot: FightBotView, state: FightPlan, from: TilePoint): number {
    const area = map.regionAt(from.tx, from.ty);
    let best = -1;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const entity of bot.client.entities) {
      if (entity.type !== "mob" || state.unreachable.has(entity.id)) continue;
      const tx = tileOf(field(entity.values, "x"));
      const ty = tileOf(field(entity.values, "y"));
      const distance = Math.abs(tx - from.tx) + Math.abs(ty - from.ty);
      if (Math.max(Math.abs(tx - from.tx), Math.abs(ty - from.ty)) > FIGHT_SEEK_TILES || distance >= bestDistance) continue;
      if (map.regionAt(tx, ty) !== area) continue;
      best = entity.id;
      bestDistance = distance;
    }
    return best;
  }

  /** A walk to the free tile next to the mob nearest to the bot, or null. */
  function approach(from: TilePoint, mob: TilePoint): { stand: TilePoint; route: RouteFollower } | null {
    const sides = [
      { tx: mob.tx, ty: mob.ty + 1 },
      { tx: mob.tx, ty: mob.ty - 1 },
      { tx: mob.tx - 1, ty: mob.ty },
      { tx: mob.tx + 1, ty: mob.ty },
    ]
      .filter((t) => !map.blocked(t.tx, t.ty) && !map.portalAt(t.tx, t.ty))
      .sort((a, b) => Math.abs(a.tx - from.tx) + Math.abs(a.ty - from.ty) - (Math.abs(b.tx - from.tx) + Math.abs(b.ty - from.ty)));
    for (const stand of sides) {
      const path = findPath(map, from, stand);
      if (path) return { stand, route: new RouteFollower(from, path) };
    }
    return null;
  }

  return {
    name: "fight",
    onSpawn(bot: FightBotView) {
      bot.memory.fight = undefined;
      wander.onSpawn(bot);
    },
    onEvent(bot: FightBotView, event: GameEvent) {
      const state = plan(bot);
      const data = event.data as { id?: number } | null;
      if (event.name === "death" && data?.id === state.target) {
        state.target = -1;
        state.route = null;
      }
    },
    input(bot: FightBotView, tick: number, rng: Rng): QuestInput {
      const state = plan(bot);
      const local = bot.client.local;
      const predicted = bot.client.predicted as MoverState | undefined;
      if (bot.light || !local || !predicted) return wander.input(bot, tick, rng);
      if (field(local.values, "hp") === 0) {
        state.target = -1;
        state.route = null;
        if (++state.deadTicks === Math.round(RESPAWN_AFTER_S * bot.tickRate)) bot.client.command("respawn");
        return { move: MOVE_NONE };
      }
      state.deadTicks = 0;
      const here = headingTile(predicted);
      const mob = state.target === -1 ? undefined : bot.client.get(state.target);
      if (!mob) {
        state.target = -1;
        state.route = null;
        if (state.lookIn > 0) {
          state.lookIn--;
          return wander.input(bot, tick, rng);
        }
        state.target = chooseTarget(bot, state, here);
        if (state.target === -1) {
          state.lookIn = Math.round(FIGHT_LOOK_EVERY_S * bot.tickRate) - 1;
          return wander.input(bot, tick, rng);
        }
        bot.client.command("attack", [state.target]);
        return { move: MOVE_NONE };
      }
      const mobTile = { tx: tileOf(field(mob.values, "x")), ty: tileOf(field(mob.values, "y")) };
      if (adjacent(here, mobTile) && !predicted.moving) return { move: MOVE_NONE }; // the server swings
      if (!state.route || !state.stand || !adjacent(state.stand, mobTile) || state.route.arrived(predicted)) {
        const walk = approach(here, mobTile);
        if (!walk) {
          state.unreachable.add(state.target);
          state.target = -1;
          return { move: MOVE_NONE };
        }
        state.stand = walk.stand;
        state.route = walk.route;
        bot.client.command("walk", [walk.stand.tx, walk.stand.ty]);
      }
      return { move: state.route.input(predicted) ?? MOVE_NONE };
    },
  };
}

const map = loadWorldMap();
export const predict = createPrediction(map);
export const quest = createQuestBehavior({ map });
export const fight = createFightBehavior({ map });
export const behaviors = { quest, fight };

/**
 * Quest's world on the server: one `createQuestGame()` per world instance. Players walk the
 * shared map with the shared step (so the client's prediction is the server's rule), chat
 * with those near them, see how many play, and come back where they left.
 *
 * Events sent to clients:
 * - `chat` `{ from: entityId, name, text }`: a line said near you (and to the speaker);
 * - `notice` `{ text }`: something for this player only (chat too fast, unreachable target, welcome back);
 * - `population` `{ world, total }`: players in this world and in all of this process's worlds, every second;
 * - `kicked` `{ text }`: why the server is about to close this connection (bad name, idle).
 */
import type { CommandArg } from "@tickwire/engine";
import { defineGame, type GameContext, type Player } from "@tickwire/server";
import { type QuestMap, tileCentre } from "../shared/map.js";
import { headingTile, type MoverState, step } from "../shared/movement.js";
import { input, MOVE_NONE, type QuestInput, schema, TICK_RATE } from "../shared/schema.js";
import { checkName, sanitizeChat } from "../shared/text.js";
import { TILE_SIZE } from "../shared/tiles.js";
import { DEFAULT_WORLD_CAPACITY } from "../shared/worlds.js";
import type { QuestIdentity } from "./identity.js";
import { Lobby } from "./lobby.js";
import { InMemoryProgressStore, type ProgressStore } from "./progress.js";

type Quest = typeof schema;
type QuestPlayer = Player<Quest>;
type QuestContext = GameContext<Quest>;

/** A screen is 30 tiles wide: a player sees a screen and a half around them, so arrivals are seen before they are on screen. */
export const INTEREST_RADIUS_TILES = 30;
/** BrowserQuest kicked idle players after 15 minutes. */
export const DEFAULT_IDLE_TIMEOUT_MS = 15 * 60 * 1000;
/** Chat lines a player may send at once, and how fast the allowance comes back: talk, not flood. */
export const CHAT_BURST = 4;
export const CHAT_REFILL_MS = 2000;
/** The HUD's counts are at most this old. */
export const POPULATION_INTERVAL_MS = 1000;
/** A kicked player's close waits this many ticks so the `kicked` event reaches it first. */
const KICK_DELAY_TICKS = 2;
/** The character art has this many looks; new players get one at random. */
export const LOOK_COUNT = 8;

export interface QuestGameOptions {
  map: QuestMap;
  /** Players per world; default 200. */
  capacity?: number;
  /** Idle players (no move, chat or walk) are disconnected after this; default 15 min. */
  idleTimeoutMs?: number;
  /** Saved progress of returning players, shared by the worlds of a process. */
  progress?: ProgressStore;
  /** Populations of all of this process's worlds. */
  lobby?: Lobby;
  seed?: number;
}

/** The server's own record of a player. */
interface Visit {
  /** Progress key (hash of the player's secret); null: not saved. */
  key: string | null;
  lastActive: number;
  chatAllowance: number;
  chatCheckedAt: number;
  /** Tick at which to close the connection, after a `kicked` event. */
  kickAt: number | null;
}

export function createQuestGame(options: QuestGameOptions) {
  const { map } = options;
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const progress = options.progress ?? new InMemoryProgressStore();
  const lobby = options.lobby ?? new Lobby();
  const visits = new Map<QuestPlayer, Visit>();
  const mover: MoverState = { x: 0, y: 0, dir: "down", moving: false };
  const interestRadius = INTEREST_RADIUS_TILES * TILE_SIZE;
  let nextPopulationAt = 0;

  function notice(ctx: QuestContext, player: QuestPlayer, text: string): void {
    ctx.emit(player, "notice", { text });
  }

  /** Tells the player why, then closes its connection a couple of ticks later. */
  function dismiss(ctx: QuestContext, player: QuestPlayer, visit: Visit, text: string): void {
    if (visit.kickAt !== null) return;
    ctx.emit(player, "kicked", { text });
    visit.kickAt = ctx.tick + KICK_DELAY_TICKS;
  }

  /** Where a returning player stood, if that tile is still a place to stand on. */
  function startTile(saved: { tx: number; ty: number } | undefined) {
    if (saved && !map.blocked(saved.tx, saved.ty) && !map.portalAt(saved.tx, saved.ty)) return saved;
    return map.spawn;
  }

  function save(player: QuestPlayer, visit: Visit): void {
    const entity = player.entity;
    if (visit.key === null || entity?.type !== "player" || !entity.alive) return;
    const { tx, ty } = headingTile(entity);
    progress.save(visit.key, { tx, ty, dir: entity.dir, look: entity.look });
  }

  function chatAllowed(ctx: QuestContext, visit: Visit): boolean {
    const refill = (ctx.time - visit.chatCheckedAt) / CHAT_REFILL_MS;
    visit.chatAllowance = Math.min(CHAT_BURST, visit.chatAllowance + refill);
    visit.chatCheckedAt = ctx.time;
    if (visit.chatAllowance < 1) return false;
    visit.chatAllowance -= 1;
    return true;
  }

  function sendPopulation(ctx: QuestContext): void {
    lobby.set(ctx.worldId, ctx.players.size);
    ctx.emit("all", "population", { world: ctx.players.size, total: lobby.total() });
    nextPopulationAt = ctx.time + POPULATION_INTERVAL_MS;
  }

  /**
   * A click to walk: refused when the target cannot be reached. Reachable means in the
   * walker's area (the map's regions), an O(1) answer: the client finds the path itself,
   * and a flood of walk commands costs the server no searches.
   */
  function walkCommand(ctx: QuestContext, player: QuestPlayer, args: readonly CommandArg[]): void {
    const [tx, ty] = args;
    if (args.length !== 2 || !Number.isInteger(tx) || !Number.isInteger(ty)) throw new Error("walk takes [tx, ty], two integers");
    const entity = player.entity;
    if (entity?.type !== "player") return;
    const from = headingTile(entity);
    const target = map.regionAt(tx as number, ty as number);
    if (target === -1 || target !== map.regionAt(from.tx, from.ty)) notice(ctx, player, "You can't get there from here.");
  }

  return defineGame({
    name: "quest",
    schema,
    input,
    tickRate: TICK_RATE,
    capacity: options.capacity ?? DEFAULT_WORLD_CAPACITY,
    world: { width: map.width * TILE_SIZE, height: map.height * TILE_SIZE },
    interest: { radius: interestRadius },
    seed: options.seed ?? 1,

    onJoin(ctx, player) {
      const identity = player.identity as QuestIdentity | undefined;
      const key = identity?.key ?? null;
      const saved = key === null ? undefined : progress.load(key);
      const start = startTile(saved);
      const name = checkName(player.name);
      const entity = ctx.spawn("player", {
        x: tileCentre(start.tx),
        y: tileCentre(start.ty),
        dir: saved?.dir ?? "down",
        moving: false,
        name: name.ok ? name.name : "",
        look: saved?.look ?? ctx.rng.int(0, LOOK_COUNT - 1),
      });
      const visit: Visit = { key, lastActive: ctx.time, chatAllowance: CHAT_BURST, chatCheckedAt: ctx.time, kickAt: null };
      visits.set(player, visit);
      // The join protocol has no refusal of its own: tell the player, then close.
      if (!name.ok) dismiss(ctx, player, visit, name.reason);
      else if (saved) notice(ctx, player, `Welcome back, ${name.name}!`);
      nextPopulationAt = ctx.time;
      return entity;
    },

    onLeave(ctx, player) {
      const visit = visits.get(player);
      if (visit && visit.kickAt === null) save(player, visit);
      visits.delete(player);
      nextPopulationAt = ctx.time;
    },

    onInput(ctx, player, { move }: QuestInput) {
      const entity = player.entity;
      const visit = visits.get(player);
      if (entity?.type !== "player" || !visit || visit.kickAt !== null) return;
      if (move !== MOVE_NONE) visit.lastActive = ctx.time;
      mover.x = entity.x;
      mover.y = entity.y;
      mover.dir = entity.dir;
      mover.moving = entity.moving;
      step(mover, { move }, 1 / ctx.tickRate, map);
      entity.x = mover.x;
      entity.y = mover.y;
      entity.dir = mover.dir;
      entity.moving = mover.moving;
    },

    onCommand(ctx, player, name, args) {
      const visit = visits.get(player);
      if (!visit || visit.kickAt !== null) return;
      visit.lastActive = ctx.time;
      if (name === "walk") walkCommand(ctx, player, args);
      else throw new Error(`unknown command "${name}"`);
    },

    onChat(ctx, player, raw) {
      const visit = visits.get(player);
      const speaker = player.entity;
      if (!visit || visit.kickAt !== null || speaker?.type !== "player") return;
      const text = sanitizeChat(raw);
      if (text === "") return;
      visit.lastActive = ctx.time;
      if (!chatAllowed(ctx, visit)) {
        notice(ctx, player, "You are talking too fast: wait a moment.");
        return;
      }
      // Heard within the interest radius, and only in the same area (the cave does not hear the rooms).
      const region = map.regionAt(Math.floor(speaker.x / TILE_SIZE), Math.floor(speaker.y / TILE_SIZE));
      const line = { from: speaker.id, name: speaker.name, text };
      for (const listener of ctx.players) {
        const entity = listener.entity;
        if (entity?.type !== "player") continue;
        if (Math.hypot(entity.x - speaker.x, entity.y - speaker.y) > interestRadius) continue;
        if (map.regionAt(Math.floor(entity.x / TILE_SIZE), Math.floor(entity.y / TILE_SIZE)) !== region) continue;
        ctx.emit(listener, "chat", line);
      }
    },

    step(ctx) {
      for (const [player, visit] of visits) {
        if (visit.kickAt !== null) {
          if (ctx.tick >= visit.kickAt) ctx.kick(player);
        } else if (ctx.time - visit.lastActive >= idleTimeoutMs) {
          save(player, visit);
          dismiss(ctx, player, visit, "You were idle for too long and have been disconnected.");
        }
      }
      if (ctx.time >= nextPopulationAt) sendPopulation(ctx);
    },

    welcomeData(ctx) {
      return { map: "world", world: ctx.worldId };
    },
  });
}

/**
 * Quest's world on the server: one `createQuestGame()` per world instance. Players walk the
 * shared map with the shared step (so the client's prediction is the server's rule), chat
 * with those near them, see how many play, and come back where they left.
 *
 * Events sent to clients:
 * - `chat` `{ from: entityId, name, text }`: a line said near you (and to the speaker);
 * - `notice` `{ text }`: something for this player only (chat too fast, unreachable target, welcome back);
 * - `population` `{ world, total }`: players in this world and in all of this process's worlds, every second;
 * - `kicked` `{ text }`: why the server is about to close this connection (bad name, idle);
 * - `hit` `{ target, attacker, damage, hp }`, `death` `{ id }`, `died` `{ checkpoint }`,
 *   `loot` `{ kind, name, text }`, `say` `{ id, line, index, last }`, `achievement` `{ id, title }`:
 *   combat, loot, NPCs and progression (see the README's protocol tables).
 */
import type { CommandArg } from "@tickwire/engine";
import { defineGame, type GameContext, type Player } from "@tickwire/server";
import { ACHIEVEMENTS, AREA_ACHIEVEMENTS, type AchievementId, achievementTitle, KILL_ACHIEVEMENTS } from "../shared/achievements.js";
import { adjacent, maxHpFor, REGEN_INTERVAL_MS, regenAmount, rollDamage } from "../shared/combat.js";
import { ITEMS, type ItemKind, MAX_ARMOR, MAX_WEAPON, PLAYER_ATTACK_MS, pickupVerdict, STARTING_ARMOR, STARTING_WEAPON } from "../shared/items.js";
import { type Checkpoint, type MapZone, type QuestMap, tileCentre, tileOf } from "../shared/map.js";
import { type DropTable, dropFor, MOBS, type MobKind } from "../shared/mobs.js";
import { NPC_LINES, type NpcKind } from "../shared/npcs.js";
import { headingTile, type MoverState, step } from "../shared/movement.js";
import { input, MOVE_NONE, type QuestInput, schema, TICK_RATE } from "../shared/schema.js";
import { checkName, sanitizeChat } from "../shared/text.js";
import { TILE_SIZE } from "../shared/tiles.js";
import { DEFAULT_WORLD_CAPACITY } from "../shared/worlds.js";
import type { QuestIdentity } from "./identity.js";
import { Lobby } from "./lobby.js";
import { Loot } from "./loot.js";
import { type Fighter, type Mob, MobSystem, type PlayerEntity } from "./mobs.js";
import { InMemoryProgressStore, type ProgressStore, type SavedProgress } from "./progress.js";
import { TimeWheel } from "./time-wheel.js";

type Quest = typeof schema;
type QuestPlayer = Player<Quest, undefined>;
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
/** A player talks to an NPC, or opens a chest, from this close (tiles, each axis): next to it, or one tile off while still walking up. */
export const REACH_TILES = 2;
/** A player may pick a mob to attack this far away (tiles): one it can see. */
const ATTACK_PICK_TILES = INTEREST_RADIUS_TILES;
/** Progress is saved this often while playing (and on leaving): a crash loses at most this much. */
export const SAVE_INTERVAL_MS = 30_000;
/** "Close call": winning a fight with less than this share of the maximum HP. */
const CLOSE_CALL_SHARE = 0.1;

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
  /** Drop tables replacing a kind's own (tests, events). */
  drops?: Partial<Record<MobKind, DropTable>>;
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
  fighter: Fighter;
  /** The mob this player attacks (entity id): the server swings at it whenever the player stands next to it. */
  target: number | null;
  nextSwingAt: number;
  nextRegenAt: number;
  invincibleUntil: number;
  /** Where the player comes back to life: the checkpoint of the last zone entered. */
  checkpoint: Checkpoint;
  /** The tile (ty × width + tx) last looked at for items and zones. */
  cell: number;
  zone: MapZone | undefined;
  achievements: Set<string>;
  kills: Record<string, number>;
  /** Next line of each NPC (by entity id) for this player. */
  talk: Map<number, number>;
  /** The item last refused while standing on it: one notice, not one a tick. */
  refusedItem: number | null;
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
  let nextSaveAt = SAVE_INTERVAL_MS;
  const wheel = new TimeWheel(1000 / TICK_RATE);
  const fighters = new Set<Fighter>();
  const visitOf = new Map<Fighter, { player: QuestPlayer; visit: Visit }>();
  const npcs = new Map<number, NpcKind>();
  const checkpointOfZone = new Map<MapZone, Checkpoint>();
  for (const checkpoint of map.checkpoints) {
    const zone = map.zoneAt(checkpoint.tx, checkpoint.ty);
    if (zone && !checkpointOfZone.has(zone)) checkpointOfZone.set(zone, checkpoint);
  }
  const firstCheckpoint = checkpointOfZone.get(map.zoneAt(map.spawn.tx, map.spawn.ty) as MapZone) ?? map.checkpoints[0];
  const loot = new Loot(map, wheel);
  // Set on each tick/handler before the systems run: they act on the world through it.
  let current: QuestContext;
  const mobs = new MobSystem(map, wheel, {
    mobAttacks: (mob, target) => mobAttacks(current, mob, target),
    mobDied: (mob, killer, at, id) => mobDied(current, mob, killer, at, id),
    areaCleared: (area) => loot.areaCleared(current, area.spec.name),
  });

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
    progress.save(visit.key, {
      tx,
      ty,
      dir: entity.dir,
      look: entity.look,
      hp: entity.hp,
      weapon: entity.weapon,
      armor: entity.armor,
      checkpoint: visit.checkpoint.name,
      achievements: [...visit.achievements],
      kills: { ...visit.kills },
    });
  }

  /** A saved rank, if it is one (the store is ours, but a save from an older version may lack it). */
  function rank(value: number | undefined, fallback: number, max: number): number {
    return value !== undefined && Number.isInteger(value) && value >= 1 && value <= max ? value : fallback;
  }

  function earn(ctx: QuestContext, player: QuestPlayer, visit: Visit, id: AchievementId): void {
    if (visit.achievements.has(id)) return;
    visit.achievements.add(id);
    ctx.emit(player, "achievement", { id, title: achievementTitle(id) });
  }

  function tileOfEntity(entity: { x: number; y: number }) {
    return { tx: tileOf(entity.x), ty: tileOf(entity.y) };
  }

  function hit(ctx: QuestContext, at: { x: number; y: number }, target: number, attacker: number, damage: number, hp: number): void {
    ctx.emit({ x: at.x, y: at.y }, "hit", { target, attacker, damage, hp });
  }

  function mobAttacks(ctx: QuestContext, mob: Mob, target: Fighter): void {
    const player = target.entity;
    const entry = visitOf.get(target);
    if (!entry || !mob.entity || player.hp === 0) return;
    const damage = player.invincible ? 0 : rollDamage(mob.info.weapon, player.armor, ctx.rng);
    player.hp = Math.max(0, player.hp - damage);
    hit(ctx, player, player.id, mob.entity.id, damage, player.hp);
    if (player.hp === 0) die(ctx, entry.player, entry.visit, player);
  }

  function die(ctx: QuestContext, player: QuestPlayer, visit: Visit, entity: PlayerEntity): void {
    entity.moving = false;
    entity.invincible = false;
    visit.target = null;
    mobs.forget(ctx, visit.fighter);
    ctx.emit({ x: entity.x, y: entity.y }, "death", { id: entity.id });
    ctx.emit(player, "died", { checkpoint: visit.checkpoint.name });
  }

  function mobDied(ctx: QuestContext, mob: Mob, killer: Fighter, at: { tx: number; ty: number }, id: number): void {
    const kind = mob.area.spec.kind;
    ctx.emit({ x: tileCentre(at.tx), y: tileCentre(at.ty) }, "death", { id });
    const drop = dropFor(options.drops?.[kind] ?? MOBS[kind].drops, ctx.rng.int(0, 99));
    if (drop) loot.drop(ctx, drop, at);
    const entry = visitOf.get(killer);
    if (!entry) return;
    const { player, visit } = entry;
    visit.kills[kind] = (visit.kills[kind] ?? 0) + 1;
    const total = Object.values(visit.kills).reduce((sum, n) => sum + n, 0);
    for (const { kills, id, kind: only } of KILL_ACHIEVEMENTS) if ((only ? visit.kills[only] : total) >= kills) earn(ctx, player, visit, id);
    if (kind === "boss") earn(ctx, player, visit, "boss");
    const entity = killer.entity;
    if (entity.hp > 0 && entity.hp < entity.maxHp * CLOSE_CALL_SHARE) earn(ctx, player, visit, "survivor");
  }

  /** The player stands on an item: equip it if better, drink it, or say why not (once). */
  function pickUp(ctx: QuestContext, player: QuestPlayer, visit: Visit, entity: PlayerEntity, tx: number, ty: number): void {
    const item = loot.itemAt(tx, ty);
    if (!item || visit.refusedItem === item.id) return;
    const kind = item.kind as ItemKind;
    const info = ITEMS[kind];
    const verdict = pickupVerdict(kind, entity);
    if (verdict === "refuse") {
      visit.refusedItem = item.id;
      notice(ctx, player, `You already have ${info.class === "weapon" ? "a better weapon" : "better armor"} than the ${info.name}.`);
      return;
    }
    loot.take(item, ctx);
    if (info.class === "weapon") {
      entity.weapon = info.rank;
      earn(ctx, player, visit, "armed");
    } else if (info.class === "armor") {
      const gained = maxHpFor(info.rank) - entity.maxHp;
      entity.armor = info.rank;
      entity.maxHp = maxHpFor(info.rank);
      entity.hp = Math.min(entity.maxHp, entity.hp + gained);
      earn(ctx, player, visit, "armored");
    } else {
      entity.hp = Math.min(entity.maxHp, entity.hp + info.heal);
      if (info.invincibleMs > 0) {
        entity.invincible = true;
        visit.invincibleUntil = ctx.time + info.invincibleMs;
      }
    }
    const verb = verdict === "equip" ? "You equip" : "You drink";
    ctx.emit(player, "loot", { kind, name: info.name, text: `${kind === "burger" ? "You eat" : verb} the ${info.name}.` });
    earn(ctx, player, visit, "first_loot");
  }

  /** A new tile: a new zone moves the checkpoint there (and may earn an achievement). */
  function entered(ctx: QuestContext, player: QuestPlayer, visit: Visit, tx: number, ty: number): void {
    const zone = map.zoneAt(tx, ty);
    if (zone === visit.zone) return;
    visit.zone = zone;
    if (!zone) return;
    visit.checkpoint = checkpointOfZone.get(zone) ?? visit.checkpoint;
    const achievement = AREA_ACHIEVEMENTS[zone.kind];
    if (achievement) earn(ctx, player, visit, achievement);
  }

  /** The player's swing, on the server's clock: only from a tile next to the mob, at most every PLAYER_ATTACK_MS. */
  function swing(ctx: QuestContext, visit: Visit, entity: PlayerEntity): void {
    if (visit.target === null || ctx.time < visit.nextSwingAt) return;
    const mob = mobs.mob(visit.target);
    if (!mob?.entity) {
      visit.target = null;
      return;
    }
    if (!adjacent(tileOfEntity(entity), mobs.tileOf(mob))) return;
    visit.nextSwingAt = ctx.time + PLAYER_ATTACK_MS;
    const target = mob.entity;
    const damage = rollDamage(entity.weapon, mob.info.armor, ctx.rng);
    const hpAfter = Math.max(0, target.hp - damage);
    hit(ctx, target, target.id, entity.id, damage, hpAfter);
    if (mobs.damage(ctx, mob, visit.fighter, damage)) visit.target = null;
  }

  function playerTick(ctx: QuestContext, player: QuestPlayer, visit: Visit): void {
    const entity = player.entity;
    if (entity?.type !== "player" || entity.hp === 0) return;
    if (entity.invincible && ctx.time >= visit.invincibleUntil) entity.invincible = false;
    if (ctx.time >= visit.nextRegenAt) {
      visit.nextRegenAt = ctx.time + REGEN_INTERVAL_MS;
      entity.hp = Math.min(entity.maxHp, entity.hp + regenAmount(entity.maxHp));
    }
    const { tx, ty } = tileOfEntity(entity);
    const cell = ty * map.width + tx;
    if (cell !== visit.cell) {
      visit.cell = cell;
      visit.refusedItem = null;
      entered(ctx, player, visit, tx, ty);
    }
    pickUp(ctx, player, visit, entity, tx, ty);
    swing(ctx, visit, entity);
  }

  function oneInt(name: string, args: readonly CommandArg[]): number {
    const [id] = args;
    if (args.length !== 1 || !Number.isInteger(id)) throw new Error(`${name} takes [id], one integer`);
    return id as number;
  }

  /** Within REACH_TILES of a tile, in the same area of the map. */
  function within(entity: PlayerEntity, tx: number, ty: number, tiles: number): boolean {
    const at = tileOfEntity(entity);
    return Math.max(Math.abs(at.tx - tx), Math.abs(at.ty - ty)) <= tiles && map.regionAt(at.tx, at.ty) === map.regionAt(tx, ty);
  }

  function attackCommand(ctx: QuestContext, player: QuestPlayer, visit: Visit, args: readonly CommandArg[]): void {
    const id = oneInt("attack", args);
    const entity = player.entity;
    const mob = mobs.mob(id);
    // A mob that died a moment ago is no error: the click raced its death.
    if (entity?.type !== "player" || entity.hp === 0 || !mob?.entity) return;
    const at = mobs.tileOf(mob);
    if (!within(entity, at.tx, at.ty, ATTACK_PICK_TILES)) {
      notice(ctx, player, "That is too far away.");
      return;
    }
    visit.target = id;
  }

  function talkCommand(ctx: QuestContext, player: QuestPlayer, visit: Visit, args: readonly CommandArg[]): void {
    const id = oneInt("talk", args);
    const kind = npcs.get(id);
    const npc = kind === undefined ? undefined : ctx.store.get(id);
    const entity = player.entity;
    if (!kind || npc?.type !== "npc" || entity?.type !== "player") throw new Error(`no NPC ${id}`);
    if (!within(entity, tileOf(npc.x), tileOf(npc.y), REACH_TILES)) {
      notice(ctx, player, "Walk up to them to talk.");
      return;
    }
    const lines = NPC_LINES[kind];
    const index = visit.talk.get(id) ?? 0;
    const last = index === lines.length - 1;
    visit.talk.set(id, last ? 0 : index + 1);
    ctx.emit(player, "say", { id, line: lines[index], index, last });
    if (last) earn(ctx, player, visit, "chatterbox");
  }

  function openCommand(ctx: QuestContext, player: QuestPlayer, visit: Visit, args: readonly CommandArg[]): void {
    const id = oneInt("open", args);
    const chest = loot.chest(id);
    const entity = player.entity;
    if (!chest?.entity || entity?.type !== "player" || entity.hp === 0) return;
    const at = tileOfEntity(entity);
    if (!(at.tx === chest.spot.tx && at.ty === chest.spot.ty) && !adjacent(at, chest.spot)) {
      notice(ctx, player, "Walk up to the chest to open it.");
      return;
    }
    if (!loot.open(ctx, chest)) {
      notice(ctx, player, "The chest is empty.");
      return;
    }
    earn(ctx, player, visit, "treasure");
  }

  function respawnCommand(ctx: QuestContext, player: QuestPlayer, visit: Visit): void {
    const entity = player.entity;
    if (entity?.type !== "player" || entity.hp > 0) return;
    entity.x = tileCentre(visit.checkpoint.tx);
    entity.y = tileCentre(visit.checkpoint.ty);
    entity.dir = "down";
    entity.hp = entity.maxHp;
    visit.nextRegenAt = ctx.time + REGEN_INTERVAL_MS;
    visit.cell = -1;
    earn(ctx, player, visit, "comeback");
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
    bounds: { width: map.width * TILE_SIZE, height: map.height * TILE_SIZE },
    interest: { radius: interestRadius },
    seed: options.seed ?? 1,

    onCreate(ctx) {
      current = ctx;
      mobs.populate(ctx);
      loot.placeChests(ctx);
      for (const npc of map.npcs) {
        const entity = ctx.spawn("npc", { x: tileCentre(npc.tx), y: tileCentre(npc.ty), dir: "down", kind: npc.kind });
        npcs.set(entity.id, npc.kind);
      }
    },

    onJoin(ctx, player) {
      const identity = player.identity as QuestIdentity | undefined;
      const key = identity?.key ?? null;
      const saved: SavedProgress | undefined = key === null ? undefined : progress.load(key);
      const checkpoint = map.checkpoints.find((c) => c.name === saved?.checkpoint) ?? firstCheckpoint;
      // Left dead: back at the checkpoint, alive.
      const dead = saved?.hp === 0;
      const start = dead ? checkpoint : startTile(saved);
      const name = checkName(player.name);
      const weapon = rank(saved?.weapon, STARTING_WEAPON, MAX_WEAPON);
      const armor = rank(saved?.armor, STARTING_ARMOR, MAX_ARMOR);
      const maxHp = maxHpFor(armor);
      const savedHp = saved?.hp;
      const entity = ctx.spawn("player", {
        x: tileCentre(start.tx),
        y: tileCentre(start.ty),
        dir: saved?.dir ?? "down",
        moving: false,
        name: name.ok ? name.name : "",
        look: saved?.look ?? ctx.rng.int(0, LOOK_COUNT - 1),
        hp: savedHp !== undefined && Number.isInteger(savedHp) && savedHp > 0 ? Math.min(savedHp, maxHp) : maxHp,
        maxHp,
        weapon,
        armor,
        invincible: false,
      });
      const achievements = new Set((saved?.achievements ?? []).filter((id) => ACHIEVEMENTS.some((a) => a.id === id)));
      const visit: Visit = {
        key,
        lastActive: ctx.time,
        chatAllowance: CHAT_BURST,
        chatCheckedAt: ctx.time,
        kickAt: null,
        fighter: { entity, haters: new Set() },
        target: null,
        nextSwingAt: 0,
        nextRegenAt: ctx.time + REGEN_INTERVAL_MS,
        invincibleUntil: 0,
        checkpoint,
        cell: -1,
        zone: map.zoneAt(start.tx, start.ty),
        achievements,
        kills: { ...saved?.kills },
        talk: new Map(),
        refusedItem: null,
      };
      visits.set(player, visit);
      fighters.add(visit.fighter);
      visitOf.set(visit.fighter, { player, visit });
      // The join protocol has no refusal of its own: tell the player, then close.
      if (!name.ok) dismiss(ctx, player, visit, name.reason);
      else if (saved) notice(ctx, player, `Welcome back, ${name.name}!`);
      nextPopulationAt = ctx.time;
      return entity;
    },

    onLeave(ctx, player) {
      current = ctx;
      const visit = visits.get(player);
      if (visit && visit.kickAt === null) save(player, visit);
      if (visit) {
        mobs.forget(ctx, visit.fighter);
        fighters.delete(visit.fighter);
        visitOf.delete(visit.fighter);
      }
      visits.delete(player);
      nextPopulationAt = ctx.time;
    },

    onInput(ctx, player, { move }: QuestInput) {
      const entity = player.entity;
      const visit = visits.get(player);
      // The dead stay where they fell until they respawn.
      if (entity?.type !== "player" || !visit || visit.kickAt !== null || entity.hp === 0) return;
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
      current = ctx;
      // Nothing here sets gear, HP or progress: those change only by the server's rules.
      if (name === "walk") walkCommand(ctx, player, args);
      else if (name === "attack") attackCommand(ctx, player, visit, args);
      else if (name === "talk") talkCommand(ctx, player, visit, args);
      else if (name === "open") openCommand(ctx, player, visit, args);
      else if (name === "respawn") respawnCommand(ctx, player, visit);
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
      current = ctx;
      wheel.run(ctx.time);
      mobs.update(ctx, fighters);
      for (const [player, visit] of visits) if (visit.kickAt === null) playerTick(ctx, player, visit);
      if (ctx.time >= nextSaveAt) {
        nextSaveAt = ctx.time + SAVE_INTERVAL_MS;
        for (const [player, visit] of visits) if (visit.kickAt === null) save(player, visit);
      }
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

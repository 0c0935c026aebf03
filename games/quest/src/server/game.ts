/**
 * Quest's world on the server. Players walk the shared map with the shared step (so the
 * client's prediction is the server's rule), chat with those near them, see how many play,
 * and come back where they left: progress goes through the framework's `persist` (loaded
 * before the join, saved off the tick), keyed on the hash of the browser's secret
 * (identity.ts); guests are not saved.
 *
 * `createQuestGame(options)` only holds the options: a world's own state (mobs, loot, NPCs,
 * timers) is `ctx.state` (`QuestWorld`), a player's is `player.data` (`Visit`), so one
 * definition can serve many worlds (main.ts makes one per world for their own seeds).
 *
 * Events sent to clients:
 * - `chat` `{ from: entityId, name, text }`: a line said near you (and to the speaker);
 *   a line starting with `/g ` is global: every player of every world of every process gets
 *   `{ from: 0, name, text, global: true, world }` (`world`: where it was said);
 * - `announce` `{ text }`: a server-wide announcement (the admin API);
 * - `notice` `{ text }`: something for this player only (chat too fast, unreachable target, welcome back);
 * - `population` `{ world, total }`: players in this world and on every server process (`ctx.totalPlayers`), every second;
 * - `hit` `{ target, attacker, damage, hp }`, `death` `{ id }`, `died` `{ checkpoint }`,
 *   `loot` `{ kind, name, text }`, `say` `{ id, line, index, last }`, `achievement` `{ id, title }`:
 *   combat, loot, NPCs and progression (see the README's protocol tables).
 *
 * Refusals ride in close reasons, which the client gets in its `disconnect` event: a bad
 * name is refused at the join (`JoinRefused`, 4014: the player never exists in the world),
 * an idle player is kicked (`Kicked`, 4003) with `IDLE_KICK_REASON`.
 */
import type { CommandArg } from "@tickwire/engine";
import { defineGame, type GameContext, JoinRefused, type Player } from "@tickwire/server";
import { AREA_ACHIEVEMENTS, type AchievementId, achievementTitle, KILL_ACHIEVEMENTS } from "../shared/achievements.js";
import { adjacent, maxHpFor, REGEN_INTERVAL_MS, regenAmount, rollDamage } from "../shared/combat.js";
import { ITEMS, type ItemKind, MAX_ARMOR, MAX_WEAPON, PLAYER_ATTACK_MS, pickupVerdict, STARTING_ARMOR, STARTING_WEAPON } from "../shared/items.js";
import { type Checkpoint, type MapZone, type QuestMap, type TilePoint, tileCentre, tileOf } from "../shared/map.js";
import { type DropTable, dropFor, MOBS, type MobKind } from "../shared/mobs.js";
import { NPC_LINES, type NpcKind } from "../shared/npcs.js";
import { headingTile, type MoverState, step } from "../shared/movement.js";
import { input, MOVE_NONE, type QuestInput, schema, TICK_RATE } from "../shared/schema.js";
import { checkName, GLOBAL_CHAT_PREFIX, sanitizeChat } from "../shared/text.js";
import { TILE_SIZE } from "../shared/tiles.js";
import { DEFAULT_WORLD_CAPACITY } from "../shared/worlds.js";
import type { QuestIdentity } from "./identity.js";
import { Loot } from "./loot.js";
import { type Fighter, type Mob, MobSystem, type PlayerEntity } from "./mobs.js";
import { progressRecord, readProgress, type SavedProgress } from "./progress.js";
import { TimeWheel } from "./time-wheel.js";

type Quest = typeof schema;
type QuestPlayer = Player<Quest, Visit>;
type QuestContext = GameContext<Quest, QuestWorld, Visit>;

/** A screen is 30 tiles wide: a player sees a screen and a half around them, so arrivals are seen before they are on screen. */
export const INTEREST_RADIUS_TILES = 30;
/** BrowserQuest kicked idle players after 15 minutes. */
export const DEFAULT_IDLE_TIMEOUT_MS = 15 * 60 * 1000;
/** Chat lines a player may send at once, and how fast the allowance comes back: talk, not flood. */
export const CHAT_BURST = 4;
export const CHAT_REFILL_MS = 2000;
/** The HUD's counts are at most this old. */
export const POPULATION_INTERVAL_MS = 1000;
/** The close reason of an idle player's kick: the client shows it. */
export const IDLE_KICK_REASON = "You were idle for too long and have been disconnected.";
/** The character art has this many looks; new players get one at random. */
export const LOOK_COUNT = 8;
/** A player talks to an NPC, or opens a chest, from this close (tiles, each axis): next to it, or one tile off while still walking up. */
export const REACH_TILES = 2;
/** A player may pick a mob to attack this far away (tiles): one it can see. */
const ATTACK_PICK_TILES = INTEREST_RADIUS_TILES;
/** "Close call": winning a fight with less than this share of the maximum HP. */
const CLOSE_CALL_SHARE = 0.1;
/** Newcomers appear within this many tiles of the spawn: the plaza around it (7 × 7 tiles, 48 places). */
const SPAWN_SPREAD_TILES = 3;

export interface QuestGameOptions {
  map: QuestMap;
  /** Players per world; default 200. */
  capacity?: number;
  /** Idle players (no move, chat or walk) are disconnected after this; default 15 min. */
  idleTimeoutMs?: number;
  seed?: number;
  /** Drop tables replacing a kind's own (tests, events). */
  drops?: Partial<Record<MobKind, DropTable>>;
}

/** One world's own game state (`ctx.state`). */
export interface QuestWorld {
  readonly wheel: TimeWheel;
  readonly mobs: MobSystem;
  readonly loot: Loot;
  /** NPC kinds by entity id. */
  readonly npcs: Map<number, NpcKind>;
  /** The players as the mobs see them, and whose each one is. */
  readonly fighters: Set<Fighter>;
  readonly playerOf: Map<Fighter, QuestPlayer>;
  /** Scratch state for the shared step: no allocation per input. */
  readonly mover: MoverState;
  nextPopulationAt: number;
  /** The world's context, set in onCreate and each step: the mob system's hooks act on the world through it. */
  current: QuestContext | undefined;
}

/** The server's own record of a player (`player.data`), made at join from its saved progress. */
export interface Visit {
  /** The name as checked (trimmed). */
  readonly name: string;
  /** What was saved last session, checked field by field; undefined: a new player or a guest. */
  readonly saved: SavedProgress | undefined;
  /** Where the player appears (the spawn until its join picks a free tile near it). */
  start: TilePoint;
  lastActive: number;
  chatAllowance: number;
  chatCheckedAt: number;
  /** The player as the mobs see it; set when its entity is spawned. */
  fighter: Fighter | null;
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
  const interestRadius = INTEREST_RADIUS_TILES * TILE_SIZE;
  const checkpointOfZone = new Map<MapZone, Checkpoint>();
  for (const checkpoint of map.checkpoints) {
    const zone = map.zoneAt(checkpoint.tx, checkpoint.ty);
    if (zone && !checkpointOfZone.has(zone)) checkpointOfZone.set(zone, checkpoint);
  }
  const firstCheckpoint = checkpointOfZone.get(map.zoneAt(map.spawn.tx, map.spawn.ty) as MapZone) ?? map.checkpoints[0];

  /** A world's state, empty of entities: onCreate spawns them. */
  function createWorld(): QuestWorld {
    const wheel = new TimeWheel(1000 / TICK_RATE);
    const loot = new Loot(map, wheel);
    const world: QuestWorld = {
      wheel,
      loot,
      mobs: new MobSystem(map, wheel, {
        mobAttacks: (mob, target) => mobAttacks(world.current as QuestContext, mob, target),
        mobDied: (mob, killer, at, id) => mobDied(world.current as QuestContext, mob, killer, at, id),
        areaCleared: (area) => loot.areaCleared(world.current as QuestContext, area.spec.name),
      }),
      npcs: new Map(),
      fighters: new Set(),
      playerOf: new Map(),
      mover: { x: 0, y: 0, dir: "down", moving: false },
      nextPopulationAt: 0,
      current: undefined,
    };
    return world;
  }

  function notice(ctx: QuestContext, player: QuestPlayer, text: string): void {
    ctx.emit(player, "notice", { text });
  }

  /** Open tiles within SPAWN_SPREAD_TILES of the spawn, the spawn first, then ring by ring (the map never changes). */
  const spawnSpots = tilesAroundSpawn();
  function tilesAroundSpawn(): TilePoint[] {
    const { spawn } = map;
    const region = map.regionAt(spawn.tx, spawn.ty);
    const spots: TilePoint[] = [];
    for (let ty = spawn.ty - SPAWN_SPREAD_TILES; ty <= spawn.ty + SPAWN_SPREAD_TILES; ty++) {
      for (let tx = spawn.tx - SPAWN_SPREAD_TILES; tx <= spawn.tx + SPAWN_SPREAD_TILES; tx++) {
        const inside = tx >= 0 && ty >= 0 && tx < map.width && ty < map.height;
        if (inside && !map.blocked(tx, ty) && !map.portalAt(tx, ty) && map.regionAt(tx, ty) === region) spots.push({ tx, ty });
      }
    }
    const ring = (spot: TilePoint) => Math.max(Math.abs(spot.tx - spawn.tx), Math.abs(spot.ty - spawn.ty));
    return spots.sort((a, b) => ring(a) - ring(b));
  }

  /** The nearest spawn spot no player stands on: newcomers arriving together do not pile up on one tile, hiding each other and their names. */
  function freeTileNearSpawn(ctx: QuestContext): TilePoint {
    const taken = new Set<number>();
    for (const fighter of ctx.state.fighters) {
      const { tx, ty } = tileOfEntity(fighter.entity);
      taken.add(ty * map.width + tx);
    }
    return spawnSpots.find((spot) => !taken.has(spot.ty * map.width + spot.tx)) ?? map.spawn;
  }

  /** Where a returning player stood, if that tile is still a place to stand on. */
  function startTile(saved: { tx: number; ty: number } | undefined): TilePoint {
    if (saved && !map.blocked(saved.tx, saved.ty) && !map.portalAt(saved.tx, saved.ty)) return { tx: saved.tx, ty: saved.ty };
    return map.spawn;
  }

  /** A new player's record, or a returning one's from its checked progress. Refuses a bad name before the player exists. */
  function newVisit(now: number, rawName: string, saved: SavedProgress | undefined): Visit {
    const name = checkName(rawName);
    if (!name.ok) throw new JoinRefused(name.reason);
    const checkpoint = map.checkpoints.find((c) => c.name === saved?.checkpoint) ?? firstCheckpoint;
    // Left dead: back at the checkpoint, alive.
    const start = saved?.hp === 0 ? { tx: checkpoint.tx, ty: checkpoint.ty } : startTile(saved);
    return {
      name: name.name,
      saved,
      start,
      lastActive: now,
      chatAllowance: CHAT_BURST,
      chatCheckedAt: now,
      fighter: null,
      target: null,
      nextSwingAt: 0,
      nextRegenAt: now + REGEN_INTERVAL_MS,
      invincibleUntil: 0,
      checkpoint,
      cell: -1,
      zone: map.zoneAt(start.tx, start.ty),
      achievements: new Set(saved?.achievements),
      kills: { ...saved?.kills },
      talk: new Map(),
      refusedItem: null,
    };
  }

  /** What is kept of a player between sessions: all of it decided by the server. */
  function progressOf(player: QuestPlayer): SavedProgress {
    const entity = player.entity;
    if (entity?.type !== "player") throw new Error(`player ${player.id} has no entity to save`);
    const visit = player.data;
    const { tx, ty } = headingTile(entity);
    return {
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
    };
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
    const owner = ctx.state.playerOf.get(target);
    if (!owner || !mob.entity || player.hp === 0) return;
    const damage = player.invincible ? 0 : rollDamage(mob.info.weapon, player.armor, ctx.rng);
    player.hp = Math.max(0, player.hp - damage);
    hit(ctx, player, player.id, mob.entity.id, damage, player.hp);
    if (player.hp === 0) die(ctx, owner, target);
  }

  function die(ctx: QuestContext, player: QuestPlayer, fighter: Fighter): void {
    const { entity } = fighter;
    const visit = player.data;
    entity.moving = false;
    entity.invincible = false;
    visit.target = null;
    ctx.state.mobs.forget(ctx, fighter);
    ctx.emit({ x: entity.x, y: entity.y }, "death", { id: entity.id });
    ctx.emit(player, "died", { checkpoint: visit.checkpoint.name });
  }

  function mobDied(ctx: QuestContext, mob: Mob, killer: Fighter, at: { tx: number; ty: number }, id: number): void {
    const kind = mob.area.spec.kind;
    ctx.emit({ x: tileCentre(at.tx), y: tileCentre(at.ty) }, "death", { id });
    const drop = dropFor(options.drops?.[kind] ?? MOBS[kind].drops, ctx.rng.int(0, 99));
    if (drop) ctx.state.loot.drop(ctx, drop, at);
    const player = ctx.state.playerOf.get(killer);
    if (!player) return;
    const visit = player.data;
    visit.kills[kind] = (visit.kills[kind] ?? 0) + 1;
    const total = Object.values(visit.kills).reduce((sum, n) => sum + n, 0);
    for (const { kills, id, kind: only } of KILL_ACHIEVEMENTS) if ((only ? visit.kills[only] : total) >= kills) earn(ctx, player, visit, id);
    if (kind === "boss") earn(ctx, player, visit, "boss");
    const entity = killer.entity;
    if (entity.hp > 0 && entity.hp < entity.maxHp * CLOSE_CALL_SHARE) earn(ctx, player, visit, "survivor");
  }

  /** The player stands on an item: equip it if better, drink it, or say why not (once). */
  function pickUp(ctx: QuestContext, player: QuestPlayer, visit: Visit, entity: PlayerEntity, tx: number, ty: number): void {
    const { loot } = ctx.state;
    const item = loot.itemAt(tx, ty);
    if (!item || visit.refusedItem === item.id) return;
    const kind = item.kind as ItemKind;
    const info = ITEMS[kind];
    const verdict = pickupVerdict(kind, entity);
    if (verdict === "refuse") {
      visit.refusedItem = item.id;
      const why =
        info.class === "consumable"
          ? `You are at full health: the ${info.name} stays here for later.`
          : `You already have ${info.class === "weapon" ? "a better weapon" : "better armor"} than the ${info.name}.`;
      notice(ctx, player, why);
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
  function swing(ctx: QuestContext, visit: Visit, fighter: Fighter): void {
    if (visit.target === null || ctx.time < visit.nextSwingAt) return;
    const { mobs } = ctx.state;
    const { entity } = fighter;
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
    if (mobs.damage(ctx, mob, fighter, damage)) visit.target = null;
  }

  function playerTick(ctx: QuestContext, player: QuestPlayer): void {
    const visit = player.data;
    const fighter = visit.fighter;
    if (fighter === null || fighter.entity.hp === 0) return;
    const { entity } = fighter;
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
    swing(ctx, visit, fighter);
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
    const { mobs } = ctx.state;
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
    const kind = ctx.state.npcs.get(id);
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
    const { loot } = ctx.state;
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
    ctx.emit("all", "population", { world: ctx.players.size, total: ctx.totalPlayers });
    ctx.state.nextPopulationAt = ctx.time + POPULATION_INTERVAL_MS;
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

    state: createWorld,

    playerData: (ctx, player, saved) => newVisit(ctx.time, player.name, readProgress(saved)),

    persist: {
      // The hash of the browser's secret (identity.ts); no secret: a guest, never saved.
      key: (player) => (player.identity as QuestIdentity | undefined)?.key ?? undefined,
      save: (_ctx, player) => progressRecord(progressOf(player)),
    },

    onCreate(ctx) {
      const world = ctx.state;
      world.current = ctx;
      world.mobs.populate(ctx);
      world.loot.placeChests(ctx);
      for (const npc of map.npcs) {
        const entity = ctx.spawn("npc", { x: tileCentre(npc.tx), y: tileCentre(npc.ty), dir: "down", kind: npc.kind });
        world.npcs.set(entity.id, npc.kind);
      }
    },

    onJoin(ctx, player) {
      const visit = player.data;
      if (visit.start === map.spawn) {
        visit.start = freeTileNearSpawn(ctx);
        visit.zone = map.zoneAt(visit.start.tx, visit.start.ty);
      }
      const { saved, start } = visit;
      const armor = rank(saved?.armor, STARTING_ARMOR, MAX_ARMOR);
      const maxHp = maxHpFor(armor);
      const savedHp = saved?.hp;
      const look = saved?.look;
      const entity = ctx.spawn("player", {
        x: tileCentre(start.tx),
        y: tileCentre(start.ty),
        dir: saved?.dir ?? "down",
        moving: false,
        name: visit.name,
        look: look !== undefined && look < LOOK_COUNT ? look : ctx.rng.int(0, LOOK_COUNT - 1),
        hp: savedHp !== undefined && savedHp > 0 ? Math.min(savedHp, maxHp) : maxHp,
        maxHp,
        weapon: rank(saved?.weapon, STARTING_WEAPON, MAX_WEAPON),
        armor,
        invincible: false,
      });
      visit.fighter = { entity, haters: new Set() };
      ctx.state.fighters.add(visit.fighter);
      ctx.state.playerOf.set(visit.fighter, player);
      if (saved) notice(ctx, player, `Welcome back, ${visit.name}!`);
      ctx.state.nextPopulationAt = ctx.time;
      return entity;
    },

    onLeave(ctx, player) {
      const { fighter } = player.data;
      if (fighter) {
        ctx.state.mobs.forget(ctx, fighter);
        ctx.state.fighters.delete(fighter);
        ctx.state.playerOf.delete(fighter);
      }
      ctx.state.nextPopulationAt = ctx.time;
    },

    onInput(ctx, player, { move }: QuestInput) {
      const entity = player.entity;
      // The dead stay where they fell until they respawn.
      if (entity?.type !== "player" || entity.hp === 0) return;
      if (move !== MOVE_NONE) player.data.lastActive = ctx.time;
      const { mover } = ctx.state;
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
      const visit = player.data;
      visit.lastActive = ctx.time;
      // Nothing here sets gear, HP or progress: those change only by the server's rules.
      if (name === "walk") walkCommand(ctx, player, args);
      else if (name === "attack") attackCommand(ctx, player, visit, args);
      else if (name === "talk") talkCommand(ctx, player, visit, args);
      else if (name === "open") openCommand(ctx, player, visit, args);
      else if (name === "respawn") respawnCommand(ctx, player, visit);
      else throw new Error(`unknown command "${name}"`);
    },

    onChat(ctx, player, raw) {
      const visit = player.data;
      const speaker = player.entity;
      if (speaker?.type !== "player") return;
      const text = sanitizeChat(raw);
      if (text === "") return;
      visit.lastActive = ctx.time;
      if (!chatAllowed(ctx, visit)) {
        notice(ctx, player, "You are talking too fast: wait a moment.");
        return;
      }
      if (text.startsWith(GLOBAL_CHAT_PREFIX)) {
        const said = text.slice(GLOBAL_CHAT_PREFIX.length).trim();
        if (said !== "") ctx.globalChat(speaker.name, said);
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

    onGlobalChat(ctx, message) {
      // `from` 0: no entity of this world said it.
      ctx.emit("all", "chat", { from: 0, name: message.from, text: message.text, global: true, world: message.world });
    },

    step(ctx) {
      const world = ctx.state;
      world.current = ctx;
      world.wheel.run(ctx.time);
      world.mobs.update(ctx, world.fighters);
      let idle: QuestPlayer[] | undefined;
      for (const player of ctx.players) {
        playerTick(ctx, player);
        if (ctx.time - player.data.lastActive >= idleTimeoutMs) (idle ??= []).push(player);
      }
      // Kicked after the loop: a kick makes the player leave at once.
      if (idle) for (const player of idle) ctx.kick(player, IDLE_KICK_REASON);
      if (ctx.time >= world.nextPopulationAt) sendPopulation(ctx);
    },

    welcomeData(ctx) {
      return { map: "world", world: ctx.worldId };
    },
  });
}

/**
 * Mobs on the server: spawned in their map areas, roaming, aggroing, chasing the most hated
 * player, leashed to home, respawning. Cheap when nobody is near, as on a real map most of
 * the time: an idle mob costs nothing per tick (its next roam waits in the time wheel and is
 * skipped while no player is near its area); only mobs that move or fight are visited each
 * tick, and aggro is looked up from each player's few nearby areas, not from every mob.
 */
import type { Entity } from "@tickwire/engine";
import type { GameContext } from "@tickwire/server";
import type { MobArea, QuestMap, TilePoint } from "../shared/map.js";
import { tileCentre, tileOf } from "../shared/map.js";
import { LEASH_TILES, MOB_RESPAWN_MS, MOBS, type MobInfo, RETURN_HOME_MS } from "../shared/mobs.js";
import { findPath } from "../shared/path.js";
import { POSITION_RESOLUTION, type schema } from "../shared/schema.js";
import { TILE_SIZE } from "../shared/tiles.js";
import { adjacent } from "../shared/combat.js";
import type { TimeWheel } from "./time-wheel.js";

type Quest = typeof schema;
export type MobEntity = Entity<Quest, "mob">;
export type PlayerEntity = Entity<Quest, "player">;

/** A player as mobs see it: where it is, and which mobs hate it (so its death or leaving clears them at once). */
export interface Fighter {
  readonly entity: PlayerEntity;
  readonly haters: Set<Mob>;
}

export interface Mob {
  readonly info: MobInfo;
  readonly area: AreaState;
  entity: MobEntity | null;
  /** Where it (re)spawned: the leash and the walk home are measured from here. */
  home: TilePoint;
  /** The tile it stands on, or the one it is walking from. */
  tx: number;
  ty: number;
  /** While walking: the next tile, and when the step started. */
  next: TilePoint | null;
  stepStartedAt: number;
  /** Tiles still to walk (roaming or going home); a chase steps one tile at a time. */
  route: TilePoint[];
  /** Who it hates and how much (damage dealt; 0 for those it aggroed on). */
  readonly hate: Map<Fighter, number>;
  nextAttackAt: number;
  /** When its hate list last became empty. */
  calmSince: number;
  returning: boolean;
  /** A chase that found no way to its target tries again at this time, not every tick. */
  retryChaseAt: number;
}

export interface AreaState {
  readonly spec: MobArea;
  readonly mobs: Mob[];
  readonly openTiles: TilePoint[];
  alive: number;
  /** Last time a player was near enough to see it (ms). */
  seenAt: number;
}

/** What the mob system needs of the world: its entities, clock and dice. */
export type MobWorld = Pick<GameContext<Quest>, "time" | "rng" | "spawn" | "despawn">;

export interface MobHooks {
  /** A mob's hit lands on its target: the game rolls and applies the damage. */
  mobAttacks(mob: Mob, target: Fighter): void;
  /** A mob died (its entity, `id`, is gone); `killer` dealt the last blow. */
  mobDied(mob: Mob, killer: Fighter, at: TilePoint, id: number): void;
  /** Every mob of an area is dead. */
  areaCleared(area: AreaState): void;
}

/** Areas are looked up by cells of this many tiles. */
const AREA_CELL_TILES = 16;
/** Players make areas this close (tiles) roam: a screen and a half, what they can see. */
const WAKE_RADIUS_TILES = 30;
/** Areas count as watched this long after a player was last near them (ms): checked once a second. */
const WAKE_CHECK_MS = 1000;
const AWAKE_FOR_MS = 2 * WAKE_CHECK_MS;
/** A roaming mob picks a new spot this often (ms, uniform), and at most this far (tiles, each axis). */
const ROAM_MIN_MS = 4000;
const ROAM_MAX_MS = 12_000;
const ROAM_RANGE = 4;
/** A* budgets: a roam or a chase detour is short; the walk home is long but rare. */
const ROAM_PATH_NODES = 200;
const CHASE_PATH_NODES = 400;
const HOME_PATH_NODES = 4000;
/** A chaser with no way to its target (across water, say) searches again this often, not every tick. */
const CHASE_RETRY_MS = 500;

export class MobSystem {
  readonly areas: AreaState[] = [];
  /** Living mobs by entity id. */
  private readonly byId = new Map<number, Mob>();
  /** Mobs that walk or fight: the only ones visited every tick. */
  private readonly active = new Set<Mob>();
  private readonly areaGrid: AreaState[][];
  private readonly gridWidth: number;
  private nextWakeCheck = 0;

  constructor(
    private readonly map: QuestMap,
    private readonly wheel: TimeWheel,
    private readonly hooks: MobHooks,
  ) {
    this.gridWidth = Math.ceil(map.width / AREA_CELL_TILES);
    this.areaGrid = Array.from({ length: this.gridWidth * Math.ceil(map.height / AREA_CELL_TILES) }, () => []);
    for (const spec of map.mobAreas) {
      const openTiles: TilePoint[] = [];
      for (let ty = spec.rect.ty; ty < spec.rect.ty + spec.rect.h; ty++)
        for (let tx = spec.rect.tx; tx < spec.rect.tx + spec.rect.w; tx++) if (!map.blocked(tx, ty) && !map.portalAt(tx, ty)) openTiles.push({ tx, ty });
      const area: AreaState = { spec, mobs: [], openTiles, alive: 0, seenAt: -Infinity };
      this.areas.push(area);
      // Filed in every cell its rect (grown by the longest aggro) touches.
      const reach = 3;
      const x0 = Math.max(0, Math.floor((spec.rect.tx - reach) / AREA_CELL_TILES));
      const y0 = Math.max(0, Math.floor((spec.rect.ty - reach) / AREA_CELL_TILES));
      const x1 = Math.min(this.gridWidth - 1, Math.floor((spec.rect.tx + spec.rect.w + reach) / AREA_CELL_TILES));
      const y1 = Math.min(this.areaGrid.length / this.gridWidth - 1, Math.floor((spec.rect.ty + spec.rect.h + reach) / AREA_CELL_TILES));
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) this.areaGrid[y * this.gridWidth + x].push(area);
    }
  }

  /** Spawns every area's mobs (the world's start). */
  populate(world: MobWorld): void {
    for (const area of this.areas)
      for (let i = 0; i < area.spec.count; i++) {
        const mob: Mob = {
          info: MOBS[area.spec.kind],
          area,
          entity: null,
          home: area.openTiles[0],
          tx: 0,
          ty: 0,
          next: null,
          stepStartedAt: 0,
          route: [],
          hate: new Map(),
          nextAttackAt: 0,
          calmSince: 0,
          returning: false,
          retryChaseAt: 0,
        };
        area.mobs.push(mob);
        this.respawn(world, mob);
      }
  }

  get count(): number {
    return this.byId.size;
  }

  get activeCount(): number {
    return this.active.size;
  }

  mob(entityId: number): Mob | undefined {
    return this.byId.get(entityId);
  }

  /** The tile a mob is on for attacks: where its centre is. */
  tileOf(mob: Mob): TilePoint {
    const entity = mob.entity;
    return entity ? { tx: tileOf(entity.x), ty: tileOf(entity.y) } : { tx: mob.tx, ty: mob.ty };
  }

  /** A player hit the mob: it hates them the more, and dies at 0 HP. Returns whether it died. */
  damage(world: MobWorld, mob: Mob, attacker: Fighter, amount: number): boolean {
    const entity = mob.entity;
    if (!entity) return false;
    entity.hp = Math.max(0, entity.hp - amount);
    this.addHate(world, mob, attacker, amount);
    if (entity.hp > 0) return false;
    const at = this.tileOf(mob);
    this.kill(world, mob);
    this.hooks.mobDied(mob, attacker, at, entity.id);
    if (mob.area.alive === 0) this.hooks.areaCleared(mob.area);
    return true;
  }

  /** The player died or left: no mob hates it any more. */
  forget(world: MobWorld, fighter: Fighter): void {
    for (const mob of fighter.haters) {
      mob.hate.delete(fighter);
      if (mob.hate.size === 0) mob.calmSince = world.time;
    }
    fighter.haters.clear();
  }

  /** One tick: due roams and respawns have run from the wheel; this wakes areas, aggroes and moves the active mobs. */
  update(world: MobWorld, fighters: Iterable<Fighter>): void {
    const now = world.time;
    if (now >= this.nextWakeCheck) {
      this.nextWakeCheck = now + WAKE_CHECK_MS;
      for (const fighter of fighters) this.markSeen(fighter, now);
    }
    for (const fighter of fighters) this.aggro(world, fighter);
    for (const mob of this.active) this.act(world, mob);
  }

  private addHate(world: MobWorld, mob: Mob, fighter: Fighter, amount: number): void {
    mob.hate.set(fighter, (mob.hate.get(fighter) ?? 0) + amount);
    fighter.haters.add(mob);
    mob.returning = false;
    if (mob.hate.size === 1 && mob.nextAttackAt < world.time) mob.nextAttackAt = world.time;
    this.active.add(mob);
  }

  private markSeen(fighter: Fighter, now: number): void {
    const { x, y } = fighter.entity;
    const cells = Math.ceil(WAKE_RADIUS_TILES / AREA_CELL_TILES);
    const cx = Math.floor(tileOf(x) / AREA_CELL_TILES);
    const cy = Math.floor(tileOf(y) / AREA_CELL_TILES);
    const rows = this.areaGrid.length / this.gridWidth;
    for (let gy = Math.max(0, cy - cells); gy <= Math.min(rows - 1, cy + cells); gy++)
      for (let gx = Math.max(0, cx - cells); gx <= Math.min(this.gridWidth - 1, cx + cells); gx++) for (const area of this.areaGrid[gy * this.gridWidth + gx]) area.seenAt = now;
  }

  /** Aggressive mobs near this player start hating it. */
  private aggro(world: MobWorld, fighter: Fighter): void {
    const player = fighter.entity;
    if (!player.alive || player.hp === 0) return;
    const px = tileOf(player.x);
    const py = tileOf(player.y);
    const cell = this.areaGrid[Math.floor(py / AREA_CELL_TILES) * this.gridWidth + Math.floor(px / AREA_CELL_TILES)];
    if (!cell) return;
    let region: number | null = null;
    for (const area of cell) {
      const range = MOBS[area.spec.kind].aggro;
      if (range === 0 || area.alive === 0) continue;
      for (const mob of area.mobs) {
        if (!mob.entity || mob.returning || mob.hate.has(fighter)) continue;
        const at = this.tileOf(mob);
        if (Math.max(Math.abs(at.tx - px), Math.abs(at.ty - py)) > range) continue;
        region ??= this.map.regionAt(px, py);
        if (this.map.regionAt(at.tx, at.ty) !== region) continue;
        this.addHate(world, mob, fighter, 0);
      }
    }
  }

  /** The most hated of its haters still standing in its area of the map; ties go to the first. */
  private target(mob: Mob): Fighter | null {
    let best: Fighter | null = null;
    let most = -1;
    for (const [fighter, hate] of mob.hate) {
      if (hate > most) {
        best = fighter;
        most = hate;
      }
    }
    return best;
  }

  private act(world: MobWorld, mob: Mob): void {
    const entity = mob.entity;
    if (!entity) {
      this.active.delete(mob);
      return;
    }
    const now = world.time;
    if (mob.next && !this.advance(mob, entity, now)) return;
    // Between tiles no more: drop haters it cannot reach or should not follow.
    for (const fighter of mob.hate.keys()) {
      const player = fighter.entity;
      const far = Math.max(Math.abs(tileOf(player.x) - mob.home.tx), Math.abs(tileOf(player.y) - mob.home.ty)) > LEASH_TILES;
      if (!player.alive || player.hp === 0 || far || this.map.regionAt(tileOf(player.x), tileOf(player.y)) !== this.map.regionAt(mob.tx, mob.ty)) {
        mob.hate.delete(fighter);
        fighter.haters.delete(mob);
        if (mob.hate.size === 0) mob.calmSince = now;
      }
    }
    const leashed = Math.max(Math.abs(mob.tx - mob.home.tx), Math.abs(mob.ty - mob.home.ty)) > LEASH_TILES;
    if (leashed) this.calm(mob, now);
    const target = this.target(mob);
    if (target) {
      this.chase(world, mob, entity, target);
      return;
    }
    if (mob.route.length > 0) {
      this.walk(mob, entity, mob.route.shift() as TilePoint, now);
      return;
    }
    if (mob.tx === mob.home.tx && mob.ty === mob.home.ty) {
      // Home: healed, and idle until the wheel says roam or a player comes near.
      mob.returning = false;
      entity.hp = mob.info.hp;
      this.active.delete(mob);
      return;
    }
    if (!mob.returning && now - mob.calmSince >= RETURN_HOME_MS) {
      mob.returning = true;
      mob.route = findPath(this.map, { tx: mob.tx, ty: mob.ty }, mob.home, HOME_PATH_NODES) ?? [];
      if (mob.route.length === 0) this.respawnInPlace(mob, entity);
    }
  }

  private calm(mob: Mob, now: number): void {
    for (const fighter of mob.hate.keys()) fighter.haters.delete(mob);
    if (mob.hate.size > 0) mob.calmSince = now;
    mob.hate.clear();
    mob.route = [];
  }

  /** Stands next to its target and hits it on time, or takes the next tile towards it. */
  private chase(world: MobWorld, mob: Mob, entity: MobEntity, target: Fighter): void {
    const now = world.time;
    const goal = { tx: tileOf(target.entity.x), ty: tileOf(target.entity.y) };
    const here = { tx: mob.tx, ty: mob.ty };
    entity.moving = false;
    if (adjacent(here, goal)) {
      entity.dir = directionTo(here, goal);
      if (now >= mob.nextAttackAt) {
        mob.nextAttackAt = now + mob.info.attackMs;
        this.hooks.mobAttacks(mob, target);
      }
      return;
    }
    if (now < mob.retryChaseAt) return;
    const next = this.stepToward(here, goal);
    if (next) this.walk(mob, entity, next, now);
    else mob.retryChaseAt = now + CHASE_RETRY_MS;
  }

  /** The next tile towards `goal`: straight on when free (the usual case in the open), else the first tile of a short A*. */
  private stepToward(from: TilePoint, goal: TilePoint): TilePoint | null {
    const dx = Math.sign(goal.tx - from.tx);
    const dy = Math.sign(goal.ty - from.ty);
    const horizontalFirst = Math.abs(goal.tx - from.tx) >= Math.abs(goal.ty - from.ty);
    const tries = horizontalFirst ? [{ tx: from.tx + dx, ty: from.ty }, { tx: from.tx, ty: from.ty + dy }] : [{ tx: from.tx, ty: from.ty + dy }, { tx: from.tx + dx, ty: from.ty }];
    for (const t of tries) if ((t.tx !== from.tx || t.ty !== from.ty) && !(t.tx === goal.tx && t.ty === goal.ty) && this.free(t)) return t;
    const path = findPath(this.map, from, goal, CHASE_PATH_NODES);
    return path && path.length > 1 ? path[0] : null;
  }

  private free(t: TilePoint): boolean {
    return !this.map.blocked(t.tx, t.ty) && !this.map.portalAt(t.tx, t.ty);
  }

  private walk(mob: Mob, entity: MobEntity, next: TilePoint, now: number): void {
    if (!this.free(next) || Math.abs(next.tx - mob.tx) + Math.abs(next.ty - mob.ty) !== 1) {
      mob.route = [];
      return;
    }
    mob.next = next;
    mob.stepStartedAt = now;
    entity.dir = directionTo(mob, next);
    entity.moving = true;
    this.active.add(mob);
  }

  /** Moves a walking mob along its step; true once it stands on the next tile. */
  private advance(mob: Mob, entity: MobEntity, now: number): boolean {
    const next = mob.next as TilePoint;
    const progress = Math.min(1, (now - mob.stepStartedAt) / mob.info.msPerTile);
    entity.x = quantize(tileCentre(mob.tx) + (next.tx - mob.tx) * progress * TILE_SIZE);
    entity.y = quantize(tileCentre(mob.ty) + (next.ty - mob.ty) * progress * TILE_SIZE);
    if (progress < 1) return false;
    mob.tx = next.tx;
    mob.ty = next.ty;
    mob.next = null;
    entity.moving = mob.route.length > 0;
    return true;
  }

  private kill(world: MobWorld, mob: Mob): void {
    const entity = mob.entity as MobEntity;
    this.calm(mob, world.time);
    this.byId.delete(entity.id);
    this.active.delete(mob);
    world.despawn(entity);
    mob.entity = null;
    mob.next = null;
    mob.area.alive--;
    this.wheel.at(world.time + MOB_RESPAWN_MS, () => this.respawn(world, mob));
  }

  /** (Re)spawns a mob on a random open tile of its area, at full HP. */
  private respawn(world: MobWorld, mob: Mob): void {
    const spot = world.rng.pick(mob.area.openTiles);
    mob.home = spot;
    mob.tx = spot.tx;
    mob.ty = spot.ty;
    mob.returning = false;
    mob.route = [];
    mob.calmSince = world.time;
    mob.entity = world.spawn("mob", { x: tileCentre(spot.tx), y: tileCentre(spot.ty), dir: "down", moving: false, kind: mob.area.spec.kind, hp: mob.info.hp });
    this.byId.set(mob.entity.id, mob);
    mob.area.alive++;
    this.scheduleRoam(world, mob, mob.entity);
  }

  /** A mob with no way home (walled in by a portal jump) is put back at once. */
  private respawnInPlace(mob: Mob, entity: MobEntity): void {
    mob.tx = mob.home.tx;
    mob.ty = mob.home.ty;
    entity.x = tileCentre(mob.tx);
    entity.y = tileCentre(mob.ty);
    mob.returning = false;
  }

  private scheduleRoam(world: MobWorld, mob: Mob, entity: MobEntity): void {
    this.wheel.at(world.time + world.rng.range(ROAM_MIN_MS, ROAM_MAX_MS), () => {
      if (mob.entity !== entity) return; // died since: its respawn schedules anew
      this.scheduleRoam(world, mob, entity);
      // Nobody near: it stays put, costing nothing.
      if (world.time - mob.area.seenAt > AWAKE_FOR_MS || this.active.has(mob)) return;
      const spot = { tx: mob.home.tx + world.rng.int(-ROAM_RANGE, ROAM_RANGE), ty: mob.home.ty + world.rng.int(-ROAM_RANGE, ROAM_RANGE) };
      const r = mob.area.spec.rect;
      if (spot.tx < r.tx || spot.ty < r.ty || spot.tx >= r.tx + r.w || spot.ty >= r.ty + r.h || !this.free(spot)) return;
      const path = findPath(this.map, { tx: mob.tx, ty: mob.ty }, spot, ROAM_PATH_NODES);
      if (!path || path.length === 0) return;
      mob.route = path;
      // Roaming moves its home: where it walks home to after a fight.
      mob.home = spot;
      this.active.add(mob);
    });
  }
}

export function directionTo(from: TilePoint, to: TilePoint): "down" | "up" | "left" | "right" {
  const dx = to.tx - from.tx;
  const dy = to.ty - from.ty;
  if (Math.abs(dx) >= Math.abs(dy)) return dx < 0 ? "left" : "right";
  return dy < 0 ? "up" : "down";
}

/** Positions on the wire's grid, so what is sent is what the server holds. */
function quantize(p: number): number {
  return Math.round(p / POSITION_RESOLUTION) * POSITION_RESOLUTION;
}

import { defineInput, defineSchema, type EntityStore, inputField, Rng, t } from "@tickwire/engine";

/** The standard "field" scene (shared/scenarios/field.md): its numbers, schema and motion rules. */
export const FIELD = {
  size: 4000,
  tickRate: 20,
  mobSpeed: 60,
  playerSpeed: 120,
  /** Players pick a new direction about every 2 s. */
  playerTurnChance: 1 / 40,
  interestRadius: 600,
} as const;

const position = t.fixed(1 / 16, { min: 0, max: FIELD.size });
export const fieldSchema = defineSchema({
  mob: { x: position, y: position, hp: t.uint(8), kind: t.uint(8) },
  // The scene's per-player `lastSeq` travels as the snapshot envelope's ackSeq, to its
  // owner only, so it is not an entity field.
  player: { x: position, y: position, hp: t.uint(8), kind: t.uint(8) },
});

export const fieldInput = defineInput({ dx: inputField.int(-1, 1), dy: inputField.int(-1, 1) });

/** A mob's unquantized position and waypoint, as the simulation holds them. */
export interface Mob {
  id: number;
  x: number;
  y: number;
  targetX: number;
  targetY: number;
}

export function randomWaypoint(mob: Mob, rng: Rng): void {
  mob.targetX = rng.range(0, FIELD.size);
  mob.targetY = rng.range(0, FIELD.size);
}

/** Moves a mob toward its waypoint at the scene's speed; a new random waypoint on arrival. */
export function stepMob(mob: Mob, dt: number, rng: Rng): void {
  const distance = Math.hypot(mob.targetX - mob.x, mob.targetY - mob.y);
  const travel = FIELD.mobSpeed * dt;
  if (distance <= travel) {
    mob.x = mob.targetX;
    mob.y = mob.targetY;
    randomWaypoint(mob, rng);
  } else {
    mob.x += ((mob.targetX - mob.x) / distance) * travel;
    mob.y += ((mob.targetY - mob.y) / distance) * travel;
  }
}

/** A player's move for one input: the scene's speed in the input's direction, clamped to the world. */
export function playerMove(position: { x: number; y: number }, dx: number, dy: number, dt: number): void {
  if (dx === 0 && dy === 0) return;
  const scale = (FIELD.playerSpeed * dt) / Math.hypot(dx, dy);
  position.x = Math.min(FIELD.size, Math.max(0, position.x + dx * scale));
  position.y = Math.min(FIELD.size, Math.max(0, position.y + dy * scale));
}

interface SimPlayer {
  id: number;
  x: number;
  y: number;
  dx: number;
  dy: number;
}

/** The scene without a server, for the engine benchmarks: mobs and players moved in-process. */
export class FieldSimulation {
  readonly mobs: Mob[] = [];
  readonly players: SimPlayer[] = [];
  /** Unquantized positions by entity id. */
  readonly byId: { x: number; y: number }[] = [];
  private readonly rng: Rng;

  constructor(
    readonly store: EntityStore<typeof fieldSchema>,
    mobCount: number,
    playerCount: number,
    seed = 1,
  ) {
    this.rng = new Rng(seed);
    for (let i = 0; i < mobCount; i++) {
      const mob: Mob = { id: 0, x: this.rng.range(0, FIELD.size), y: this.rng.range(0, FIELD.size), targetX: 0, targetY: 0 };
      randomWaypoint(mob, this.rng);
      mob.id = store.spawn("mob", { x: mob.x, y: mob.y, hp: 100, kind: this.rng.int(0, 255) }).id;
      this.mobs.push(mob);
      this.byId[mob.id] = mob;
    }
    for (let i = 0; i < playerCount; i++) {
      const x = this.rng.range(0, FIELD.size);
      const y = this.rng.range(0, FIELD.size);
      const id = store.spawn("player", { x, y, hp: 100, kind: 0 }).id;
      const player = { id, x, y, dx: this.rng.int(-1, 1), dy: this.rng.int(-1, 1) };
      this.players.push(player);
      this.byId[id] = player;
    }
  }

  step(dt: number): void {
    for (const mob of this.mobs) {
      stepMob(mob, dt, this.rng);
      const entity = this.store.get(mob.id)!;
      entity.x = mob.x;
      entity.y = mob.y;
    }
    for (const player of this.players) {
      if (this.rng.next() < FIELD.playerTurnChance) {
        player.dx = this.rng.int(-1, 1);
        player.dy = this.rng.int(-1, 1);
      }
      playerMove(player, player.dx, player.dy, dt);
      const entity = this.store.get(player.id)!;
      entity.x = player.x;
      entity.y = player.y;
    }
  }
}

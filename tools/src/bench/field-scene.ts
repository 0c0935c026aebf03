import { defineSchema, type EntityStore, Rng, t } from "@tickwire/engine";

/** The standard "field" scene of shared/scenarios/field.md, reduced to its entity motion. */
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

type FieldStore = EntityStore<typeof fieldSchema>;

interface Mover {
  id: number;
  x: number;
  y: number;
  targetX: number;
  targetY: number;
  dx: number;
  dy: number;
}

/** Moves every mob toward its waypoint and every player in its direction, as the scene says. */
export class FieldSimulation {
  readonly mobs: Mover[] = [];
  readonly players: Mover[] = [];
  /** Unquantized positions by entity id, as the simulation holds them. */
  readonly byId: Mover[] = [];
  private readonly rng: Rng;

  constructor(
    readonly store: FieldStore,
    mobCount: number,
    playerCount: number,
    seed = 1,
  ) {
    this.rng = new Rng(seed);
    for (let i = 0; i < mobCount; i++) {
      const x = this.rng.range(0, FIELD.size);
      const y = this.rng.range(0, FIELD.size);
      const kind = this.rng.int(0, 255);
      const mob = store.spawn("mob", { x, y, hp: 100, kind });
      const mover = { id: mob.id, x, y, targetX: this.rng.range(0, FIELD.size), targetY: this.rng.range(0, FIELD.size), dx: 0, dy: 0 };
      this.mobs.push(mover);
      this.byId[mob.id] = mover;
    }
    for (let i = 0; i < playerCount; i++) {
      const x = this.rng.range(0, FIELD.size);
      const y = this.rng.range(0, FIELD.size);
      const player = store.spawn("player", { x, y, hp: 100, kind: 0 });
      const mover = { id: player.id, x, y, targetX: 0, targetY: 0, dx: this.rng.int(-1, 1), dy: this.rng.int(-1, 1) };
      this.players.push(mover);
      this.byId[player.id] = mover;
    }
  }

  step(dt: number): void {
    const store = this.store;
    for (const mob of this.mobs) {
      const distance = Math.hypot(mob.targetX - mob.x, mob.targetY - mob.y);
      const travel = FIELD.mobSpeed * dt;
      if (distance <= travel) {
        mob.x = mob.targetX;
        mob.y = mob.targetY;
        mob.targetX = this.rng.range(0, FIELD.size);
        mob.targetY = this.rng.range(0, FIELD.size);
      } else {
        mob.x += ((mob.targetX - mob.x) / distance) * travel;
        mob.y += ((mob.targetY - mob.y) / distance) * travel;
      }
      const entity = store.get(mob.id)!;
      entity.x = mob.x;
      entity.y = mob.y;
    }
    for (const player of this.players) {
      if (this.rng.next() < FIELD.playerTurnChance) {
        player.dx = this.rng.int(-1, 1);
        player.dy = this.rng.int(-1, 1);
      }
      player.x = Math.min(FIELD.size, Math.max(0, player.x + player.dx * FIELD.playerSpeed * dt));
      player.y = Math.min(FIELD.size, Math.max(0, player.y + player.dy * FIELD.playerSpeed * dt));
      const entity = store.get(player.id)!;
      entity.x = player.x;
      entity.y = player.y;
    }
  }
}

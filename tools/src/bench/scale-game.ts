/**
 * The field scene as a persisting game, for the scale benchmark: each player (keyed by its
 * name; bot names are unique) is saved with its position, and a player who comes back
 * starts where it was saved. Welcome says whether a saved record was found, so a bot that
 * lands on another process after a drain can tell its state came with it. The mobs live in
 * each world's own state, so one definition can host many worlds (a process opening worlds).
 */
import { defineGame, type PlayerRecord } from "@tickwire/server";
import type { FieldVariant } from "./field-game.js";
import { FIELD, fieldInput, fieldSchema, type Mob, playerMove, randomWaypoint, stepMob } from "./field-scene.js";

/** Welcome's `data` for this game (a type, not an interface: it must be a WireValue record). */
export type ScaleWelcomeData = {
  /** The player's saved record was loaded at this join. */
  readonly restored: boolean;
};

/** Each world's own mobs. */
interface FieldWorld {
  readonly mobs: Mob[];
}

interface SavedSpot {
  readonly saved: boolean;
  readonly x: number;
  readonly y: number;
}

/** A stored position, checked: it comes from storage. */
function spotOf(record: PlayerRecord | undefined): SavedSpot {
  const x = record?.x;
  const y = record?.y;
  const inside = (value: unknown): value is number => typeof value === "number" && value >= 0 && value <= FIELD.size;
  return inside(x) && inside(y) ? { saved: true, x, y } : { saved: false, x: 0, y: 0 };
}

export function persistingFieldGame(options: { name: string; mobs: number; variant: FieldVariant; capacity: number }) {
  const dt = 1 / FIELD.tickRate;
  return defineGame<typeof fieldSchema, { dx: number; dy: number }, FieldWorld, SavedSpot>({
    name: options.name,
    schema: fieldSchema,
    input: fieldInput,
    tickRate: FIELD.tickRate,
    capacity: options.capacity,
    bounds: { width: FIELD.size, height: FIELD.size },
    interest: options.variant === "all" ? "all" : { radius: FIELD.interestRadius },
    state: () => ({ mobs: [] }),
    onCreate(ctx) {
      for (let i = 0; i < options.mobs; i++) {
        const mob: Mob = { id: 0, x: ctx.rng.range(0, FIELD.size), y: ctx.rng.range(0, FIELD.size), targetX: 0, targetY: 0 };
        randomWaypoint(mob, ctx.rng);
        mob.id = ctx.spawn("mob", { x: mob.x, y: mob.y, hp: 100, kind: ctx.rng.int(0, 255) }).id;
        ctx.state.mobs.push(mob);
      }
    },
    playerData: (_ctx, _player, saved) => spotOf(saved),
    persist: {
      key: (player) => player.name,
      save: (_ctx, player) => ({ x: player.entity?.x ?? 0, y: player.entity?.y ?? 0 }),
    },
    onJoin(ctx, player) {
      const { saved, x, y } = player.data;
      const at = saved ? { x, y } : { x: ctx.rng.range(0, FIELD.size), y: ctx.rng.range(0, FIELD.size) };
      return ctx.spawn("player", { ...at, hp: 100, kind: 0 });
    },
    onInput(_ctx, player, { dx, dy }) {
      const entity = player.entity;
      if (!entity) return;
      const position = { x: entity.x, y: entity.y };
      playerMove(position, dx, dy, dt);
      entity.x = position.x;
      entity.y = position.y;
    },
    step(ctx, stepDt) {
      for (const mob of ctx.state.mobs) {
        stepMob(mob, stepDt, ctx.rng);
        const entity = ctx.store.get(mob.id);
        if (!entity) continue;
        entity.x = mob.x;
        entity.y = mob.y;
      }
    },
    welcomeData: (_ctx, player): ScaleWelcomeData => ({ restored: player.data.saved }),
  });
}

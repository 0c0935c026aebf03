import { defineGame, type GameDefinition } from "@tickwire/server";
import { FIELD, fieldInput, fieldSchema, type Mob, playerMove, randomWaypoint, stepMob } from "./field-scene.js";

export type FieldVariant = "all" | "aoi";

/** The field scene as a tickwire game: E wandering mobs, one player entity per client. */
export function fieldGame(options: { mobs: number; variant: FieldVariant; capacity: number; seed?: number }) {
  const mobs: Mob[] = [];
  const dt = 1 / FIELD.tickRate;
  const game: GameDefinition<typeof fieldSchema, { dx: number; dy: number }> = defineGame({
    name: "field",
    schema: fieldSchema,
    input: fieldInput,
    tickRate: FIELD.tickRate,
    capacity: options.capacity,
    seed: options.seed ?? 1,
    bounds: { width: FIELD.size, height: FIELD.size },
    interest: options.variant === "all" ? "all" : { radius: FIELD.interestRadius },
    onCreate(ctx) {
      for (let i = 0; i < options.mobs; i++) {
        const mob: Mob = { id: 0, x: ctx.rng.range(0, FIELD.size), y: ctx.rng.range(0, FIELD.size), targetX: 0, targetY: 0 };
        randomWaypoint(mob, ctx.rng);
        mob.id = ctx.spawn("mob", { x: mob.x, y: mob.y, hp: 100, kind: ctx.rng.int(0, 255) }).id;
        mobs.push(mob);
      }
    },
    onJoin(ctx) {
      return ctx.spawn("player", { x: ctx.rng.range(0, FIELD.size), y: ctx.rng.range(0, FIELD.size), hp: 100, kind: 0 });
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
      for (const mob of mobs) {
        stepMob(mob, stepDt, ctx.rng);
        const entity = ctx.store.get(mob.id);
        if (!entity) continue;
        entity.x = mob.x;
        entity.y = mob.y;
      }
    },
  });
  return game;
}

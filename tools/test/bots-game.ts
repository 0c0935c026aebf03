/**
 * The game the bot swarm tests play, written only against tickwire's public API like any
 * game: players are dots moved by a shared, quantized step; a few wandering mobs keep the
 * snapshots busy; joins are announced with an event. Its exports are also a `--game`
 * module: `input`, `schema` and `predict`.
 */
import { defineInput, defineSchema, inputField, type PredictionModel, t } from "@tickwire/engine";
import { defineGame } from "@tickwire/server";

export const WORLD_SIZE = 1000;
const QUANTUM = 1 / 16;
/** Units per second: 8 per tick at 20 Hz, a multiple of the quantum. */
export const PLAYER_SPEED = 160;
const MOB_SPEED = 40;
const MOBS = 8;

const position = { x: t.fixed(QUANTUM, { min: 0, max: WORLD_SIZE }), y: t.fixed(QUANTUM, { min: 0, max: WORLD_SIZE }) };
export const schema = defineSchema({
  player: { ...position, name: t.string(32) },
  mob: { ...position },
});
export const input = defineInput({ dx: inputField.int(-1, 1), dy: inputField.int(-1, 1) });
export type Move = { dx: number; dy: number };
interface Pos {
  x: number;
  y: number;
}

const quantize = (value: number) => Math.min(WORLD_SIZE, Math.max(0, Math.round(value / QUANTUM) * QUANTUM));

/** The shared step: the server applies it per input, the bots' clients predict with it. */
export function step(state: Pos, move: Move, dt: number): void {
  state.x = quantize(state.x + move.dx * PLAYER_SPEED * dt);
  state.y = quantize(state.y + move.dy * PLAYER_SPEED * dt);
}

const model: PredictionModel<Pos, Move> = {
  step,
  copy(from, to) {
    to.x = from.x;
    to.y = from.y;
  },
  create: () => ({ x: 0, y: 0 }),
  error: (a, b) => Math.hypot(a.x - b.x, a.y - b.y),
};
export const predict = { model, fields: ["x", "y"] };

/** The server side: a world of MOBS mobs crossing back and forth, players spawned on a seeded grid. */
export function createBotsTestGame() {
  const scratch: Pos = { x: 0, y: 0 };
  let populated = false;
  return defineGame({
    name: "bots-test",
    schema,
    input,
    tickRate: 20,
    bounds: { width: WORLD_SIZE, height: WORLD_SIZE },
    onJoin(ctx, player) {
      ctx.emit("all", "join", { name: player.name });
      return ctx.spawn("player", { x: ctx.rng.int(100, 500), y: ctx.rng.int(100, 900), name: player.name });
    },
    onInput(ctx, player, move) {
      const entity = player.entity;
      if (entity?.type !== "player") return;
      scratch.x = entity.x;
      scratch.y = entity.y;
      step(scratch, move, 1 / ctx.tickRate);
      entity.x = scratch.x;
      entity.y = scratch.y;
    },
    step(ctx, dt) {
      if (!populated) {
        populated = true;
        for (let i = 0; i < MOBS; i++) ctx.spawn("mob", { x: 0, y: (i + 1) * 100 });
      }
      for (const entity of ctx.store.values()) {
        if (entity.type === "mob") entity.x = (entity.x + MOB_SPEED * dt) % WORLD_SIZE;
      }
    },
  });
}

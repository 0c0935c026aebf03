import { type CommandArg, defineInput, defineSchema, inputField, type PredictionModel, t } from "@tickwire/engine";
import { defineGame } from "@tickwire/server";

/** Big enough that a mover crossing it in a straight line never reaches the edge during a test. */
export const WORLD_SIZE = 4000;
export const QUANTUM = 1 / 16;
/** Player units per second: 5 units per tick at 20 Hz, a multiple of the quantum. */
export const PLAYER_SPEED = 100;
/** Units per second of the straight-line movers the interpolation tests watch. */
export const MOVER_SPEED = 60;
export const TICK_RATE = 20;

const position = {
  x: t.fixed(QUANTUM, { min: 0, max: WORLD_SIZE }),
  y: t.fixed(QUANTUM, { min: 0, max: WORLD_SIZE }),
};

export const schema = defineSchema({
  player: { ...position, name: t.string(32) },
  mover: { ...position },
});
export type TestSchema = typeof schema;

export const input = defineInput({ dx: inputField.int(-1, 1), dy: inputField.int(-1, 1) });
export type TestInput = { dx: number; dy: number };
export interface Pos {
  x: number;
  y: number;
}

function quantize(value: number): number {
  return Math.min(WORLD_SIZE, Math.max(0, Math.round(value / QUANTUM) * QUANTUM));
}

/** The shared step: what the server applies per input and the client predicts. */
export function step(state: Pos, move: TestInput, dt: number): void {
  state.x = quantize(state.x + move.dx * PLAYER_SPEED * dt);
  state.y = quantize(state.y + move.dy * PLAYER_SPEED * dt);
}

export const model: PredictionModel<Pos, TestInput> = {
  step,
  copy(from, to) {
    to.x = from.x;
    to.y = from.y;
  },
  create: () => ({ x: 0, y: 0 }),
  error: (a, b) => Math.hypot(a.x - b.x, a.y - b.y),
  createInput: () => ({ dx: 0, dy: 0 }),
  copyInput(from, to) {
    to.dx = from.dx;
    to.dy = from.dy;
  },
};

/** What the server side saw, for assertions. */
export interface TestGameLog {
  chats: string[];
  commands: { name: string; args: readonly CommandArg[] }[];
}

/**
 * A minimal world for the client's integration tests: players move with `step`; `movers`
 * straight-line movers head +x at MOVER_SPEED from x = 100; chats and commands are recorded
 * and chats echoed to everyone as "chat" events.
 */
export function createTestGame(options: { movers?: number } = {}) {
  const log: TestGameLog = { chats: [], commands: [] };
  const scratch: Pos = { x: 0, y: 0 };
  let spawned = false;
  const game = defineGame({
    name: "client-test",
    schema,
    input,
    tickRate: TICK_RATE,
    bounds: { width: WORLD_SIZE, height: WORLD_SIZE },
    onJoin(ctx, player) {
      return ctx.spawn("player", { x: 200, y: 200 + 20 * (player.id % 50), name: player.name });
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
    onChat(ctx, _player, text) {
      log.chats.push(text);
      ctx.emit("all", "chat", text);
    },
    onCommand(_ctx, _player, name, args) {
      log.commands.push({ name, args });
    },
    step(ctx, dt) {
      if (!spawned) {
        spawned = true;
        for (let i = 0; i < (options.movers ?? 1); i++) ctx.spawn("mover", { x: 100, y: 1000 + 50 * i });
      }
      for (const entity of ctx.store.values()) {
        if (entity.type === "mover") entity.x += MOVER_SPEED * dt;
      }
    },
  });
  return { game, log };
}

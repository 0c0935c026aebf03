import { defineGame } from "@tickwire/server";
import { HEIGHT, input, schema, step, TICK_RATE, WIDTH } from "../shared/game.js";

/** The game: every player is a dot moved by the shared `step`. */
export const game = defineGame({
  name: "__NAME__",
  schema,
  input,
  tickRate: TICK_RATE,
  bounds: { width: WIDTH, height: HEIGHT },
  interest: "all",
  // Each world's own state (handlers read it as ctx.state): a scratch for the shared step.
  state: () => ({ scratch: { x: 0, y: 0 } }),
  // Each player's own data (player.data), kept while it resumes.
  playerData: () => ({ inputs: 0 }),
  onJoin(ctx, player) {
    ctx.emit("all", "join", { name: player.name });
    return ctx.spawn("player", { x: ctx.rng.range(0, WIDTH), y: ctx.rng.range(0, HEIGHT), name: player.name });
  },
  onInput(ctx, player, move) {
    const dot = player.entity;
    if (dot === undefined) return;
    const { scratch } = ctx.state;
    scratch.x = dot.x;
    scratch.y = dot.y;
    step(scratch, move, 1 / ctx.tickRate);
    dot.x = scratch.x;
    dot.y = scratch.y;
    player.data.inputs++;
  },
});

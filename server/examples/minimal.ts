// The smallest tickwire game: dots that move with the arrow keys, predicted by their clients.
// Run: node --conditions=source --import tsx server/examples/minimal.ts
import { fileURLToPath } from "node:url";
import { definePrediction, defineInput, defineSchema, inputField, t } from "@tickwire/engine";
import { createServer, defineGame } from "@tickwire/server";

export const SIZE = 1000;
const position = t.fixed(1 / 16, { min: 0, max: SIZE });
export const schema = defineSchema({ dot: { x: position, y: position } });
export const input = defineInput({ dx: inputField.int(-1, 1), dy: inputField.int(-1, 1) });
/** Units a dot moves per input (one input per tick). */
export const SPEED = 5;

/** The shared step: the server runs it for each input, the client replays it to predict. */
export function move(dot: { x: number; y: number }, { dx, dy }: { dx: number; dy: number }): void {
  dot.x = Math.min(SIZE, Math.max(0, dot.x + dx * SPEED));
  dot.y = Math.min(SIZE, Math.max(0, dot.y + dy * SPEED));
}

/** What a client passes as `game.predict`. */
export const prediction = definePrediction({ schema, entity: "dot", fields: ["x", "y"], input, step: move });

export const game = defineGame({
  schema,
  input,
  bounds: { width: SIZE, height: SIZE },
  // Each world's own state; handlers read it as ctx.state.
  state: () => ({ moves: 0 }),
  // Each player's own data, kept while it resumes.
  playerData: () => ({ moves: 0 }),
  onJoin: (ctx) => ctx.spawn("dot", { x: ctx.rng.range(0, SIZE), y: ctx.rng.range(0, SIZE) }),
  onInput: (ctx, player, moved) => {
    move(player.entity!, moved);
    ctx.state.moves++;
    player.data.moves++;
  },
});

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await createServer({ port: Number(process.env.PORT ?? 8080), worlds: [{ id: "main", game }], handleSignals: true });
  console.log(`minimal game on ws://127.0.0.1:${server.port}/ws?world=main`);
}

// The smallest tickwire game: dots that move with the arrow keys.
// Run: node --conditions=source --import tsx server/examples/minimal.ts
import { fileURLToPath } from "node:url";
import { defineInput, defineSchema, inputField, t } from "@tickwire/engine";
import { createServer, defineGame } from "@tickwire/server";

const position = t.fixed(1 / 16, { min: 0, max: 1000 });
export const schema = defineSchema({ dot: { x: position, y: position } });
export const input = defineInput({ dx: inputField.int(-1, 1), dy: inputField.int(-1, 1) });
/** Units a dot moves per input (one input per tick). */
export const SPEED = 5;

export const game = defineGame({
  schema,
  input,
  world: { width: 1000, height: 1000 },
  onJoin: (ctx) => ctx.spawn("dot", { x: ctx.rng.range(0, 1000), y: ctx.rng.range(0, 1000) }),
  onInput: (_ctx, player, { dx, dy }) => {
    const dot = player.entity!;
    dot.x += dx * SPEED;
    dot.y += dy * SPEED;
  },
});

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await createServer({ port: Number(process.env.PORT ?? 8080), worlds: [{ id: "main", game }], handleSignals: true });
  console.log(`minimal game on ws://127.0.0.1:${server.port}/ws?world=main`);
}

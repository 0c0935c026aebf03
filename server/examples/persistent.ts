// Players who come back where they left: the minimal game's dots, each saved under its token.
// Run: node --conditions=source --import tsx server/examples/persistent.ts (players in ./data)
import { fileURLToPath } from "node:url";
import { createServer, defineGame, JoinRefused, type ServerOptions } from "@tickwire/server";
import { input, move, SIZE, schema } from "./minimal.js";

export const game = defineGame({
  name: "persistent",
  schema,
  input,
  bounds: { width: SIZE, height: SIZE },
  // `saved` is what persist.save returned last session (undefined for a new player or a guest).
  playerData: (_ctx, _player, saved) => ({
    x: typeof saved?.x === "number" ? saved.x : SIZE / 2,
    y: typeof saved?.y === "number" ? saved.y : SIZE / 2,
    visits: (typeof saved?.visits === "number" ? saved.visits : 0) + 1,
  }),
  persist: {
    // The identity is what `auth` returned: the player's secret token. No token: a guest, never saved.
    key: (player) => (typeof player.identity === "string" && player.identity !== "" ? player.identity : undefined),
    save: (_ctx, player) => ({ x: player.entity?.x ?? player.data.x, y: player.entity?.y ?? player.data.y, visits: player.data.visits }),
  },
  onJoin: (ctx, player) => {
    // Refused players never exist in the world; the client is told why.
    if (player.name.length > 15) throw new JoinRefused("names are 1 to 15 characters");
    return ctx.spawn("dot", { x: player.data.x, y: player.data.y });
  },
  onInput: (_ctx, player, moved) => move(player.entity!, moved),
  welcomeData: (_ctx, player) => ({ visits: player.data.visits }),
});

/** `dataDir` (default ./data), `store`, `saveIntervalMs` and the rest of createServer's options. */
export function start(options: Omit<ServerOptions, "worlds"> = {}) {
  return createServer({ auth: (token) => token, ...options, worlds: [{ id: "main", game }] });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await start({ port: Number(process.env.PORT ?? 8080), handleSignals: true });
  console.log(`persistent game on ws://127.0.0.1:${server.port}/ws?world=main&token=<your secret>`);
}

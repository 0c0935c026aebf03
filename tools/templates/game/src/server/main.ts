import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createServer } from "@tickwire/server";
import { game } from "./game.js";

/** PORT overrides it (0 picks a free one); `npm run dev` runs this on 8081 behind Vite. */
const DEFAULT_PORT = 8080;

// From src/server (dev) and dist/server (built) alike: the page `vite build` wrote.
const publicDir = fileURLToPath(new URL("../../dist/public/", import.meta.url));

const server = await createServer({
  port: Number(process.env.PORT ?? DEFAULT_PORT),
  // Loopback unless asked (HOST=0.0.0.0): a game in development is not for the network.
  host: process.env.HOST ?? "127.0.0.1",
  worlds: [{ id: "main", game }],
  static: existsSync(publicDir) ? { dir: publicDir } : undefined,
  handleSignals: true,
});
console.log(`__NAME__ server on ws://127.0.0.1:${server.port}/ws?world=main`);

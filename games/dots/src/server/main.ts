import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createServer } from "@tickwire/server";
import { createDotsGame } from "./world.js";

/** The port a newcomer opens; PORT overrides it (0 picks a free one). */
const DEFAULT_PORT = 8080;

// dist/server/main.js → dist/public, where `vite build` put the page.
const publicDir = fileURLToPath(new URL("../public/", import.meta.url));
if (!existsSync(publicDir)) {
  console.error(`no built client in ${publicDir}: run \`npm run build -w @tickwire/dots\` first`);
  process.exit(1);
}

const port = Number(process.env.PORT ?? DEFAULT_PORT);
// Loopback by default: a demo should not be reachable from the network unless asked (HOST=0.0.0.0).
const host = process.env.HOST ?? "127.0.0.1";

const server = await createServer({
  port,
  host,
  worlds: [{ id: "main", game: createDotsGame() }],
  static: { dir: publicDir },
  handleSignals: true,
});

const shownHost = host === "0.0.0.0" || host === "127.0.0.1" ? "localhost" : host;
console.log(`dots is running: open http://${shownHost}:${server.port}/ in two tabs (Ctrl+C to stop)`);

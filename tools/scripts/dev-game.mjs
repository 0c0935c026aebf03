#!/usr/bin/env node
// A game's `npm run dev`, run in the game's folder: its server (src/server/main.ts) under
// `node --watch`, restarting on every change to its code, on SERVER_PORT (default 8081), and
// Vite's dev server with hot reload, whose vite.config.ts proxies the server's routes to
// SERVER_PORT. Ctrl+C (or SIGTERM) stops both: the server by its PID (node --watch passes
// the signal on and waits for the game server's graceful shutdown), then Vite.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createServer } from "vite";

const root = process.cwd();
const DEFAULT_SERVER_PORT = "8081";
/** Past its own shutdown timeout (3 s) the game server is hung: killed outright. */
const SERVER_STOP_TIMEOUT_MS = 10_000;

let stopping = false;
const serverPort = process.env.SERVER_PORT || DEFAULT_SERVER_PORT;
process.env.SERVER_PORT = serverPort;

const server = spawn(process.execPath, ["--watch", "--conditions=source", "--import", "tsx", "src/server/main.ts"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, PORT: serverPort },
});
const serverExited = new Promise((resolve) => server.once("exit", resolve));
server.once("exit", (code, signal) => {
  if (!stopping) console.error(`game server exited (${signal ?? `code ${code}`})`);
});
// However this process ends (Vite's own SIGTERM handler exits at once), the server ends with it.
process.on("exit", () => server.kill("SIGTERM"));

const vite = await createServer({ root, configFile: join(root, "vite.config.ts") });
await vite.listen();
vite.printUrls();

async function stop() {
  if (stopping) return;
  stopping = true;
  server.kill("SIGTERM");
  const hung = setTimeout(() => server.kill("SIGKILL"), SERVER_STOP_TIMEOUT_MS);
  await Promise.all([vite.close(), serverExited]);
  clearTimeout(hung);
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

// `npm run dev`: the game server restarts on every change to its code (node --watch), and
// Vite serves the page with hot reload, proxying the WebSocket (/ws) to the server.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createServer } from "vite";

const root = fileURLToPath(new URL("..", import.meta.url));
const serverPort = process.env.SERVER_PORT ?? "8081";

const server = spawn(process.execPath, ["--watch", "--conditions=source", "--import", "tsx", "src/server/main.ts"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, PORT: serverPort, SERVER_PORT: serverPort },
});
// However this process ends (Ctrl+C, SIGTERM, Vite's own exit), the game server ends with it.
process.on("exit", () => server.kill("SIGTERM"));
process.env.SERVER_PORT = serverPort;
const vite = await createServer({ root, configFile: `${root}/vite.config.ts` });
await vite.listen();
vite.printUrls();

async function stop() {
  await vite.close();
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
server.on("exit", (code, signal) => {
  if (signal === null) console.error(`game server exited with code ${code}`);
});

/** `npm run dev`: one command runs the Quest server and Vite's dev server; Ctrl+C stops both. */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect as connectTcp, createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
/** Vite's dev server and the Quest server (tsx, the map, one world) both up on the loaded machine. */
const DEV_START_TIMEOUT_MS = 30_000;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Resolves when `read()` matches `pattern`; rejects after `timeoutMs`. */
async function waitFor(read: () => string, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(read());
    if (match !== null) return match;
    if (performance.now() > deadline) throw new Error(`no ${pattern} in:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

it("npm run dev serves the page through Vite with its hot-reload client, proxies /healthz and /matchmake to the Quest server, and Ctrl+C stops both", async () => {
  // The command package.json runs, with node as this process's node.
  const manifest = JSON.parse(readFileSync(`${root}/package.json`, "utf8"));
  const [command, ...args] = (manifest.scripts.dev as string).split(" ");
  expect(command).toBe("node");
  const serverPort = await freePort();
  // Vite colours its output when CI is set (picocolors); the test reads it as plain text.
  const dev = spawn(process.execPath, args, { cwd: root, env: { ...process.env, NO_COLOR: "1", SERVER_PORT: String(serverPort), QUEST_WORLDS: "1" } });
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  dev.stdout.on("data", collect);
  dev.stderr.on("data", collect);
  const exited = new Promise<number | null>((resolve, reject) => {
    dev.once("exit", resolve);
    dev.once("error", reject);
  });
  let vitePort = 0;
  let exitCode: number | null;
  try {
    const [, page] = await waitFor(() => output, /Local:\s+(http:\/\/\S+?)\/?\s/, DEV_START_TIMEOUT_MS);
    vitePort = Number(new URL(page).port);
    await waitFor(() => output, new RegExp(`Quest is running: open http://\\S+:${serverPort}/`), DEV_START_TIMEOUT_MS);

    const html = await (await fetch(page)).text();
    expect(html).toContain("/@vite/client");
    expect(html).toContain("/src/client/main.ts");
    const health = (await (await fetch(`${page}/healthz`)).json()) as { status: string; worlds: { id: string }[] };
    expect(health.status).toBe("ok");
    expect(health.worlds.map((world) => world.id)).toEqual(["quest-1"]);
    const matched = (await (await fetch(`${page}/matchmake?game=quest`)).json()) as { world: string };
    expect(matched.world).toBe("quest-1");
  } finally {
    dev.kill("SIGINT");
    exitCode = await exited;
  }
  expect(exitCode).toBe(0);
  // The runner waited for the Quest server (a grandchild, under node --watch) to exit.
  expect(await refusesConnections(serverPort)).toBe(true);
  expect(await refusesConnections(vitePort)).toBe(true);
}, DEV_START_TIMEOUT_MS * 3);

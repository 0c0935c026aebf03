/** `npm run new-game`: the template becomes a game that builds and that two clients play. */
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connect, type WebSocketConstructor } from "@tickwire/client";
import { defineInput, inputField } from "@tickwire/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";

const root = fileURLToPath(new URL("../..", import.meta.url));
const script = join(root, "tools", "scripts", "new-game.mjs");
/** Inside the repo (so the workspace packages resolve) but outside games/ (so it is never a workspace); git-ignored. */
const scratch = join(root, ".tmp");
mkdirSync(scratch, { recursive: true });
const parent = mkdtempSync(join(scratch, "new-game-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** A build (vite + tsc) on a loaded 2-core machine takes ~25 s; a minute is a hang. */
const BUILD_TIMEOUT_MS = 60_000;

/** Vite's dev server and the game server both up, on a loaded machine. */
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

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: BUILD_TIMEOUT_MS });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("new-game", () => {
  it("refuses a name that is not a lower-case package name, and an existing folder", () => {
    const bad = run(process.execPath, [script, "Bad_Name", "--dir", parent, "--no-install"], root);
    expect(bad.status).toBe(1);
    expect(bad.output).toContain('"Bad_Name" is not a valid name');
    const taken = run(process.execPath, [script, "dots", "--no-install"], root);
    expect(taken.status).toBe(1);
    expect(taken.output).toContain("already exists");
  });

  const game = join(parent, "sample");
  let created: ReturnType<typeof run>;
  beforeAll(() => {
    created = run(process.execPath, [script, "sample", "--dir", parent, "--no-install"], root);
  });

  it(
    "creates a game from the template that builds (page and server) and that two headless clients play",
    () => {
      expect(created.output).toContain("created");
      expect(created.status).toBe(0);
      const manifest = JSON.parse(readFileSync(join(game, "package.json"), "utf8"));
      expect(manifest.name).toBe("@tickwire/sample");
      expect(manifest.scripts.dev).toBeDefined();
      expect(readFileSync(join(game, "src", "server", "game.ts"), "utf8")).toContain('name: "sample"');

      const build = run("npm", ["run", "build"], game);
      expect(build.output).not.toContain("error");
      expect(build.status).toBe(0);
      expect(existsSync(join(game, "dist", "public", "index.html"))).toBe(true);
      expect(existsSync(join(game, "dist", "server", "main.js"))).toBe(true);

      const played = run("npx", ["vitest", "run"], game);
      expect(played.status).toBe(0);
      const report = JSON.parse(readFileSync(join(game, "test-results", "vitest.json"), "utf8"));
      const titles = report.testResults.flatMap((file: { assertionResults: { title: string; status: string }[] }) =>
        file.assertionResults.filter((test) => test.status === "passed").map((test) => test.title),
      );
      expect(titles).toEqual(["two headless clients join; one walks as it predicted, and the other sees it walk"]);
    },
    BUILD_TIMEOUT_MS * 3,
  );

  it("npm run dev: Vite serves the page with its hot-reload client and proxies /ws to the game server, which restarts when its code changes", async () => {
    const serverPort = await freePort();
    // The command the game's package.json runs: the repo's shared runner (tools/scripts/dev-game.mjs).
    const [command, ...args] = JSON.parse(readFileSync(join(game, "package.json"), "utf8")).scripts.dev.split(" ");
    expect(command).toBe("node");
    // Vite colours its output when CI is set (picocolors); the test reads it as plain text.
    const dev = spawn(process.execPath, args, { cwd: game, env: { ...process.env, NO_COLOR: "1", SERVER_PORT: String(serverPort) } });
    let output = "";
    dev.stdout.on("data", (chunk) => {
      output += chunk;
    });
    dev.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve, reject) => {
      dev.on("exit", resolve);
      dev.on("error", reject);
    });
    let exitCode: number | null;
    let serverPid = 0;
    try {
      const [, page] = await waitFor(() => output, /Local:\s+(http:\/\/\S+?)\/?\s/, DEV_START_TIMEOUT_MS);
      await waitFor(() => output, /sample server on ws:/, DEV_START_TIMEOUT_MS);
      const [, firstPid] = await waitFor(() => output, /"pid":(\d+)/, DEV_START_TIMEOUT_MS);
      serverPid = Number(firstPid);
      const html = await (await fetch(page)).text();
      expect(html).toContain("/@vite/client");

      const client = connect(`${page.replace("http", "ws")}/ws?world=main`, {
        name: "dev",
        game: { input: defineInput({ dx: inputField.int(-1, 1), dy: inputField.int(-1, 1) }) },
        tuning: { reconnect: false },
        runtime: { WebSocket: WebSocket as unknown as WebSocketConstructor, fetch: null },
      });
      const welcome = await new Promise<{ world: string }>((resolve, reject) => {
        client.on("welcome", resolve);
        client.on("close", (info) => reject(new Error(`closed: ${info.reason}`)));
      });
      expect(welcome.world).toBe("main");
      client.leave();

      appendFileSync(join(game, "src", "server", "game.ts"), "// edited\n");
      await waitFor(() => output, /sample server on ws:[\s\S]*sample server on ws:/, DEV_START_TIMEOUT_MS);
      const [, restartedPid] = await waitFor(() => output, new RegExp(`"pid":(?!${serverPid}\\b)(\\d+)`), DEV_START_TIMEOUT_MS);
      serverPid = Number(restartedPid);
    } finally {
      dev.kill("SIGTERM");
      exitCode = await exited;
    }
    // It stopped (143: Vite's own SIGTERM handler exits 128 + 15), and the game server with it.
    expect([0, 143]).toContain(exitCode);
    await waitFor(() => (isRunning(serverPid) ? "" : "gone"), /gone/, DEV_START_TIMEOUT_MS);
  }, DEV_START_TIMEOUT_MS * 3);
});

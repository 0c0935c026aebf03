/**
 * The launcher (`main.js --workers [N]`, src/server/workers.ts): its flags, and N real Quest
 * server processes sharing a redis-server it starts, each answering /healthz and
 * /matchmake; a player of a worker that is stopped (drained) moves to the other; all
 * stopped (workers and redis-server) by one SIGTERM.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connect, type WebSocketConstructor } from "@tickwire/client";
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { input } from "../src/shared/schema.js";
import { parseWorkersArgs, WorkersUsageError, wantsWorkers, workerLaunch } from "../src/server/workers.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const CORES = 6;

describe("launcher flags", () => {
  it("runs one worker per core when --workers has no number, else the number given", () => {
    const env = { REDIS_URL: "redis://10.0.0.5:6379" };
    expect(parseWorkersArgs(["--workers"], env, CORES).count).toBe(CORES);
    expect(parseWorkersArgs(["--workers", "--data-dir", "d"], env, CORES)).toMatchObject({ count: CORES, passThrough: ["--data-dir", "d"] });
    expect(parseWorkersArgs(["--workers", "3"], env, CORES).count).toBe(3);
    expect(parseWorkersArgs(["--workers=2"], env, CORES).count).toBe(2);
    expect(() => parseWorkersArgs(["--workers=0"], env, CORES)).toThrow(WorkersUsageError);
    expect(wantsWorkers(["--data-dir", "d"])).toBe(false);
    expect(wantsWorkers(["--workers=2"])).toBe(true);
  });

  it("needs Redis (--redis, REDIS_URL or --redis-server), and sets each worker's public URL and process id itself", () => {
    expect(() => parseWorkersArgs(["--workers", "2"], {}, CORES)).toThrow(/--redis/);
    expect(parseWorkersArgs(["--workers", "--redis", "redis://r:6379"], {}, CORES).redisUrl).toBe("redis://r:6379");
    expect(parseWorkersArgs(["--workers", "--redis-server"], { REDIS_URL: "redis://r" }, CORES)).toMatchObject({ startRedis: true, redisUrl: null });
    expect(() => parseWorkersArgs(["--workers", "--redis-server", "--redis", "redis://r"], {}, CORES)).toThrow(/not both/);
    expect(() => parseWorkersArgs(["--workers", "--redis-server", "--public-url", "ws://x"], {}, CORES)).toThrow(/per worker/);
  });

  it("gives worker i port PORT+i, --public-url ws://<public host>:<port> (or <public base>/<id> behind a proxy) and --process-id <prefix><i>, and passes other flags on", () => {
    const config = parseWorkersArgs(["--workers", "3", "--redis-server", "--data-dir", "d", "--id-prefix", "eu"], { PORT: "9000", HOST: "0.0.0.0" }, CORES);
    expect(workerLaunch(config, 2, "redis://127.0.0.1:7000")).toEqual({
      port: 9002,
      args: ["--redis", "redis://127.0.0.1:7000", "--public-url", "ws://localhost:9002", "--process-id", "eu2", "--data-dir", "d"],
      env: { PORT: "9002", HOST: "0.0.0.0" },
    });
    const behind = parseWorkersArgs(["--workers", "--redis-server", "--public-host", "play.example"], { PORT: "9000" }, CORES);
    expect(workerLaunch(behind, 0, "redis://r").args).toContain("ws://play.example:9000");
    const proxied = parseWorkersArgs(["--workers", "--redis-server", "--public-base", "wss://quest.example.com/"], {}, CORES);
    expect(workerLaunch(proxied, 1, "redis://r").args).toEqual(["--redis", "redis://r", "--public-url", "wss://quest.example.com/w1", "--process-id", "w1"]);
    expect(() => parseWorkersArgs(["--workers", "--redis-server", "--public-base", "quest.example.com"], {}, CORES)).toThrow(/public-base/);
    expect(() => parseWorkersArgs(["--workers", "2", "--redis-server"], { PORT: "65535" }, CORES)).toThrow(/PORT/);
  });
});

describe("launcher run", () => {
  it(
    "--workers 2 --redis-server: both answer /healthz and /matchmake, a player on a stopped worker moves to the other, a dead worker is restarted, and SIGTERM stops every worker and redis-server",
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "quest-workers-"));
      const basePort = await freePortPair();
      const launcher = spawn(process.execPath, ["--conditions=source", "--import", "tsx", "src/server/main.ts", "--workers", "2", "--redis-server", "--data-dir", dataDir], {
        cwd: root,
        env: { ...process.env, PORT: String(basePort), HOST: "127.0.0.1", QUEST_WORLDS: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      launcher.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      launcher.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => launcher.once("exit", (code) => resolve(code)));
      try {
        for (const port of [basePort, basePort + 1]) await untilHealthy(port, () => output);
        for (const port of [basePort, basePort + 1]) {
          const response = await fetch(`http://127.0.0.1:${port}/matchmake?game=quest`);
          expect(response.status).toBe(200);
          const answer = (await response.json()) as { world: string; url: string };
          expect(answer.url).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:(${basePort}|${basePort + 1})/ws\\?world=`));
        }
        expect(output).toMatch(/\[w0\] /);
        expect(output).toMatch(/\[w1\] /);

        // A player (the framework client, through w1's matchmaker) lands in w0's world, the first
        // to fill; stopping w0 (SIGTERM: a drain, as in a deploy) moves it to w1's.
        const client = connect(`http://127.0.0.1:${basePort + 1}/matchmake?game=quest`, {
          name: "ada",
          token: "ada-secret-0123456789",
          game: { input },
          runtime: { WebSocket: WebSocket as unknown as WebSocketConstructor },
        });
        const welcomes: string[] = [];
        const reasons: string[] = [];
        client.on("welcome", (welcome) => welcomes.push(welcome.world));
        client.on("matchmaking", (info) => reasons.push(info.reason));
        try {
          await until(() => welcomes.length === 1, "the first welcome", () => output);
          expect(welcomes[0]).toBe("quest-w0-1");
          const firstW0 = Number(/w0 pid (\d+)/.exec(output)![1]);
          const stoppedAt = performance.now();
          process.kill(firstW0, "SIGTERM");
          await until(() => welcomes.length === 2, "the welcome on w1", () => output);
          expect(performance.now() - stoppedAt).toBeLessThan(10_000);
          expect(welcomes[1]).toBe("quest-w1-1");
          expect(reasons).toContain("server-restarting");
        } finally {
          client.close();
        }

        // A worker that ends (SIGTERM above) or dies comes back on its port.
        await until(() => (output.match(/w0 pid \d+/g) ?? []).length >= 2, "w0 restarted", () => output);
        await untilHealthy(basePort, () => output);
        const secondW0 = Number([...output.matchAll(/w0 pid (\d+)/g)].at(-1)![1]);
        process.kill(secondW0, "SIGKILL");
        await until(() => (output.match(/w0 pid \d+/g) ?? []).length >= 3, "w0 restarted after SIGKILL", () => output);
        await untilHealthy(basePort, () => output);
        const pids = [...output.matchAll(/ pid (\d+)/g)].map((match) => Number(match[1]));
        expect(pids.length).toBeGreaterThanOrEqual(3);
        launcher.kill("SIGTERM");
        expect(await exited).toBe(0);
        expect(pids.filter(alive)).toEqual([]);
      } finally {
        if (launcher.exitCode === null) launcher.kill("SIGKILL");
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, what: string, output: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function untilHealthy(port: number, output: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    if (performance.now() > deadline) throw new Error(`port ${port} not healthy within ${timeoutMs} ms:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function listen(port: number): Promise<ReturnType<typeof createServer> | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(null));
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

/** Two consecutive free loopback ports (the launcher takes PORT and PORT+1). */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const [a, b] = await Promise.all([listen(base), listen(base + 1)]);
    await Promise.all([a, b].map((server) => new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))));
    if (a !== null && b !== null) return base;
  }
  throw new Error("no two consecutive free ports");
}

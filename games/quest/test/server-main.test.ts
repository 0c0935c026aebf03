/**
 * The Quest server process (`src/server/main.ts`) started from source in child processes:
 * its refusal of a broken map, its worlds, its clean stop, and players' progress in its data
 * directory across a graceful restart and a `kill -9`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { fileURLToPath } from "node:url";
import { CloseCode } from "@tickwire/engine";
import { LmdbPlayerStore } from "@tickwire/server";
import { afterAll, describe, expect, it } from "vitest";
import { tileCentre } from "../src/shared/map.js";
import { MOVE_LEFT, MOVE_NONE } from "../src/shared/schema.js";
import { loadWorldMap, WORLD_MAP_PATH } from "../src/server/world-map.js";
import { type Driven, eventsNamed, join, serverState, storeKey, waitFor, waitForAsync } from "./headless-helpers.js";
import { startRedis } from "./redis-server.js";

const MAIN = fileURLToPath(new URL("../src/server/main.ts", import.meta.url));
const started: ChildProcess[] = [];
// A failed test must not leave its server running.
afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(prefix: string): string {
  const dir = mkdtempSync(joinPath(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Starts main.ts from source in a child process; collects its output. */
function start(env: Record<string, string>, args: string[] = []) {
  const child: ChildProcess = spawn(process.execPath, ["--conditions=source", "--import", "tsx", MAIN, ...args], {
    env: { ...process.env, PORT: "0", NODE_ENV: "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  const output = { stdout: "", stderr: "" };
  child.stdout!.on("data", (chunk) => (output.stdout += chunk));
  child.stderr!.on("data", (chunk) => (output.stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output, exited };
}

/** Starts main.ts and waits for the port it prints. */
async function startedOn(env: Record<string, string>, args: string[] = []) {
  const { child, output, exited } = start(env, args);
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed: ${output.stdout}${output.stderr}`)), 15_000);
    child.stdout!.on("data", () => {
      const found = /open http:\/\/localhost:(\d+)\//.exec(output.stdout);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
  });
  return { child, output, exited, port };
}

describe("the Quest server process (src/server/main.ts)", () => {
  it("refuses to start on a map that fails validation, saying why", async () => {
    const map = JSON.parse(readFileSync(WORLD_MAP_PATH, "utf8"));
    map.layers.find((l: { name: string }) => l.name === "checkpoints").objects = [];
    const path = joinPath(tempDir("quest-map-"), "broken.json");
    writeFileSync(path, JSON.stringify(map));
    const { output, exited } = start({ QUEST_MAP: path });
    expect(await exited).toBe(1);
    expect(output.stderr).toMatch(/refusing to start: the map .*broken\.json is invalid: zone "Oakwood" has no checkpoint/);
  });

  it("hosts its worlds of 200 on the port it prints, and stops cleanly on SIGTERM", async () => {
    const { child, exited, port } = await startedOn({ QUEST_WORLDS: "3", QUEST_DATA_DIR: tempDir("quest-data-") });
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { worlds: { id: string; capacity: number; game: string }[] };
    expect(health.worlds.map((w) => [w.id, w.game, w.capacity])).toEqual([
      ["quest-1", "quest", 200],
      ["quest-2", "quest", 200],
      ["quest-3", "quest", 200],
    ]);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});

describe("players' progress in the data directory", () => {
  const world = loadWorldMap();
  const secret = "restarting-player-secret-0123456";
  const spawnAt = { x: tileCentre(world.spawn.tx), y: tileCentre(world.spawn.ty) };
  type Me = { x: number; y: number; moving: boolean; hp: number; weapon: number; armor: number; look: number };
  const me = (driven: Driven) => driven.client.local?.values as unknown as Me | undefined;

  async function joined(port: string): Promise<Driven> {
    const driven = join(`ws://127.0.0.1:${port}/ws?world=quest-1`, "ada", world, { token: secret });
    await waitFor("ada's entity", () => serverState(driven));
    return driven;
  }

  /** Walks left until `tiles` tiles from where it stood, then stops; returns where it stopped. */
  async function walkLeft(driven: Driven, tiles: number) {
    const from = me(driven)!.x;
    driven.move = MOVE_LEFT;
    await waitFor(`${tiles} tiles walked`, () => me(driven)!.x <= from - tiles * 16);
    driven.move = MOVE_NONE;
    await waitFor("a stop", () => !me(driven)!.moving);
    return { x: me(driven)!.x, y: me(driven)!.y };
  }

  async function metric(port: string, line: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const found = text.split("\n").find((l) => l.startsWith(`${line} `));
    return found === undefined ? 0 : Number(found.slice(line.length + 1));
  }

  it("brings a player back where they left, with their gear, after a graceful restart (SIGTERM) on the same --data-dir", async () => {
    const dataDir = tempDir("quest-data-");
    // Progress saved in an earlier life of the server: gear, kills, an achievement, hurt.
    const store = new LmdbPlayerStore({ dir: dataDir });
    await store.acquire(storeKey(secret), "test", 1000);
    await store.save(storeKey(secret), "test", { tx: world.spawn.tx, ty: world.spawn.ty, dir: "down", look: 3, hp: 50, weapon: 5, armor: 3, kills: { rat: 3 }, achievements: ["first_blood"] });
    await store.release(storeKey(secret), "test");
    await store.close();

    const first = await startedOn({ QUEST_WORLDS: "1" }, ["--data-dir", dataDir]);
    const ada = await joined(first.port);
    expect(me(ada)).toMatchObject({ ...spawnAt, look: 3, hp: 50, weapon: 5, armor: 3 });
    const left = await walkLeft(ada, 3);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    await waitFor("the shutdown's close", () => ada.closed);
    expect(ada.closed!.code).toBe(CloseCode.GoingAway);
    ada.stop();

    const second = await startedOn({ QUEST_WORLDS: "1" }, ["--data-dir", dataDir]);
    const back = await joined(second.port);
    expect(me(back)).toMatchObject({ ...left, look: 3, weapon: 5, armor: 3 });
    expect(me(back)!.hp).toBeGreaterThanOrEqual(50);
    back.stop();
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    const saved = new LmdbPlayerStore({ dir: dataDir });
    expect(await saved.load(storeKey(secret))).toMatchObject({ weapon: 5, armor: 3, look: 3, kills: { rat: 3 }, achievements: ["first_blood"] });
    await saved.close();
  });

  it("keeps the last periodic save after kill -9 (QUEST_DATA_DIR, QUEST_SAVE_INTERVAL_S)", async () => {
    const env = { QUEST_WORLDS: "1", QUEST_DATA_DIR: tempDir("quest-data-"), QUEST_SAVE_INTERVAL_S: "0.2" };
    const first = await startedOn(env);
    const ada = await joined(first.port);
    expect(me(ada)).toMatchObject(spawnAt);
    const left = await walkLeft(ada, 2);
    // Two periodic saves after the stop: the second one holds where the player stopped.
    const written = () => metric(first.port, 'tickwire_player_saves_total{outcome="written"}');
    const before = await written();
    await waitForAsync("two periodic saves after the walk", async () => (await written()) >= before + 2, 5000);
    first.child.kill("SIGKILL");
    await first.exited;
    expect(first.child.signalCode).toBe("SIGKILL");
    ada.stop();

    const second = await startedOn(env);
    const back = await joined(second.port);
    expect(me(back)).toMatchObject(left);
    back.stop();
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });
});

describe("many Quest processes on one Redis (--redis, --admin-token, --process-id)", () => {
  const world = loadWorldMap();
  const ADMIN = "quest-admin-token";

  it("lists each process's worlds under its id, matchmakes across them, carries /g chat and announcements between them, and drains on SIGTERM (4017)", async () => {
    const redis = await startRedis();
    try {
      const env = { QUEST_WORLDS: "1", QUEST_DATA_DIR: tempDir("quest-data-") };
      const [a, b] = await Promise.all(
        ["qa", "qb"].map((id) => startedOn(env, ["--redis", redis.url, "--admin-token", ADMIN, "--process-id", id])),
      );
      const health = (await (await fetch(`http://127.0.0.1:${a!.port}/healthz`)).json()) as { worlds: { id: string }[] };
      expect(health.worlds.map((w) => w.id)).toEqual(["quest-qa-1"]);
      const matchmake = async (port: string, preferred: string) => {
        const response = await fetch(`http://127.0.0.1:${port}/matchmake?game=quest&world=${preferred}`);
        return (await response.json()) as { world: string; url: string };
      };
      // Any process answers for any world: a's answer for b's world points at b.
      const toB = await matchmake(a!.port, "quest-qb-1");
      expect(toB.world).toBe("quest-qb-1");
      expect(toB.url).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:${b!.port}/ws\\?world=quest-qb-1&reservation=`));
      const toA = await matchmake(b!.port, "quest-qa-1");
      const ann = join(toA.url, "ann", world);
      const bob = join(toB.url, "bob", world);
      await waitFor("both in their worlds", () => serverState(ann) && serverState(bob));
      ann.client.chat("/g hello other world");
      await waitFor("bob hears ann's global line", () =>
        eventsNamed<{ text: string; global?: boolean; world?: string }>(bob, "chat").find((line) => line.global === true),
      );
      expect(eventsNamed(bob, "chat")).toContainEqual({ from: 0, name: "ann", text: "hello other world", global: true, world: "quest-qa-1" });
      const population = await waitFor("a population total of 2", () =>
        eventsNamed<{ total: number }>(ann, "population").find((event) => event.total === 2),
      );
      expect(population.total).toBe(2);
      const announced = await fetch(`http://127.0.0.1:${a!.port}/admin/announce`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN}` },
        body: JSON.stringify({ text: "restart soon" }),
      });
      expect(announced.status).toBe(200);
      await waitFor("bob gets the announcement", () => eventsNamed(bob, "announce").length > 0);
      expect(eventsNamed(bob, "announce")).toEqual([{ text: "restart soon" }]);
      b!.child.kill("SIGTERM");
      expect(await b!.exited).toBe(0);
      await waitFor("bob's drain close", () => bob.disconnects.find((info) => info.code === CloseCode.ServerRestarting));
      ann.stop();
      bob.stop();
      a!.child.kill("SIGTERM");
      expect(await a!.exited).toBe(0);
    } finally {
      await redis.stop();
    }
  }, 30_000);
});

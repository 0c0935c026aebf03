/**
 * Issue 13 point 9 and issue 15 point 4 (leases): a game with `persist` keeps its players
 * across sessions, server restarts and crashes, on a real server with real clients.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloseCode } from "@tickwire/engine";
import { MsgType } from "@tickwire/engine/wire";
import {
  DEFAULT_TICK_RATE,
  InMemoryPlayerStore,
  type PlayerRecord,
  type PlayerStore,
  RedisPlayerStore,
  silentLogger,
  type TickwireServer,
  type WriteOutcome,
} from "@tickwire/server";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { start } from "../examples/persistent.js";
import { schema } from "../examples/minimal.js";
import { ChildServer } from "./helpers/child.js";
import { TestClient } from "./helpers/client.js";
import { metricValue } from "./helpers/metrics.js";
import { LocalRedisServer } from "../src/local-redis.js";

type Schema = typeof schema;
const KEY = "persistent:secret-of-ann";
const servers: TickwireServer[] = [];
const clients: TestClient<Schema>[] = [];
const dirs: string[] = [];
let child: ChildServer | undefined;

afterEach(async () => {
  for (const client of clients.splice(0)) client.drop();
  await Promise.all(servers.splice(0).map((server) => server.close()));
  if (child?.process.exitCode === null && child.process.signalCode === null) await child.stop();
  child = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "tickwire-persist-"));
  dirs.push(dir);
  return dir;
}

async function serve(options: Parameters<typeof start>[0]): Promise<TickwireServer> {
  const server = await start({ host: "127.0.0.1", logger: silentLogger(), defaultMetrics: false, ...options });
  servers.push(server);
  return server;
}

function url(port: number, token = "secret-of-ann"): string {
  return `ws://127.0.0.1:${port}/ws?world=main&token=${token}`;
}

async function connect(port: number, token?: string): Promise<TestClient<Schema>> {
  const client = await TestClient.connect(url(port, token), { schema });
  clients.push(client);
  return client;
}

async function joinAt(port: number, token?: string): Promise<{ client: TestClient<Schema>; x: number; y: number }> {
  const client = await connect(port, token);
  await client.join("ann");
  await client.nextSnapshot(() => client.mirror?.has(client.entityId) === true);
  return { client, ...position(client) };
}

function position(client: TestClient<Schema>): { x: number; y: number } {
  const values = client.mirror?.get(client.entityId)?.values as { x: number; y: number };
  return { x: values.x, y: values.y };
}

/** Walks `steps` inputs right and waits until the server applied the last one. */
async function walkRight(client: TestClient<Schema>, steps: number): Promise<{ x: number; y: number }> {
  let last = -1;
  for (let i = 0; i < steps; i++) last = client.sendInput([1, 0]);
  await client.nextSnapshot((snapshot) => snapshot.ackSeq === last);
  return position(client);
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("a persisting game on LMDB", () => {
  it("is examples/persistent.ts, quoted verbatim in the README", () => {
    const source = readFileSync(new URL("../examples/persistent.ts", import.meta.url), "utf8");
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(readme).toContain(`\`\`\`ts\n${source}\`\`\``);
  });

  it("saves a player on leave and puts it back where it left on the next join", async () => {
    const server = await serve({ dataDir: tempDir() });
    const first = await joinAt(server.port);
    expect(first.client.welcome?.data).toEqual({ visits: 1 });
    const left = await walkRight(first.client, 6);
    expect(left.x).toBeGreaterThan(first.x);
    await first.client.close();
    const again = await joinAt(server.port);
    expect(again.client.welcome?.data).toEqual({ visits: 2 });
    expect({ x: again.x, y: again.y }).toEqual(left);
    expect(await metricValue(server, "tickwire_player_loads_total", { outcome: "loaded" })).toBe(1);
    expect(await metricValue(server, "tickwire_player_saves_total", { outcome: "written" })).toBeGreaterThanOrEqual(1);
  });

  it("saves a player whose connection dropped once its resume grace runs out, and a kicked one", async () => {
    const server = await serve({ dataDir: tempDir(), limits: { resumeGraceMs: 200 } });
    const first = await joinAt(server.port);
    const dropped = await walkRight(first.client, 3);
    first.client.drop();
    await until(() => server.worlds.get("main")?.sessions.size === 0, "the resume grace to run out");
    const again = await joinAt(server.port);
    expect({ x: again.x, y: again.y }).toEqual(dropped);
    const kickedAt = await walkRight(again.client, 2);
    const session = [...(server.worlds.get("main")?.sessions ?? [])][0];
    if (session !== undefined) server.worlds.get("main")?.kick(session, "bye");
    expect(await again.client.waitForClose()).toEqual({ code: CloseCode.Kicked, reason: "bye" });
    const third = await joinAt(server.port);
    expect({ x: third.x, y: third.y }).toEqual(kickedAt);
  });

  it("keeps a guest (no token) unsaved", async () => {
    const server = await serve({ dataDir: tempDir() });
    const guest = await joinAt(server.port, "");
    await walkRight(guest.client, 3);
    await guest.client.close();
    const back = await joinAt(server.port, "");
    expect(back.client.welcome?.data).toEqual({ visits: 1 });
    expect(await metricValue(server, "tickwire_player_loads_total")).toBe(0);
  });

  it("survives server.close() and a new server on the same data directory", async () => {
    const dataDir = tempDir();
    const server = await serve({ dataDir });
    const { client } = await joinAt(server.port);
    const left = await walkRight(client, 5);
    await server.close();
    expect((await client.closed).code).toBe(CloseCode.GoingAway);
    const next = await serve({ dataDir });
    const again = await joinAt(next.port);
    expect({ x: again.x, y: again.y }).toEqual(left);
  });

  it("keeps the last periodic save after kill -9 of the server process", async () => {
    const dataDir = tempDir();
    child = await ChildServer.start(new URL("./fixtures/persistent-server.ts", import.meta.url), {
      DATA_DIR: dataDir,
      SAVE_INTERVAL_MS: "200",
    });
    const { client } = await joinAt(child.port);
    const reached = await walkRight(client, 5);
    // A periodic save written after the player reached its place.
    const written = () => child?.metric('tickwire_player_saves_total{outcome="written"}') ?? Promise.resolve(0);
    const before = await written();
    await until(async () => (await written()) >= before + 2, "two periodic saves after the walk");
    const exited = new Promise((resolve) => child?.process.once("exit", (_code, signal) => resolve(signal)));
    child.process.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    const next = await serve({ dataDir });
    const again = await joinAt(next.port);
    expect({ x: again.x, y: again.y }).toEqual(reached);
  });
});

describe("leases: one process holds a player", () => {
  it("refuses a join with PlayerHeldElsewhere while another process holds the player, and counts it", async () => {
    const store = new InMemoryPlayerStore();
    await store.acquire(KEY, "another-process", 60_000);
    const server = await serve({ store });
    const client = await connect(server.port);
    client.send({ type: MsgType.Join, name: "ann" });
    expect(await client.waitForClose()).toEqual({
      code: CloseCode.PlayerHeldElsewhere,
      reason: "this player is playing on another server",
    });
    expect(server.worlds.get("main")?.sessions.size).toBe(0);
    expect(await metricValue(server, "tickwire_player_loads_total", { outcome: "held_elsewhere" })).toBe(1);
    expect(await metricValue(server, "tickwire_clients_closed_total", { reason: "player_held_elsewhere" })).toBe(1);
    await store.release(KEY, "another-process");
    await joinAt(server.port);
  });

  it("closes a player whose lease another process took, and never saves it again", async () => {
    let now = 0;
    const store = new InMemoryPlayerStore({ clock: () => now });
    const server = await serve({ store, saveIntervalMs: 100 });
    const { client } = await joinAt(server.port);
    // The lease runs out (a long outage) and another process takes the player.
    now += 60_000;
    expect(await store.acquire(KEY, "another-process", 60_000)).toBe(true);
    expect(await store.save(KEY, "another-process", { x: 1, y: 1, visits: 7 })).toBe("written");
    expect(await client.waitForClose()).toEqual({
      code: CloseCode.PlayerHeldElsewhere,
      reason: "another server took over your player",
    });
    expect(await metricValue(server, "tickwire_player_leases_lost_total")).toBe(1);
    // Its leave and the shutdown flush write nothing over the new holder's record.
    await server.close();
    expect(await store.load(KEY)).toEqual({ x: 1, y: 1, visits: 7 });
  });

  it("lets the newest join of a player replace its session here, its save landing before the load", async () => {
    const server = await serve({ dataDir: tempDir() });
    const first = await joinAt(server.port);
    const left = await walkRight(first.client, 4);
    const second = await joinAt(server.port);
    expect(await first.client.waitForClose()).toMatchObject({ code: CloseCode.SessionReplaced });
    expect({ x: second.x, y: second.y }).toEqual(left);
    expect(server.worlds.get("main")?.sessions.size).toBe(1);
  });
});

async function healthz(server: TickwireServer): Promise<{ status: string; problems?: string[] }> {
  return (await fetch(`http://127.0.0.1:${server.port}/healthz`)).json() as Promise<{ status: string; problems?: string[] }>;
}

describe("a slow or failing store", () => {
  it("answers a join when its slow load resolves, while the tick goes on for everyone else", async () => {
    const store = new UnreliableStore();
    const server = await serve({ store });
    const bob = await joinAt(server.port, "secret-of-bob");
    store.hang();
    const ann = await connect(server.port);
    ann.send({ type: MsgType.Join, name: "ann" });
    const seen = bob.client.snapshotTicks.length;
    await until(() => bob.client.snapshotTicks.length >= seen + 10, "bob's snapshots while ann's load hangs");
    expect(ann.messages.some((message) => message.type === MsgType.Welcome)).toBe(false);
    store.unhang();
    await ann.next((message) => message.type === MsgType.Welcome);
  });

  it("keeps ticking while saves fail, refuses joins clearly, reports it in /healthz, and lands the save when the store is back", async () => {
    const store = new UnreliableStore();
    const server = await serve({ store, saveIntervalMs: 100 });
    const { client } = await joinAt(server.port);
    store.failing = true;
    const reached = await walkRight(client, 4);
    const failingSince = performance.now();
    const firstTick = client.lastSnapshot?.tick ?? 0;
    await until(
      async () => (await healthz(server)).problems?.some((problem) => problem.startsWith("player store unavailable: saves are failing")) === true,
      "/healthz to report the failing store",
    );
    const bob = await connect(server.port, "secret-of-bob");
    bob.send({ type: MsgType.Join, name: "bob" });
    expect(await bob.waitForClose()).toEqual({
      code: CloseCode.StoreUnavailable,
      reason: "saved player data unavailable; try again shortly",
    });
    expect(await metricValue(server, "tickwire_player_loads_total", { outcome: "failed" })).toBe(1);
    // Ticks went on at their rate (20 Hz) the whole time: at least half of them reached the client.
    await client.nextSnapshot();
    const elapsedTicks = ((performance.now() - failingSince) / 1000) * DEFAULT_TICK_RATE;
    expect((client.lastSnapshot?.tick ?? 0) - firstTick).toBeGreaterThanOrEqual(Math.floor(elapsedTicks / 2));
    // Nothing written since the store failed: at most a save from before the walk.
    expect((await store.inner.load(KEY))?.x).not.toBe(reached.x);
    store.failing = false;
    await until(async () => (await store.inner.load(KEY))?.x === reached.x, "the save to land once the store is back");
    await until(async () => (await healthz(server)).status === "ok", "/healthz to be ok again");
  });
});

describe("two server processes on one Redis store", () => {
  let redis: LocalRedisServer | undefined;
  afterAll(async () => {
    await redis?.stop();
  });

  it("refuses a player on server B while A holds it, and B gets its saved state once A lets it go", async () => {
    redis = await LocalRedisServer.start();
    const a = await serve({ store: new RedisPlayerStore({ redis: redis.url }) });
    const b = await serve({ store: new RedisPlayerStore({ redis: redis.url }) });
    const onA = await joinAt(a.port);
    const left = await walkRight(onA.client, 4);
    const refused = await connect(b.port);
    refused.send({ type: MsgType.Join, name: "ann" });
    expect((await refused.waitForClose()).code).toBe(CloseCode.PlayerHeldElsewhere);
    await onA.client.close();
    // A saves on the leave, then releases the lease; B may take her from then on.
    await until(async () => (await metricValue(a, "tickwire_player_saves_total", { outcome: "written" })) >= 1, "A's save");
    let onB: Awaited<ReturnType<typeof joinAt>> | undefined;
    await until(async () => {
      const attempt = await connect(b.port);
      const welcomed = attempt.join("ann").then(
        () => "welcome",
        () => "no welcome",
      );
      const answer = await Promise.race([welcomed, attempt.closed]);
      if (answer !== "welcome") return false;
      await attempt.nextSnapshot(() => attempt.mirror?.has(attempt.entityId) === true);
      onB = { client: attempt, ...position(attempt) };
      return true;
    }, "B to admit ann");
    expect({ x: onB?.x, y: onB?.y }).toEqual(left);
  });
});

describe("graceful shutdown", () => {
  it("saves every player at close(), and resolves within the shutdown timeout even when the store hangs", async () => {
    const store = new UnreliableStore();
    const server = await serve({ store, limits: { shutdownTimeoutMs: 300 } });
    const ann = await joinAt(server.port);
    const bob = await joinAt(server.port, "secret-of-bob");
    const reached = await walkRight(ann.client, 3);
    await server.close();
    expect(await store.inner.load(KEY)).toMatchObject(reached);
    expect(await store.inner.load("persistent:secret-of-bob")).toMatchObject({ x: bob.x, y: bob.y });

    const hung = new UnreliableStore();
    const next = await serve({ store: hung, limits: { shutdownTimeoutMs: 300 } });
    await joinAt(next.port);
    hung.hang();
    const started = performance.now();
    await next.close();
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

/** An in-memory store that can be made to fail (reject) or hang (calls wait until released). */
class UnreliableStore implements PlayerStore {
  readonly inner = new InMemoryPlayerStore();
  failing = false;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  hang(): void {
    this.gate = new Promise((resolve) => {
      this.openGate = resolve;
    });
  }

  unhang(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    await this.gate;
    if (this.failing) throw new Error("store unreachable (on purpose)");
    return run();
  }

  load(key: string): Promise<PlayerRecord | undefined> {
    return this.call(() => this.inner.load(key));
  }
  save(key: string, holder: string, record: PlayerRecord): Promise<WriteOutcome> {
    return this.call(() => this.inner.save(key, holder, record));
  }
  delete(key: string, holder: string): Promise<WriteOutcome> {
    return this.call(() => this.inner.delete(key, holder));
  }
  acquire(key: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.call(() => this.inner.acquire(key, holder, ttlMs));
  }
  renew(key: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.call(() => this.inner.renew(key, holder, ttlMs));
  }
  release(key: string, holder: string): Promise<boolean> {
    return this.call(() => this.inner.release(key, holder));
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

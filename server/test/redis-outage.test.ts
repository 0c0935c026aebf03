/**
 * Redis frozen for 5 s (SIGSTOP) under a server that uses it for everything (registry, bus,
 * player store): the ticks never wait on it, a player's moves made during the outage are
 * saved once it is back, the outage is logged once per dependency with a clear message,
 * and /healthz names it while it lasts and is ok again after.
 */
import { afterEach, describe, expect, it } from "vitest";
import { RedisBus } from "../src/bus/index.js";
import { RedisPlayerStore } from "../src/persistence/index.js";
import { RedisRegistry } from "../src/registry/index.js";
import { CLUSTER_START, clusterGame } from "./helpers/cluster-game.js";
import { poll } from "./helpers/cluster.js";
import { TestClient } from "./helpers/client.js";
import { testSchema } from "./helpers/games.js";
import { capturedLogger, LOG_LEVEL } from "./helpers/logs.js";
import { LocalRedisServer } from "../src/local-redis.js";
import { type StartedServer, startServer } from "./helpers/server.js";

const OUTAGE_MS = 5_000;
/** A 20 Hz tick that waited on a 1 s Redis timeout would show it; a loaded machine stays far under. */
const MAX_TICK_MS = 50;
/** Snapshots every 50 ms; a gap this long would mean the tick stalled. */
const MAX_SNAPSHOT_GAP_MS = 250;
const RECOVERY_MS = 5_000;
const MOVES = 3;

interface Health {
  status: string;
  problems?: string[];
}

describe("Redis frozen for 5 s under a server", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("ticks never wait, moves made during the outage are saved after it, one error per dependency in the log, /healthz names the outage then recovers", async () => {
    const redis = await LocalRedisServer.start();
    cleanups.push(() => redis.stop());
    const log = capturedLogger();
    const registry = new RedisRegistry({ redis: redis.url, logger: log.logger });
    const bus = await RedisBus.open({ redis: redis.url, logger: log.logger });
    const store = new RedisPlayerStore({ redis: redis.url, logger: log.logger });
    cleanups.push(() => registry.close(), () => bus.close());
    const server: StartedServer = await startServer({
      worlds: [{ id: "w1", game: clusterGame(10) }],
      registry,
      bus,
      store,
      auth: (token) => token,
      saveIntervalMs: 100,
      logger: log.logger,
    });
    cleanups.push(() => server.close());
    const health = async (): Promise<Health> => (await fetch(server.httpUrl("/healthz"))).json() as Promise<Health>;
    let slowestTickMs = 0;
    server.worlds.get("w1")?.onTick((ms) => {
      slowestTickMs = Math.max(slowestTickMs, ms);
    });
    const client = await TestClient.join(server.wsUrl("w1", "ann-token"), "ann", { schema: testSchema });
    cleanups.push(() => client.close());
    await poll(async () => (await health()).status === "ok");

    redis.pause();
    const pausedAt = performance.now();
    let frozen = true;
    cleanups.push(async () => {
      if (frozen) redis.resume();
    });
    const firstArrival = client.snapshotArrivals.length;
    // Moves during the outage: three steps down, each seen applied.
    const y = () => (client.mirror?.get(client.entityId)?.values as { y: number }).y;
    for (let step = 1; step <= MOVES; step++) {
      client.sendInput([0, 1]);
      await client.nextSnapshot(() => y() === CLUSTER_START.y + 10 * step);
    }
    const during = await poll(async () => {
      const now = await health();
      const problems = now.problems ?? [];
      return problems.some((p) => p.startsWith("registry unavailable")) && problems.some((p) => p.startsWith("player store unavailable")) && now;
    }, OUTAGE_MS);
    expect(during.status).toBe("unhealthy");
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (performance.now() - pausedAt))));
    redis.resume();
    frozen = false;

    const arrivals = client.snapshotArrivals.slice(firstArrival);
    const gaps = arrivals.slice(1).map((at, i) => at - (arrivals[i] as number));
    expect(Math.max(...gaps)).toBeLessThan(MAX_SNAPSHOT_GAP_MS);
    expect(slowestTickMs).toBeLessThan(MAX_TICK_MS);

    await poll(async () => (await health()).status === "ok", RECOVERY_MS);
    const reader = new RedisPlayerStore({ redis: redis.url });
    cleanups.push(() => reader.close());
    await poll(async () => (await reader.load("cluster:ann-token"))?.y === CLUSTER_START.y + 10 * MOVES, RECOVERY_MS);
    expect(client.closeCode).toBeUndefined();

    const errors = log.lines.filter((line) => line.level === LOG_LEVEL.error).map((line) => line.msg);
    const count = (prefix: string) => errors.filter((msg) => msg.startsWith(prefix)).length;
    expect(count("registry unavailable")).toBe(1);
    expect(count("message bus unavailable")).toBe(1);
    expect(count("player save failed")).toBe(1);
    expect(count("lease renewal failed")).toBeLessThanOrEqual(1);
    const infos = log.lines.filter((line) => line.level === LOG_LEVEL.info).map((line) => line.msg);
    expect(infos).toContain("registry available again");
    expect(infos).toContain("message bus available again");
    expect(infos).toContain("player saves succeed again");
  }, 20_000);
});

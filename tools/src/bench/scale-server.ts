/**
 * Child-process entry of the scale benchmark: one tickwire server on 127.0.0.1 hosting
 * persisting field worlds, on Redis (registry, bus, player store shared with the other
 * processes) or local (in-memory registry, LMDB in a temp dir). It measures its worlds'
 * tick durations, its CPU and RSS, and the saves its store wrote, for the window the parent
 * opens. Argument: ScaleServerArgs as JSON. Talks to the parent over IPC (scale-ipc.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createLogger,
  createServer,
  InMemoryRegistry,
  LmdbPlayerStore,
  RedisBus,
  RedisPlayerStore,
  RedisRegistry,
  type WorldRegistry,
} from "@tickwire/server";
import { WindowMeter } from "./harness.js";
import { persistingFieldGame } from "./scale-game.js";
import type { ScaleServerArgs, ScaleServerReply, ScaleServerRequest } from "./scale-ipc.js";

const SAVES_METRIC = "tickwire_player_saves_total";

const args = JSON.parse(process.argv[2] ?? "{}") as ScaleServerArgs;
const send = (message: ScaleServerReply): void => {
  process.send?.(message);
};
// The parent going away must not leave a server running.
process.on("disconnect", () => process.exit(0));

const dataDir = args.backend === "local" ? mkdtempSync(join(tmpdir(), "tickwire-scale-")) : null;
process.on("exit", () => {
  if (dataDir !== null) rmSync(dataDir, { recursive: true, force: true });
});

// Warnings and errors only: a Redis outage or a failed save must show, a line per join must not.
const logger = createLogger({ level: "warn", pretty: false });
const redis = { redis: args.redisUrl ?? "", prefix: args.redisPrefix, logger };
const registry: WorldRegistry = args.backend === "redis" ? new RedisRegistry(redis) : new InMemoryRegistry();
const bus = args.backend === "redis" ? await RedisBus.open(redis) : undefined;
const server = await createServer({
  host: "127.0.0.1",
  port: args.port,
  worlds: args.worldIds.map((id) => ({
    id,
    game: persistingFieldGame({ name: "field", mobs: args.mobs, variant: args.variant, capacity: args.capacity }),
  })),
  logger,
  registry,
  store: args.backend === "redis" ? new RedisPlayerStore(redis) : new LmdbPlayerStore({ dir: dataDir ?? "" }),
  saveIntervalMs: args.saveIntervalMs,
  publicUrl: `ws://127.0.0.1:${args.port}`,
  bus,
  processId: args.processId,
  adminToken: args.adminToken,
  // A benchmark's clients come from a few loopback addresses: the per-address caps stay out of the way.
  limits: {
    maxConnectionsPerIp: args.maxConnectionsPerIp,
    maxUnjoined: args.maxConnectionsPerIp,
    maxUnjoinedPerIp: args.maxConnectionsPerIp,
    maxWorldSharePerIp: 1,
  },
  defaultMetrics: false,
});

const meter = new WindowMeter();
for (const world of server.worlds.values()) world.onTick((durationMs) => meter.record(durationMs));

/** Saves by outcome so far, from the server's own counter. */
async function saveCounts(): Promise<{ written: number; failed: number }> {
  const metric = server.metrics.registry.getSingleMetric(SAVES_METRIC);
  const values = metric === undefined ? [] : (await metric.get()).values;
  const count = (outcome: string) => values.find((value) => value.labels.outcome === outcome)?.value ?? 0;
  return { written: count("written"), failed: count("failed") };
}

let savesAtReset = { written: 0, failed: 0 };
let windowStart = performance.now();
let stopping: Promise<void> | undefined;
const stop = (): Promise<void> => {
  stopping ??= (async () => {
    await server.close();
    await registry.close();
    await bus?.close();
  })();
  return stopping;
};

process.on("message", (message: ScaleServerRequest) => {
  switch (message.type) {
    case "reset":
      meter.reset();
      windowStart = performance.now();
      void saveCounts().then((counts) => {
        savesAtReset = counts;
      });
      return;
    case "report": {
      const figures = meter.figures();
      const windowSec = (performance.now() - windowStart) / 1000;
      void saveCounts().then((counts) =>
        send({
          type: "report",
          report: {
            cpuPct: figures.cpuPct,
            rssMb: figures.rssMb,
            ticks: figures.count,
            tickP50Ms: figures.p50Ms,
            tickP99Ms: figures.p99Ms,
            tickMaxMs: figures.maxMs,
            windowSec,
            savesWritten: counts.written - savesAtReset.written,
            savesFailed: counts.failed - savesAtReset.failed,
          },
        }),
      );
      return;
    }
    case "stop":
      stop().finally(() => process.exit(0));
      return;
  }
});

send({ type: "ready", port: server.port });

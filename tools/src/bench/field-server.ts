/**
 * Child-process entry of the field benchmark: one tickwire server on 127.0.0.1 running the
 * field scene, measuring its own tick durations, CPU and RSS for the window the parent opens.
 * Argument: FieldServerArgs as JSON. Talks to the parent over IPC (field-ipc.ts).
 */
import { createServer, silentLogger } from "@tickwire/server";
import { fieldGame } from "./field-game.js";
import type { FieldServerArgs, ServerReply, ServerRequest } from "./field-ipc.js";
import { WindowMeter } from "./harness.js";

const WORLD_ID = "field";

const args = JSON.parse(process.argv[2] ?? "{}") as FieldServerArgs;
const send = (message: ServerReply): void => {
  process.send?.(message);
};

const server = await createServer({
  host: "127.0.0.1",
  port: 0,
  worlds: [{ id: WORLD_ID, game: fieldGame({ mobs: args.mobs, variant: args.variant, capacity: args.capacity }) }],
  logger: silentLogger(),
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
server.worlds.get(WORLD_ID)?.onTick((durationMs) => meter.record(durationMs));

process.on("message", (message: ServerRequest) => {
  switch (message.type) {
    case "reset":
      meter.reset();
      return;
    case "report": {
      const figures = meter.figures();
      send({
        type: "report",
        report: {
          cpuPct: figures.cpuPct,
          rssMb: figures.rssMb,
          ticks: figures.count,
          tickP50Ms: figures.p50Ms,
          tickP99Ms: figures.p99Ms,
          tickMaxMs: figures.maxMs,
        },
      });
      return;
    }
    case "stop":
      server.close().finally(() => process.exit(0));
      return;
  }
});
// The parent going away must not leave a server running.
process.on("disconnect", () => process.exit(0));

send({ type: "ready", port: server.port });

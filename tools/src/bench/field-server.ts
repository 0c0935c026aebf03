/**
 * Child-process entry of the field benchmark: one tickwire server on 127.0.0.1 running the
 * field scene, measuring its own tick durations, CPU and RSS for the window the parent opens.
 * Argument: FieldServerArgs as JSON. Talks to the parent over IPC (field-ipc.ts).
 */
import { createServer, silentLogger } from "@tickwire/server";
import { fieldGame } from "./field-game.js";
import type { FieldServerArgs, ServerReply, ServerRequest } from "./field-ipc.js";
import { percentile } from "./harness.js";

const BYTES_PER_MB = 1024 * 1024;
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
  limits: { maxConnectionsPerIp: args.maxConnectionsPerIp },
  defaultMetrics: false,
});

const tickDurations: number[] = [];
server.worlds.get(WORLD_ID)?.onTick((durationMs) => {
  tickDurations.push(durationMs);
});
let cpuStart = process.cpuUsage();
let wallStart = performance.now();

process.on("message", (message: ServerRequest) => {
  switch (message.type) {
    case "reset":
      tickDurations.length = 0;
      cpuStart = process.cpuUsage();
      wallStart = performance.now();
      return;
    case "report": {
      const cpu = process.cpuUsage(cpuStart);
      const wallMs = performance.now() - wallStart;
      const sorted = tickDurations.slice().sort((a, b) => a - b);
      send({
        type: "report",
        report: {
          cpuPct: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
          rssMb: process.memoryUsage.rss() / BYTES_PER_MB,
          ticks: sorted.length,
          tickP50Ms: percentile(sorted, 50),
          tickP99Ms: percentile(sorted, 99),
          tickMaxMs: sorted.length === 0 ? 0 : sorted[sorted.length - 1],
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

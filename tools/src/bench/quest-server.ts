/**
 * Child-process entry of the Quest benchmark: the Quest server exactly as `npm start` runs it
 * (its `main.ts`: its map, worlds, mobs, limits and static client), configured through its
 * environment, plus what the field server measures: every world's tick durations, and the
 * process's CPU and RSS, for the window the parent opens.
 * Argument: QuestServerArgs as JSON. Talks to the parent over IPC (quest-ipc.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { WindowMeter } from "./harness.js";
import type { QuestServerArgs, QuestServerReply, QuestServerRequest } from "./quest-ipc.js";
import { QUEST_DIR } from "./quest-paths.js";

/** The part of main.ts's exported server this child uses. */
interface QuestServer {
  port: number;
  metrics: { snapshotsSent: CounterLike; snapshotsSkipped: CounterLike };
  worlds: Map<string, { onTick(listener: (durationMs: number) => void): () => void }>;
  close(): Promise<void>;
}

interface CounterLike {
  get(): Promise<{ values: { value: number }[] }>;
}

const args = JSON.parse(process.argv[2] ?? "{}") as QuestServerArgs;
// main.ts parses its own flags and refuses anything else.
process.argv.splice(2);
// Bots' progress is no one's to keep: not in the game's ./data.
const dataDir = mkdtempSync(join(tmpdir(), "quest-bench-"));
process.on("exit", () => rmSync(dataDir, { recursive: true, force: true }));
const send = (message: QuestServerReply): void => {
  process.send?.(message);
};
// The parent going away must not leave a server running.
process.on("disconnect", () => process.exit(0));

Object.assign(process.env, {
  PORT: "0",
  HOST: "127.0.0.1",
  QUEST_WORLDS: String(args.worlds),
  // Info logs a line per join: hundreds of bots would fill the bench's output.
  LOG_LEVEL: "warn",
  QUEST_DATA_DIR: dataDir,
});
// The map's own mobs unless asked: not whatever the shell running the bench had set.
if (args.mobsPerWorld === null) delete process.env.QUEST_MOBS_PER_WORLD;
else process.env.QUEST_MOBS_PER_WORLD = String(args.mobsPerWorld);
const { server } = (await import(pathToFileURL(join(QUEST_DIR, "src", "server", "main.ts")).href)) as { server: QuestServer };

const meters = new Map<string, WindowMeter>();
for (const [id, world] of server.worlds) {
  const meter = new WindowMeter();
  meters.set(id, meter);
  world.onTick((durationMs) => meter.record(durationMs));
}

const total = async (counter: CounterLike): Promise<number> => (await counter.get()).values.reduce((sum, { value }) => sum + value, 0);
const snapshotCounts = async () => ({ sent: await total(server.metrics.snapshotsSent), skipped: await total(server.metrics.snapshotsSkipped) });
let windowStart = { sent: 0, skipped: 0 };

process.on("message", async (message: QuestServerRequest) => {
  switch (message.type) {
    case "reset":
      for (const meter of meters.values()) meter.reset();
      windowStart = await snapshotCounts();
      return;
    case "report": {
      const worlds = [...meters].map(([world, meter]) => ({ world, figures: meter.figures() }));
      const now = await snapshotCounts();
      const sent = now.sent - windowStart.sent;
      const skipped = now.skipped - windowStart.skipped;
      // Every meter measures the same process CPU and RSS over the same window.
      const [first] = worlds;
      send({
        type: "report",
        report: {
          cpuPct: first.figures.cpuPct,
          rssMb: first.figures.rssMb,
          snapshotsSkippedPct: sent + skipped === 0 ? 0 : (skipped / (sent + skipped)) * 100,
          worlds: worlds.map(({ world, figures }) => ({ world, ticks: figures.count, p50Ms: figures.p50Ms, p99Ms: figures.p99Ms, maxMs: figures.maxMs })),
        },
      });
      return;
    }
    case "stop":
      server.close().finally(() => process.exit(0));
      return;
  }
});

send({ type: "ready", port: server.port, worlds: [...server.worlds.keys()] });

/**
 * Child-process entry of the Quest benchmark: the bot swarm's groups, one per world (bot i
 * of the swarm plays in world i mod W, so the swarm's source addresses are shared evenly
 * and no address comes near a world's per-address cap), with Quest's own game module and
 * behaviour, measured over a window as field-load.ts does; for `fight`, each bot's
 * attack → hit latency too (quest-hits.ts).
 * Argument: QuestLoadArgs as JSON. Talks to the parent over IPC (quest-ipc.ts).
 */
import { loadBehavior } from "../bots/behavior.js";
import { loadBotGame } from "../bots/game.js";
import { threadRuntime } from "../bots/group.js";
import { createHistogram, decodeHistogram, type Histogram, histogramBuckets, toMicros } from "../bots/histogram.js";
import type { GroupSample } from "../bots/metrics.js";
import { startInlineGroup } from "../bots/workers.js";
import { progress } from "./harness.js";
import { withHitProbe } from "./quest-hits.js";
import type { LatencyFigures, QuestLoadArgs, QuestLoadMessage } from "./quest-ipc.js";

/** How often the groups are sampled: their ack histograms are per interval. */
const SAMPLE_MS = 1000;
const MICROS_PER_MS = 1000;
/** Bins of the latency distributions drawn in the report. */
const HISTOGRAM_BINS = 40;

const args = JSON.parse(process.argv[2] ?? "{}") as QuestLoadArgs;
const send = (message: QuestLoadMessage): void => {
  process.send?.(message);
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
process.on("disconnect", () => process.exit(0));

const runtime = threadRuntime();
const game = await loadBotGame(args.game, process.cwd());
const behavior = await loadBehavior(args.behavior, { cwd: process.cwd(), gameBehaviors: game.behaviors });
const hits = createHistogram();
let timingHits = false;
const measured =
  args.behavior === "fight"
    ? withHitProbe(behavior, {
        now: runtime.now,
        record: (latencyMs) => {
          if (timingHits) hits.recordValue(toMicros(latencyMs));
        },
      })
    : behavior;
const groups = await Promise.all(
  args.worlds.map((world, index) =>
    startInlineGroup(
      {
        groupIndex: index,
        groupCount: args.worlds.length,
        bots: args.worlds.length * args.botsPerWorld,
        rampPerSec: args.rampPerSec,
        url: `${args.base}/ws?world=${encodeURIComponent(world)}`,
        allowRemote: false,
        seed: args.seed,
        // `fight` needs the entities; `quest` walks by its own step, as the bots README says.
        light: args.behavior === "quest",
        inputTiming: "aligned",
        behavior: args.behavior,
        game: args.game,
        netsim: null,
        cwd: process.cwd(),
        namePrefix: "bot",
        spreadSources: true,
      },
      { ...runtime, game, behavior: measured },
    ),
  ),
);
for (const group of groups) group.start();
const sampleAll = (): Promise<GroupSample[]> => Promise.all(groups.map((group) => group.sample()));
const connected = (samples: GroupSample[]) => samples.reduce((sum, sample) => sum + sample.connected, 0);
const total = args.worlds.length * args.botsPerWorld;

// Ramp until every bot is connected (or the timeout), then warm up; samples before the
// window are taken only to drain their ack intervals.
const connectDeadline = performance.now() + args.connectTimeoutSec * 1000;
for (;;) {
  await sleep(SAMPLE_MS);
  const samples = await sampleAll();
  progress(`quest: ${connected(samples)}/${total} bots connected (${args.behavior})`);
  if (connected(samples) >= total || performance.now() > connectDeadline) break;
}
const warmupEnd = performance.now() + args.warmupSec * 1000;
while (performance.now() < warmupEnd) {
  await sleep(Math.min(SAMPLE_MS, warmupEnd - performance.now()));
  await sampleAll();
}

send({ type: "window-start" });
const start = await sampleAll();
timingHits = true;
const cpuStart = process.cpuUsage();
const wallStart = performance.now();
const ack = createHistogram();
const windowEnd = wallStart + args.windowSec * 1000;
let end = start;
while (performance.now() < windowEnd) {
  await sleep(Math.min(SAMPLE_MS, windowEnd - performance.now()));
  end = await sampleAll();
  for (const sample of end) ack.add(decodeHistogram(sample.ackInterval));
}
timingHits = false;
const windowSec = (performance.now() - wallStart) / 1000;
const cpu = process.cpuUsage(cpuStart);
const perClientSec = (from: GroupSample[], to: GroupSample[]) => {
  const clients = (connected(from) + connected(to)) / 2;
  const bytes = to.reduce((sum, sample) => sum + sample.bytesIn, 0) - from.reduce((sum, sample) => sum + sample.bytesIn, 0);
  return clients === 0 ? 0 : bytes / clients / windowSec;
};
const figures = (histogram: Histogram): LatencyFigures => ({
  count: histogram.totalCount,
  p50Ms: histogram.getValueAtPercentile(50) / MICROS_PER_MS,
  p99Ms: histogram.getValueAtPercentile(99) / MICROS_PER_MS,
  buckets: histogramBuckets(histogram, HISTOGRAM_BINS),
});
send({
  type: "window-end",
  report: {
    windowSec,
    connectedAtStart: connected(start),
    connectedAtEnd: connected(end),
    bytesPerClientSec: perClientSec(start, end),
    worldBytesPerClientSec: start.map((sample, i) => perClientSec([sample], [end[i]])),
    ack: figures(ack),
    hit: args.behavior === "fight" ? figures(hits) : null,
    cpuPct: ((cpu.user + cpu.system) / 1000 / (windowSec * 1000)) * 100,
    disconnects: end.reduce((sum, sample) => sum + sample.disconnects, 0),
    connectFailures: end.reduce((sum, sample) => sum + sample.connectFailures, 0),
  },
});
await Promise.all(groups.map((group) => group.finish()));
process.exit(0);

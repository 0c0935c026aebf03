/**
 * Child-process entry of the field benchmark: the bot swarm's light, wandering bots (one
 * group in this thread), measured over a window of their own. `runSwarm` reports whole runs
 * only, so this drives a bot group directly and keeps the samples that fall in the window:
 * ack latencies from the per-interval histograms, bytes as the difference of two totals.
 * Argument: FieldLoadArgs as JSON. Talks to the parent over IPC (field-ipc.ts).
 */
import { createHistogram, decodeHistogram } from "../bots/histogram.js";
import { threadRuntime } from "../bots/group.js";
import { startInlineGroup } from "../bots/workers.js";
import type { FieldLoadArgs, LoadMessage } from "./field-ipc.js";

/** How often the group is sampled: its ack histograms are per interval. */
const SAMPLE_MS = 1000;
const MICROS_PER_MS = 1000;

const args = JSON.parse(process.argv[2] ?? "{}") as FieldLoadArgs;
const send = (message: LoadMessage): void => {
  process.send?.(message);
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
process.on("disconnect", () => process.exit(0));

const group = await startInlineGroup(
  {
    groupIndex: 0,
    groupCount: 1,
    bots: args.bots,
    rampPerSec: args.rampPerSec,
    url: args.url,
    allowRemote: false,
    seed: args.seed,
    light: true,
    inputTiming: args.inputTiming,
    behavior: "wander",
    game: null,
    netsim: null,
    cwd: process.cwd(),
    namePrefix: "field-",
    spreadSources: true,
  },
  threadRuntime(),
);
group.start();

// Ramp until every bot is connected (or the timeout), then warm up; samples before the
// window are taken only to drain their ack intervals.
const connectDeadline = performance.now() + args.connectTimeoutSec * 1000;
for (;;) {
  await sleep(SAMPLE_MS);
  const sample = await group.sample();
  if (sample.connected >= args.bots || performance.now() > connectDeadline) break;
}
const warmupEnd = performance.now() + args.warmupSec * 1000;
while (performance.now() < warmupEnd) {
  await sleep(Math.min(SAMPLE_MS, warmupEnd - performance.now()));
  await group.sample();
}

send({ type: "window-start" });
const start = await group.sample();
const cpuStart = process.cpuUsage();
const wallStart = performance.now();
const ack = createHistogram();
const windowEnd = wallStart + args.windowSec * 1000;
let end = start;
while (performance.now() < windowEnd) {
  await sleep(Math.min(SAMPLE_MS, windowEnd - performance.now()));
  end = await group.sample();
  ack.add(decodeHistogram(end.ackInterval));
}
const windowSec = (performance.now() - wallStart) / 1000;
const cpu = process.cpuUsage(cpuStart);
const clients = (start.connected + end.connected) / 2;
const ms = (percent: number) => ack.getValueAtPercentile(percent) / MICROS_PER_MS;
send({
  type: "window-end",
  report: {
    windowSec,
    connectedAtStart: start.connected,
    connectedAtEnd: end.connected,
    bytesPerClientSec: clients === 0 ? 0 : (end.bytesIn - start.bytesIn) / clients / windowSec,
    ackCount: ack.totalCount,
    ackP50Ms: ms(50),
    ackP95Ms: ms(95),
    ackP99Ms: ms(99),
    cpuPct: ((cpu.user + cpu.system) / 1000 / (windowSec * 1000)) * 100,
  },
});
await group.finish();
process.exit(0);

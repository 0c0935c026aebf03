/**
 * The "quest" benchmark (shared/scenarios/quest.md): the Quest server as `npm start` runs it
 * (4 worlds in one process, its map and mobs) pinned to core 0, the bot swarm with Quest's own
 * behaviours pinned to core 1, measured over a window after a warm-up — `walk` (the `quest`
 * behaviour) and `fight` (the `fight` behaviour, 1,000 mobs a world) — then the page weight
 * and the first frame in headless chromium. Writes bench-results/quest.json and quest.html,
 * with the issues' targets beside each figure.
 */
import type { ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type BenchResult,
  type Chart,
  compareResults,
  findRepoRoot,
  formatComparison,
  formatNumber,
  RESULTS_DIR,
  renderReport,
  writeResultFile,
} from "../report/index.js";
import { measureWindow, nextMessage, spawnChild, stopChild } from "./children.js";
import { canPin, LOAD_SATURATED_PCT } from "./field.js";
import { progress } from "./harness.js";
import type { QuestBehavior, QuestLoadArgs, QuestLoadReport, QuestServerArgs, QuestServerReply, QuestServerReport } from "./quest-ipc.js";
import { measureQuestPage, type QuestPageFigures } from "./quest-page.js";
import { QUEST_BOTS_MODULE } from "./quest-paths.js";

export type QuestRunName = "walk" | "fight";
export const QUEST_RUNS: readonly QuestRunName[] = ["walk", "fight"];
/** The scene: 4 worlds (the server's default) of 150 bots; `fight` with 1,000 mobs a world (issue 14). */
export const QUEST_WORLDS = 4;
export const QUEST_BOTS_PER_WORLD = 150;
export const FIGHT_MOBS_PER_WORLD = 1000;
export const QUEST_WARMUP_SEC = 5;
export const QUEST_WINDOW_SEC = 20;
/** Page loads measured; the first frame is their median. */
export const QUEST_PAGE_RUNS = 3;
/** Bots started per second: the 600 are up in 3 s, without a connection burst being the load. */
const RAMP_PER_SEC = 200;
const BEHAVIOR: Readonly<Record<QuestRunName, QuestBehavior>> = { walk: "quest", fight: "fight" };
/** Other processes using this much of a core during a window make its numbers suspect. */
const BUSY_MACHINE_PCT = 10;
const STARTUP_TIMEOUT_MS = 30_000;
const CONNECT_GRACE_SEC = 15;
const KIB = 1024;

/** The issues' targets: 13 (the sample game) for `walk` and the page, 14 (combat) for `fight`. */
interface Target {
  max: number;
  issue: number;
}
const TARGETS: Readonly<Record<string, Target>> = {
  "quest.walk.tick_p99_ms": { max: 10, issue: 13 },
  "quest.walk.bytes_per_client_s": { max: 3 * KIB, issue: 13 },
  "quest.walk.ack_p99_ms": { max: 60, issue: 13 },
  "quest.fight.tick_p99_ms": { max: 12, issue: 14 },
  "quest.fight.bytes_per_client_s": { max: 4 * KIB, issue: 14 },
  "quest.page_bytes": { max: 800 * KIB, issue: 13 },
  "quest.first_frame_ms": { max: 2000, issue: 13 },
};

export interface QuestOptions {
  runs?: readonly QuestRunName[];
  worlds?: number;
  botsPerWorld?: number;
  fightMobsPerWorld?: number;
  warmupSec?: number;
  windowSec?: number;
  /** Page loads for the page weight and first frame; 0 skips them. */
  pageRuns?: number;
  seed?: number;
  /** Repo root holding bench-results/ (default: found from the working directory). */
  root?: string;
  /** Write a V8 CPU profile of each run's server and bots (`--cpu-prof`) here, to see where their time goes. */
  profileDir?: string;
}

export interface QuestRun {
  run: QuestRunName;
  bots: number;
  mobsPerWorld: number | null;
  server: QuestServerReport;
  load: QuestLoadReport;
  /** CPU used on the machine during the window by everything but this runner, server and load, % of one core. */
  otherCpuPct: number;
}

export interface QuestOutcome {
  runs: QuestRun[];
  page: QuestPageFigures | null;
  results: BenchResult[];
  jsonPath: string;
  htmlPath: string;
  pinned: boolean;
}

type Settings = Required<Omit<QuestOptions, "root" | "profileDir">> & Pick<QuestOptions, "profileDir">;

/** One run: server up, bots ramped and warmed up, then the window measured on both sides. */
async function measure(run: QuestRunName, settings: Settings, pinned: boolean): Promise<QuestRun> {
  const mobsPerWorld = run === "fight" ? settings.fightMobsPerWorld : null;
  const serverArgs: QuestServerArgs = { worlds: settings.worlds, mobsPerWorld };
  // One directory a process and run: the main thread and tsx's loader thread each write a profile.
  const profile = (role: string) => (settings.profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${join(settings.profileDir, `${role}-${run}`)}`]);
  const server = spawnChild("quest-server.ts", serverArgs, pinned ? 0 : null, profile("server"));
  let load: ChildProcess | null = null;
  try {
    const ready = await nextMessage<QuestServerReply, "ready">(server, "ready", STARTUP_TIMEOUT_MS);
    const bots = ready.worlds.length * settings.botsPerWorld;
    const loadArgs: QuestLoadArgs = {
      base: `ws://127.0.0.1:${ready.port}`,
      worlds: ready.worlds,
      botsPerWorld: settings.botsPerWorld,
      behavior: BEHAVIOR[run],
      game: QUEST_BOTS_MODULE,
      rampPerSec: RAMP_PER_SEC,
      warmupSec: settings.warmupSec,
      windowSec: settings.windowSec,
      connectTimeoutSec: bots / RAMP_PER_SEC + CONNECT_GRACE_SEC,
      seed: settings.seed,
    };
    load = spawnChild("quest-load.ts", loadArgs, pinned ? 1 : null, profile("bots"));
    const untilWindowMs = STARTUP_TIMEOUT_MS + (loadArgs.connectTimeoutSec + loadArgs.warmupSec + 2) * 1000;
    const measured = await measureWindow<QuestServerReport, QuestLoadReport>(server, load, { untilWindowMs, windowSec: settings.windowSec });
    return { run, bots, mobsPerWorld, server: measured.server, load: measured.load, otherCpuPct: measured.otherCpuPct };
  } finally {
    if (load !== null) await stopChild(load);
    await stopChild(server);
  }
}

/** The world whose tick p99 is the highest: the figure the targets are about. */
export function worstWorld(server: QuestServerReport): QuestServerReport["worlds"][number] {
  return server.worlds.reduce((worst, world) => (world.p99Ms > worst.p99Ms ? world : worst));
}

/** A target's params: what it is, which issue set it, and whether the value meets it. */
function targetParams(metric: string, value: number): Record<string, string | number | boolean> {
  const target = TARGETS[metric];
  return target === undefined ? {} : { targetMax: target.max, targetIssue: target.issue, targetMet: value <= target.max };
}

function result(metric: string, value: number, unit: string, params: Record<string, string | number | boolean>): BenchResult {
  return { metric, value, unit, params: { ...params, ...targetParams(metric, value) } };
}

export function runMetrics(run: QuestRun, settings: Pick<Settings, "warmupSec" | "windowSec">, pinned: boolean): BenchResult[] {
  const worst = worstWorld(run.server);
  const params = {
    worlds: run.server.worlds.length,
    botsPerWorld: run.bots / run.server.worlds.length,
    behavior: BEHAVIOR[run.run],
    mobsPerWorld: run.mobsPerWorld ?? "map",
    warmupSec: settings.warmupSec,
    windowSec: settings.windowSec,
    pinned,
  };
  const tickParams = { ...params, world: worst.world };
  const metric = (name: string, value: number, unit: string, extra: object = {}) => result(`quest.${run.run}.${name}`, value, unit, { ...params, ...extra });
  const hit = run.load.hit;
  return [
    metric("cpu_pct", run.server.cpuPct, "%"),
    metric("rss_mb", run.server.rssMb, "MiB"),
    metric("tick_p50_ms", worst.p50Ms, "ms", tickParams),
    metric("tick_p99_ms", worst.p99Ms, "ms", tickParams),
    metric("bytes_per_client_s", run.load.bytesPerClientSec, "bytes/s"),
    metric("snapshots_skipped_pct", run.server.snapshotsSkippedPct, "%"),
    metric("ack_p50_ms", run.load.ack.p50Ms, "ms"),
    metric("ack_p99_ms", run.load.ack.p99Ms, "ms"),
    metric("connected", run.load.connectedAtEnd, "clients", { bots: run.bots }),
    ...(hit === null ? [] : [metric("hit_p50_ms", hit.p50Ms, "ms", { hits: hit.count }), metric("hit_p99_ms", hit.p99Ms, "ms", { hits: hit.count })]),
    metric("load_cpu_pct", run.load.cpuPct, "%", { loadSaturated: run.load.cpuPct >= LOAD_SATURATED_PCT }),
    metric("other_cpu_pct", run.otherCpuPct, "%"),
  ];
}

export function pageMetrics(page: QuestPageFigures, runs: number): BenchResult[] {
  return [
    result("quest.page_bytes", page.pageBytes, "bytes", { files: page.files, compression: "gzip -9 text, images as served" }),
    result("quest.first_frame_ms", page.firstFrameMs, "ms", { runs, statistic: "median", browser: "chromium headless, SwiftShader" }),
  ];
}

const TABLE_COLUMNS = ["metric", "value", "unit", "target", "met"] as const;

function targetCells(metric: string, value: number): [string, string] {
  const target = TARGETS[metric];
  if (target === undefined) return ["", ""];
  return [`≤ ${formatNumber(target.max)} (issue ${target.issue})`, value <= target.max ? "yes" : "NO"];
}

function tableRows(results: readonly BenchResult[]): (string | number)[][] {
  return results.map((r) => [r.metric, Number(r.value.toPrecision(4)), r.unit, ...targetCells(r.metric, r.value)]);
}

const WORLD_COLUMNS = ["run", "world", "ticks", "tick p50 ms", "tick p99 ms", "tick max ms", "KiB/s per client"] as const;

function worldRows(runs: readonly QuestRun[]): (string | number)[][] {
  const round = (value: number) => Number(value.toFixed(2));
  return runs.flatMap((run) =>
    run.server.worlds.map((world, i) => [run.run, world.world, world.ticks, round(world.p50Ms), round(world.p99Ms), round(world.maxMs), round((run.load.worldBytesPerClientSec[i] ?? 0) / KIB)]),
  );
}

/** A Markdown table (the README's format), also printed to the terminal. */
export function formatTable(columns: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cell = (value: string | number) => (typeof value === "number" ? formatNumber(value) : value);
  return [`| ${columns.join(" | ")} |`, `|${columns.map(() => " --- ").join("|")}|`, ...rows.map((row) => `| ${row.map(cell).join(" | ")} |`)].join("\n");
}

function charts(runs: readonly QuestRun[]): Chart[] {
  const worlds = runs[0]?.server.worlds.map((world) => world.world) ?? [];
  const perWorld = (value: (run: QuestRun, index: number) => number, label: string) =>
    runs.map((run) => ({ name: `${run.run}${label}`, values: worlds.map((_, i) => value(run, i)) }));
  const latency = (title: string, figures: QuestLoadReport["ack"], target: number | undefined): Chart => ({
    kind: "histogram",
    title,
    xLabel: "ms",
    buckets: figures.buckets,
    percentiles: [],
    markers: [
      { label: "p50", value: figures.p50Ms },
      { label: "p99", value: figures.p99Ms },
      ...(target === undefined ? [] : [{ label: "target p99", value: target }]),
    ],
  });
  return [
    {
      kind: "bar",
      title: "Tick duration per world",
      yLabel: "ms",
      xLabel: "world",
      categories: worlds,
      series: [...perWorld((run, i) => run.server.worlds[i].p50Ms, " p50"), ...perWorld((run, i) => run.server.worlds[i].p99Ms, " p99")],
    },
    {
      kind: "bar",
      title: "Bytes received per client",
      yLabel: "KiB/s",
      xLabel: "world",
      categories: worlds,
      series: perWorld((run, i) => (run.load.worldBytesPerClientSec[i] ?? 0) / KIB, ""),
    },
    ...runs.map((run) => latency(`Input→ack latency, ${run.run}`, run.load.ack, TARGETS[`quest.${run.run}.ack_p99_ms`]?.max)),
    ...runs.flatMap((run) => (run.load.hit === null ? [] : [latency(`Attack→hit latency, ${run.run}`, run.load.hit, undefined)])),
  ];
}

/** Runs walk and fight in turn, then the page; writes quest.json and quest.html, prints the comparison and the tables. */
export async function runQuest(options: QuestOptions = {}): Promise<QuestOutcome> {
  const settings: Settings = {
    runs: options.runs ?? QUEST_RUNS,
    worlds: options.worlds ?? QUEST_WORLDS,
    botsPerWorld: options.botsPerWorld ?? QUEST_BOTS_PER_WORLD,
    fightMobsPerWorld: options.fightMobsPerWorld ?? FIGHT_MOBS_PER_WORLD,
    warmupSec: options.warmupSec ?? QUEST_WARMUP_SEC,
    windowSec: options.windowSec ?? QUEST_WINDOW_SEC,
    pageRuns: options.pageRuns ?? QUEST_PAGE_RUNS,
    seed: options.seed ?? 1,
    profileDir: options.profileDir,
  };
  const pinned = canPin();
  progress(pinned ? "quest: server pinned to core 0, bots to core 1 (taskset)" : "quest: NOT pinned (needs 2+ cores and taskset): server and bots share the cores");
  const runs: QuestRun[] = [];
  const results: BenchResult[] = [];
  for (const name of settings.runs) {
    const mobs = name === "fight" ? `${settings.fightMobsPerWorld} mobs a world` : "the map's mobs";
    progress(`quest: ${name}, ${settings.worlds} worlds × ${settings.botsPerWorld} bots (${BEHAVIOR[name]}), ${mobs}: warm-up ${settings.warmupSec} s, window ${settings.windowSec} s`);
    const run = await measure(name, settings, pinned);
    runs.push(run);
    results.push(...runMetrics(run, settings, pinned));
    const worst = worstWorld(run.server);
    const hit = run.load.hit === null ? "" : `, attack→hit p99 ${run.load.hit.p99Ms.toFixed(0)} ms (${run.load.hit.count} hits)`;
    const saturated = run.load.cpuPct >= LOAD_SATURATED_PCT ? "  LOAD GENERATOR SATURATED (its numbers include its own queueing)" : "";
    progress(
      `quest: ${name}: ${run.load.connectedAtEnd}/${run.bots} connected, CPU ${run.server.cpuPct.toFixed(1)}%, worst tick p99 ${worst.p99Ms.toFixed(2)} ms (${worst.world}), ` +
        `${(run.load.bytesPerClientSec / KIB).toFixed(2)} KiB/s a client, ack p99 ${run.load.ack.p99Ms.toFixed(1)} ms${hit}, load CPU ${run.load.cpuPct.toFixed(0)}%, ` +
        `other processes ${run.otherCpuPct.toFixed(0)}%${saturated}`,
    );
  }
  let page: QuestPageFigures | null = null;
  if (settings.pageRuns > 0) {
    progress(`quest: page weight and first frame, ${settings.pageRuns} loads in headless chromium`);
    page = await measureQuestPage(settings.pageRuns);
    results.push(...pageMetrics(page, settings.pageRuns));
  }
  const { path: jsonPath, file, previous } = await writeResultFile("quest", results, { root: options.root });
  const htmlPath = join(options.root ?? findRepoRoot(), RESULTS_DIR, "quest.html");
  const subtitle =
    `${settings.worlds} worlds × ${settings.botsPerWorld} bots, window ${settings.windowSec} s after ${settings.warmupSec} s warm-up, ${file.when}, ` +
    `node ${file.node}, ${file.cpus} CPUs, ${pinned ? "server on core 0, bots on core 1" : "not pinned"}`;
  await writeFile(
    htmlPath,
    renderReport({
      title: "Quest benchmark",
      subtitle,
      summary: runs.map((run) => ({ label: `${run.run}: bots connected at the end`, value: `${run.load.connectedAtEnd} of ${run.bots}` })),
      tables: [
        { title: "Figures and targets", columns: TABLE_COLUMNS, rows: tableRows(results) },
        { title: "Per world", columns: WORLD_COLUMNS, rows: worldRows(runs) },
      ],
      charts: charts(runs),
    }),
  );
  console.log(formatComparison(compareResults(previous, file)));
  console.log(`\n${formatTable(TABLE_COLUMNS, tableRows(results))}\n`);
  console.log(`${formatTable(WORLD_COLUMNS, worldRows(runs))}\n`);
  const saturatedRuns = runs.filter((run) => run.load.cpuPct >= LOAD_SATURATED_PCT);
  if (saturatedRuns.length > 0) console.log(`bots saturated their core (≥ ${LOAD_SATURATED_PCT}%) in: ${saturatedRuns.map((run) => run.run).join(", ")}`);
  if (!pinned) console.log("server and bots were not pinned to separate cores");
  const hitless = runs.filter((run) => run.load.hit?.count === 0);
  if (hitless.length > 0) console.log(`no attack→hit measured in: ${hitless.map((run) => run.run).join(", ")} (its hit_p50_ms, hit_p99_ms are 0)`);
  const busyRuns = runs.filter((run) => run.otherCpuPct >= BUSY_MACHINE_PCT);
  if (busyRuns.length > 0) console.log(`other processes used ≥ ${BUSY_MACHINE_PCT}% of a core during: ${busyRuns.map((run) => run.run).join(", ")} (numbers disturbed)`);
  console.log(`written to ${jsonPath} and ${htmlPath}`);
  return { runs, page, results, jsonPath, htmlPath, pinned };
}

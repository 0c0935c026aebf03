/**
 * The "field" benchmark (shared/scenarios/field.md): for each variant and client count, a
 * tickwire server running the field scene in one process and the bot swarm in another,
 * pinned to separate cores, measured over a window after a warm-up. Writes
 * bench-results/field.json and bench-results/field.html.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { writeFile } from "node:fs/promises";
import { availableParallelism, cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
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
import type { FieldVariant } from "./field-game.js";
import type { FieldLoadArgs, FieldLoadReport, FieldServerArgs, FieldServerReport, LoadMessage, ServerReply } from "./field-ipc.js";
import { progress } from "./harness.js";

export const FIELD_MOBS = 500;
export const FIELD_CLIENTS = [50, 200, 500, 1000, 2000] as const;
export const FIELD_VARIANTS: readonly FieldVariant[] = ["all", "aoi"];
export const FIELD_WARMUP_SEC = 5;
export const FIELD_WINDOW_SEC = 20;
/** Bots started per second: fast enough that C=2000 is up in 10 s, slow enough not to be the load. */
const RAMP_PER_SEC = 200;
/** Seats above C, so a bot that reconnects is not refused as "world full". */
const CAPACITY_MARGIN = 16;
/** The swarm spreads bots over source addresses, 50 each; this only keeps the per-IP cap out of the way. */
const MAX_CONNECTIONS_PER_IP = 10_000;
/** A load process at this share of its core is measuring itself, not the server. */
export const LOAD_SATURATED_PCT = 90;
/** Other processes using this much of a core during a window make its numbers suspect. */
const BUSY_MACHINE_PCT = 10;
/** Time a child gets to start, and the bots to connect beyond the ramp. */
const STARTUP_TIMEOUT_MS = 30_000;
const CONNECT_GRACE_SEC = 15;

const HERE = dirname(fileURLToPath(import.meta.url));
/** The tools package: where `--import tsx` and the `source` condition resolve. */
const TOOLS_DIR = join(HERE, "..", "..");

export interface FieldOptions {
  clients: readonly number[];
  variants: readonly FieldVariant[];
  mobs?: number;
  warmupSec?: number;
  windowSec?: number;
  seed?: number;
  /** Repo root holding bench-results/ (default: found from the working directory). */
  root?: string;
  /** Write a V8 CPU profile of each server run here (`--cpu-prof`), to see where its time goes. */
  profileDir?: string;
}

export interface FieldRun {
  variant: FieldVariant;
  clients: number;
  server: FieldServerReport;
  load: FieldLoadReport;
  /** CPU used on the machine during the window by everything but this runner, server and load, % of one core. */
  otherCpuPct: number;
}

export interface FieldOutcome {
  runs: FieldRun[];
  results: BenchResult[];
  jsonPath: string;
  htmlPath: string;
  pinned: boolean;
}

/** Busy CPU time of the whole machine so far, ms (all cores). */
function machineBusyMs(): number {
  let busy = 0;
  for (const { times } of cpus()) busy += times.user + times.nice + times.sys + times.irq;
  return busy;
}

/** Whether server and load can each have a core of their own. */
export function canPin(): boolean {
  if (availableParallelism() < 2) return false;
  return spawnSync("taskset", ["--version"], { stdio: "ignore" }).status === 0;
}

function spawnChild(entry: string, argument: object, core: number | null, nodeFlags: readonly string[] = []): ChildProcess {
  const node = [process.execPath, ...nodeFlags, "--conditions=source", "--import", "tsx", join(HERE, entry), JSON.stringify(argument)];
  const [command, ...args] = core === null ? node : ["taskset", "-c", String(core), ...node];
  return spawn(command, args, { cwd: TOOLS_DIR, stdio: ["ignore", "inherit", "inherit", "ipc"] });
}

/** The next IPC message of `type` from `child`; rejects if the child exits first or `timeoutMs` passes. */
function nextMessage<M extends { type: string }, T extends M["type"]>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
): Promise<Extract<M, { type: T }>> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    const onMessage = (message: M) => {
      if (message.type !== type) return;
      cleanup();
      resolve(message as Extract<M, { type: T }>);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`${child.spawnargs.join(" ").slice(0, 120)}… exited (${code}) before "${type}"`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no "${type}" from the child within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  if (child.connected) child.send({ type: "stop" });
  const killTimer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(killTimer);
}

/** One (variant, C) run: server up, bots ramped and warmed up, then the window measured on both sides. */
async function measure(
  variant: FieldVariant,
  clients: number,
  options: Required<Omit<FieldOptions, "root" | "profileDir">> & Pick<FieldOptions, "profileDir">,
  pinned: boolean,
): Promise<FieldRun> {
  const serverArgs: FieldServerArgs = {
    mobs: options.mobs,
    variant,
    capacity: clients + CAPACITY_MARGIN,
    maxConnectionsPerIp: MAX_CONNECTIONS_PER_IP,
  };
  // One directory a process and run: the main thread and tsx's loader thread each write a profile.
  const profile = (role: string) =>
    options.profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${join(options.profileDir, `${role}-${variant}-c${clients}`)}`];
  const server = spawnChild("field-server.ts", serverArgs, pinned ? 0 : null, profile("server"));
  let load: ChildProcess | null = null;
  try {
    const { port } = await nextMessage<ServerReply, "ready">(server, "ready", STARTUP_TIMEOUT_MS);
    const loadArgs: FieldLoadArgs = {
      url: `ws://127.0.0.1:${port}/ws?world=field`,
      bots: clients,
      rampPerSec: RAMP_PER_SEC,
      warmupSec: options.warmupSec,
      windowSec: options.windowSec,
      connectTimeoutSec: clients / RAMP_PER_SEC + CONNECT_GRACE_SEC,
      seed: options.seed,
    };
    load = spawnChild("field-load.ts", loadArgs, pinned ? 1 : null, profile("load"));
    const untilWindow = STARTUP_TIMEOUT_MS + (loadArgs.connectTimeoutSec + loadArgs.warmupSec + 2) * 1000;
    await nextMessage<LoadMessage, "window-start">(load, "window-start", untilWindow);
    server.send({ type: "reset" });
    const busyStart = machineBusyMs();
    const ownStart = process.cpuUsage();
    const ended = await nextMessage<LoadMessage, "window-end">(load, "window-end", (options.windowSec + 10) * 1000);
    server.send({ type: "report" });
    const own = process.cpuUsage(ownStart);
    const windowMs = ended.report.windowSec * 1000;
    const machinePct = ((machineBusyMs() - busyStart - (own.user + own.system) / 1000) / windowMs) * 100;
    const reported = await nextMessage<ServerReply, "report">(server, "report", 10_000);
    const otherCpuPct = Math.max(0, machinePct - reported.report.cpuPct - ended.report.cpuPct);
    return { variant, clients, server: reported.report, load: ended.report, otherCpuPct };
  } finally {
    if (load !== null) await stopChild(load);
    await stopChild(server);
  }
}

function metricsOf(run: FieldRun, mobs: number, windowSec: number, pinned: boolean): BenchResult[] {
  const prefix = `field.${run.variant}.c${run.clients}`;
  const params = { E: mobs, C: run.clients, variant: run.variant, windowSec, pinned };
  const loadSaturated = run.load.cpuPct >= LOAD_SATURATED_PCT;
  const metric = (name: string, value: number, unit: string): BenchResult => ({ metric: `${prefix}.${name}`, value, unit, params });
  return [
    metric("tick_p50_ms", run.server.tickP50Ms, "ms"),
    metric("tick_p99_ms", run.server.tickP99Ms, "ms"),
    metric("tick_max_ms", run.server.tickMaxMs, "ms"),
    metric("cpu_pct", run.server.cpuPct, "%"),
    metric("rss_mb", run.server.rssMb, "MiB"),
    metric("bytes_per_client_s", run.load.bytesPerClientSec, "bytes/s"),
    metric("ack_p50_ms", run.load.ackP50Ms, "ms"),
    metric("ack_p95_ms", run.load.ackP95Ms, "ms"),
    metric("ack_p99_ms", run.load.ackP99Ms, "ms"),
    metric("connected", run.load.connectedAtEnd, "clients"),
    { ...metric("load_cpu_pct", run.load.cpuPct, "%"), params: { ...params, loadSaturated } },
    metric("other_cpu_pct", run.otherCpuPct, "%"),
  ];
}

const TABLE_COLUMNS = [
  "variant",
  "C",
  "connected",
  "CPU %",
  "RSS MiB",
  "tick p50 ms",
  "tick p99 ms",
  "tick max ms",
  "KiB/s per client",
  "ack p50 ms",
  "ack p95 ms",
  "ack p99 ms",
  "load CPU %",
  "other CPU %",
] as const;

function tableRow(run: FieldRun): (string | number)[] {
  const round = (value: number, digits: number) => Number(value.toFixed(digits));
  const saturated = run.load.cpuPct >= LOAD_SATURATED_PCT ? " (saturated)" : "";
  return [
    run.variant,
    run.clients,
    run.load.connectedAtEnd,
    round(run.server.cpuPct, 1),
    round(run.server.rssMb, 0),
    round(run.server.tickP50Ms, 2),
    round(run.server.tickP99Ms, 2),
    round(run.server.tickMaxMs, 2),
    round(run.load.bytesPerClientSec / 1024, 2),
    round(run.load.ackP50Ms, 1),
    round(run.load.ackP95Ms, 1),
    round(run.load.ackP99Ms, 1),
    `${round(run.load.cpuPct, 0)}${saturated}`,
    round(run.otherCpuPct, 0),
  ];
}

/** The runs as a Markdown table (the README's format), also printed to the terminal. */
export function formatFieldTable(runs: readonly FieldRun[]): string {
  const cell = (value: string | number) => (typeof value === "number" ? formatNumber(value) : value);
  const lines = [`| ${TABLE_COLUMNS.join(" | ")} |`, `|${TABLE_COLUMNS.map(() => " --- ").join("|")}|`];
  for (const run of runs) lines.push(`| ${tableRow(run).map(cell).join(" | ")} |`);
  return lines.join("\n");
}

function charts(runs: readonly FieldRun[], variants: readonly FieldVariant[]): Chart[] {
  const sizes = [...new Set(runs.map((run) => run.clients))].sort((a, b) => a - b);
  const categories = sizes.map((size) => `C=${size}`);
  const series = (name: (variant: FieldVariant) => string, value: (run: FieldRun) => number) =>
    variants.map((variant) => ({
      name: name(variant),
      values: sizes.map((size) => {
        const run = runs.find((r) => r.variant === variant && r.clients === size);
        return run === undefined ? 0 : value(run);
      }),
    }));
  return [
    { kind: "bar", title: "Server CPU", yLabel: "% of one core", xLabel: "clients", categories, series: series((v) => v, (r) => r.server.cpuPct) },
    { kind: "bar", title: "Tick duration p99", yLabel: "ms", xLabel: "clients", categories, series: series((v) => v, (r) => r.server.tickP99Ms) },
    {
      kind: "bar",
      title: "Input→ack latency",
      yLabel: "ms",
      xLabel: "clients",
      categories,
      series: [...series((v) => `${v} p50`, (r) => r.load.ackP50Ms), ...series((v) => `${v} p99`, (r) => r.load.ackP99Ms)],
    },
    {
      kind: "bar",
      title: "Bytes received per client",
      yLabel: "KiB/s",
      xLabel: "clients",
      categories,
      series: series((v) => v, (r) => r.load.bytesPerClientSec / 1024),
    },
  ];
}

/** Runs every (variant, C) in turn, writes field.json and field.html, prints the comparison and the table. */
export async function runField(options: FieldOptions): Promise<FieldOutcome> {
  const settings = {
    clients: options.clients,
    variants: options.variants,
    mobs: options.mobs ?? FIELD_MOBS,
    warmupSec: options.warmupSec ?? FIELD_WARMUP_SEC,
    windowSec: options.windowSec ?? FIELD_WINDOW_SEC,
    seed: options.seed ?? 1,
    profileDir: options.profileDir,
  };
  const pinned = canPin();
  progress(
    pinned
      ? "field: server pinned to core 0, load to core 1 (taskset)"
      : "field: NOT pinned (needs 2+ cores and taskset): server and load share the cores",
  );
  const runs: FieldRun[] = [];
  const results: BenchResult[] = [];
  for (const variant of settings.variants) {
    for (const clients of settings.clients) {
      progress(`field: ${variant}, C=${clients}, E=${settings.mobs}: warm-up ${settings.warmupSec} s, window ${settings.windowSec} s`);
      const run = await measure(variant, clients, settings, pinned);
      runs.push(run);
      results.push(...metricsOf(run, settings.mobs, settings.windowSec, pinned));
      const saturated = run.load.cpuPct >= LOAD_SATURATED_PCT ? "  LOAD GENERATOR SATURATED (its numbers include its own queueing)" : "";
      progress(
        `field: ${variant} C=${clients}: ${run.load.connectedAtEnd} connected, CPU ${run.server.cpuPct.toFixed(1)}%, ` +
          `tick p99 ${run.server.tickP99Ms.toFixed(2)} ms, ack p99 ${run.load.ackP99Ms.toFixed(1)} ms, load CPU ${run.load.cpuPct.toFixed(0)}%, ` +
          `other processes ${run.otherCpuPct.toFixed(0)}%${saturated}`,
      );
    }
  }
  const { path: jsonPath, file, previous } = await writeResultFile("field", results, { root: options.root });
  const htmlPath = join(options.root ?? findRepoRoot(), RESULTS_DIR, "field.html");
  const subtitle = `E=${settings.mobs}, window ${settings.windowSec} s after ${settings.warmupSec} s warm-up, ${file.when}, node ${file.node}, ${file.cpus} CPUs, ${pinned ? "server on core 0, load on core 1" : "not pinned"}`;
  await writeFile(
    htmlPath,
    renderReport({
      title: "tickwire field benchmark",
      subtitle,
      tables: [{ title: "Runs", columns: TABLE_COLUMNS, rows: runs.map(tableRow) }],
      charts: charts(runs, settings.variants),
    }),
  );
  console.log(formatComparison(compareResults(previous, file)));
  console.log(`\n${formatFieldTable(runs)}\n`);
  const saturatedRuns = runs.filter((run) => run.load.cpuPct >= LOAD_SATURATED_PCT);
  if (saturatedRuns.length > 0) {
    console.log(`load generator saturated its core (≥ ${LOAD_SATURATED_PCT}%) in: ${saturatedRuns.map((r) => `${r.variant} C=${r.clients}`).join(", ")}`);
  }
  if (!pinned) console.log("server and load were not pinned to separate cores");
  const busyRuns = runs.filter((run) => run.otherCpuPct >= BUSY_MACHINE_PCT);
  if (busyRuns.length > 0) {
    console.log(`other processes used ≥ ${BUSY_MACHINE_PCT}% of a core during: ${busyRuns.map((r) => `${r.variant} C=${r.clients}`).join(", ")} (numbers disturbed)`);
  }
  console.log(`written to ${jsonPath} and ${htmlPath}`);
  return { runs, results, jsonPath, htmlPath, pinned };
}

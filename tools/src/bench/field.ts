/**
 * The "field" benchmark (shared/scenarios/field.md): for each variant and client count, a
 * tickwire server running the field scene in one process and the bot swarm in another,
 * pinned to separate cores, measured over a window after a warm-up. Writes
 * bench-results/field.json and bench-results/field.html.
 */
import { type ChildProcess, spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
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
  type SummaryRow,
  writeResultFile,
} from "../report/index.js";
import { measureWindow, nextMessage, spawnChild, stopChild } from "./children.js";
import type { FieldVariant } from "./field-game.js";
import type { FieldLoadArgs, FieldLoadReport, FieldServerArgs, FieldServerReport, ServerReply } from "./field-ipc.js";
import { FLOOR_TICK_MS, type FloorRun, runFloor } from "./floor.js";
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
/** The floor (floor.ts) is measured at every C from here up, where the targets are set. */
const FLOOR_FROM_CLIENTS = 1000;
/** The floor on the machine the issue's targets were set on. */
const REFERENCE_FLOOR = { clients: 1000, cpuPct: 13 } as const;
/** However little a field run received, the floor still sends a message of this size. */
const FLOOR_MIN_MESSAGE_BYTES = 64;
export const FLOOR_LABEL = "floor (bare uWS)";
export const SENDS_ONLY_FLOOR_LABEL = "floor, sends only";
/** A table cell the floor has no figure for. */
const NOT_MEASURED = "–";

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
  /** Measure the floor after the field runs, to read tickwire's CPU against (default true). */
  floor?: boolean;
  /** The bots' input timing (default "aligned", the client's default). */
  inputTiming?: "aligned" | "free";
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
  floors: FloorRun[];
  results: BenchResult[];
  jsonPath: string;
  htmlPath: string;
  pinned: boolean;
}

/** Whether server and load can each have a core of their own. */
export function canPin(): boolean {
  if (availableParallelism() < 2) return false;
  return spawnSync("taskset", ["--version"], { stdio: "ignore" }).status === 0;
}

/** One (variant, C) run: server up, bots ramped and warmed up, then the window measured on both sides. */
async function measure(
  variant: FieldVariant,
  clients: number,
  options: Required<Omit<FieldOptions, "root" | "profileDir" | "floor">> & Pick<FieldOptions, "profileDir">,
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
      inputTiming: options.inputTiming,
    };
    load = spawnChild("field-load.ts", loadArgs, pinned ? 1 : null, profile("load"));
    const untilWindowMs = STARTUP_TIMEOUT_MS + (loadArgs.connectTimeoutSec + loadArgs.warmupSec + 2) * 1000;
    const { server: serverReport, load: loadReport, otherCpuPct } = await measureWindow<FieldServerReport, FieldLoadReport>(server, load, {
      untilWindowMs,
      windowSec: options.windowSec,
    });
    return { variant, clients, server: serverReport, load: loadReport, otherCpuPct };
  } finally {
    if (load !== null) await stopChild(load);
    await stopChild(server);
  }
}

function metricsOf(run: FieldRun, mobs: number, windowSec: number, pinned: boolean, inputTiming: string): BenchResult[] {
  const prefix = `field.${run.variant}.c${run.clients}`;
  const params = { E: mobs, C: run.clients, variant: run.variant, windowSec, pinned, inputTiming };
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

/** The client counts to measure the floor at: each from FLOOR_FROM_CLIENTS up, else (a quick run) the largest. */
export function floorClientCounts(clients: readonly number[]): number[] {
  if (clients.length === 0) return [];
  const large = [...new Set(clients.filter((count) => count >= FLOOR_FROM_CLIENTS))].sort((a, b) => a - b);
  return large.length > 0 ? large : [Math.max(...clients)];
}

/** The floor's message: the mean snapshot payload a client of the aoi run (else all) at `clients` received per tick. */
export function floorMessageBytes(runs: readonly FieldRun[], clients: number): number {
  const atSize = runs.filter((run) => run.clients === clients);
  const run = atSize.find((r) => r.variant === "aoi") ?? atSize[0];
  const perTick = run === undefined ? 0 : Math.round((run.load.bytesPerClientSec * FLOOR_TICK_MS) / 1000);
  return Math.max(FLOOR_MIN_MESSAGE_BYTES, perTick);
}

/** The field runs at the floor's C, each with its server CPU as a multiple of the floor's. */
/** tickwire's CPU over the floor's, for the floor with the clients' inputs (the scene's work); none for the sends-only floor. */
function againstFloor(runs: readonly FieldRun[], floor: FloorRun): { run: FieldRun; cpuVsFloor: number }[] {
  if (!floor.clientInputs) return [];
  return runs.filter((run) => run.clients === floor.clients).map((run) => ({ run, cpuVsFloor: run.server.cpuPct / floor.cpuPct }));
}

/**
 * `field.floor.c<C>.*` (clients sending inputs, as in the scene) and `field.<variant>.c<C>.cpu_vs_floor`
 * for every variant run at that C; `field.floor_sends_only.c<C>.*` for the floor without inputs.
 */
export function floorMetrics(floor: FloorRun, runs: readonly FieldRun[], mobs: number, windowSec: number, pinned: boolean): BenchResult[] {
  const params = { C: floor.clients, messageBytes: floor.messageBytes, clientInputs: floor.clientInputs, windowSec, pinned };
  const metric = (name: string, value: number, unit: string): BenchResult => ({
    metric: `field.${floor.clientInputs ? "floor" : "floor_sends_only"}.c${floor.clients}.${name}`,
    value,
    unit,
    params,
  });
  return [
    metric("cpu_pct", floor.cpuPct, "%"),
    metric("send_p99_ms", floor.sendP99Ms, "ms"),
    { ...metric("load_cpu_pct", floor.loadCpuPct, "%"), params: { ...params, loadSaturated: floor.loadCpuPct >= LOAD_SATURATED_PCT } },
    metric("other_cpu_pct", floor.otherCpuPct, "%"),
    ...againstFloor(runs, floor).map(({ run, cpuVsFloor }) => ({
      metric: `field.${run.variant}.c${run.clients}.cpu_vs_floor`,
      value: cpuVsFloor,
      unit: "x",
      params: { E: mobs, C: run.clients, variant: run.variant, windowSec, pinned, floorMessageBytes: floor.messageBytes },
    })),
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

const round = (value: number, digits: number) => Number(value.toFixed(digits));

function loadCpuCell(cpuPct: number): string {
  return `${round(cpuPct, 0)}${cpuPct >= LOAD_SATURATED_PCT ? " (saturated)" : ""}`;
}

function tableRow(run: FieldRun): (string | number)[] {
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
    loadCpuCell(run.load.cpuPct),
    round(run.otherCpuPct, 0),
  ];
}

/** The floor's tick is its sends alone, so its send times fill the tick columns; it has no tick max and no acks. */
function floorRow(floor: FloorRun): (string | number)[] {
  return [
    floor.clientInputs ? FLOOR_LABEL : SENDS_ONLY_FLOOR_LABEL,
    floor.clients,
    floor.connected,
    round(floor.cpuPct, 1),
    round(floor.rssMb, 0),
    round(floor.sendP50Ms, 2),
    round(floor.sendP99Ms, 2),
    NOT_MEASURED,
    round(floor.bytesPerClientSec / 1024, 2),
    NOT_MEASURED,
    NOT_MEASURED,
    NOT_MEASURED,
    loadCpuCell(floor.loadCpuPct),
    round(floor.otherCpuPct, 0),
  ];
}

/** The runs, then the floors, as a Markdown table (the README's format), also printed to the terminal. */
export function formatFieldTable(runs: readonly FieldRun[], floors: readonly FloorRun[] = []): string {
  const cell = (value: string | number) => (typeof value === "number" ? formatNumber(value) : value);
  const rows = [...runs.map(tableRow), ...floors.map(floorRow)];
  const lines = [`| ${TABLE_COLUMNS.join(" | ")} |`, `|${TABLE_COLUMNS.map(() => " --- ").join("|")}|`];
  for (const row of rows) lines.push(`| ${row.map(cell).join(" | ")} |`);
  return lines.join("\n");
}

/** One line a floor: its cost here beside the reference machine's, and tickwire's CPU as a multiple of it. */
export function formatFloorLines(runs: readonly FieldRun[], floors: readonly FloorRun[]): string[] {
  return floors.map((floor) => {
    const sending = `bare uWS sending a ${floor.messageBytes}-byte message to ${floor.clients} clients at ${1000 / FLOOR_TICK_MS} Hz`;
    if (!floor.clientInputs) {
      return (
        `floor, sends only: ${sending}, the clients sending nothing: ${round(floor.cpuPct, 1)}% of a core here ` +
        `(the reference machine: ${REFERENCE_FLOOR.cpuPct}% at C=${REFERENCE_FLOOR.clients})`
      );
    }
    const ratios = againstFloor(runs, floor).map(({ run, cpuVsFloor }) => `${run.variant}: ${round(cpuVsFloor, 2)}×`);
    return (
      `floor: ${sending}, each client sending an input a tick: ${round(floor.cpuPct, 1)}% of a core here` +
      (ratios.length > 0 ? `; tickwire ${ratios.join(", ")} the floor` : "")
    );
  });
}

function floorSummary(runs: readonly FieldRun[], floors: readonly FloorRun[]): SummaryRow[] {
  return floors.flatMap((floor) => [
    {
      label: floor.clientInputs
        ? `${FLOOR_LABEL}, C=${floor.clients}, ${floor.messageBytes} B at ${1000 / FLOOR_TICK_MS} Hz, an input a tick from each client`
        : `${SENDS_ONLY_FLOOR_LABEL}, C=${floor.clients}, ${floor.messageBytes} B at ${1000 / FLOOR_TICK_MS} Hz (reference machine: ${REFERENCE_FLOOR.cpuPct}% at C=${REFERENCE_FLOOR.clients})`,
      value: round(floor.cpuPct, 1),
      unit: "% of a core",
    },
    ...againstFloor(runs, floor).map(({ run, cpuVsFloor }) => ({
      label: `${run.variant}, C=${run.clients}: server CPU`,
      value: round(cpuVsFloor, 2),
      unit: "× the floor",
    })),
  ]);
}

function charts(runs: readonly FieldRun[], floors: readonly FloorRun[], variants: readonly FieldVariant[]): Chart[] {
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
  // NaN draws no bar: the floor is measured at some sizes only.
  const floorSeries = (name: string, clientInputs: boolean) => ({
    name,
    values: sizes.map((size) => floors.find((f) => f.clients === size && f.clientInputs === clientInputs)?.cpuPct ?? Number.NaN),
  });
  const floorCpu = floors.length > 0 ? [floorSeries(FLOOR_LABEL, true), floorSeries(SENDS_ONLY_FLOOR_LABEL, false)] : [];
  const cpuSeries = [...series((v) => v, (r) => r.server.cpuPct), ...floorCpu];
  return [
    { kind: "bar", title: "Server CPU", yLabel: "% of one core", xLabel: "clients", categories, series: cpuSeries },
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

/** Runs every (variant, C) in turn, then the floors; writes field.json and field.html, prints the comparison and the table. */
export async function runField(options: FieldOptions): Promise<FieldOutcome> {
  const settings = {
    clients: options.clients,
    variants: options.variants,
    mobs: options.mobs ?? FIELD_MOBS,
    warmupSec: options.warmupSec ?? FIELD_WARMUP_SEC,
    windowSec: options.windowSec ?? FIELD_WINDOW_SEC,
    seed: options.seed ?? 1,
    profileDir: options.profileDir,
    inputTiming: options.inputTiming ?? "aligned",
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
      results.push(...metricsOf(run, settings.mobs, settings.windowSec, pinned, settings.inputTiming));
      const saturated = run.load.cpuPct >= LOAD_SATURATED_PCT ? "  LOAD GENERATOR SATURATED (its numbers include its own queueing)" : "";
      progress(
        `field: ${variant} C=${clients}: ${run.load.connectedAtEnd} connected, CPU ${run.server.cpuPct.toFixed(1)}%, ` +
          `tick p99 ${run.server.tickP99Ms.toFixed(2)} ms, ack p99 ${run.load.ackP99Ms.toFixed(1)} ms, load CPU ${run.load.cpuPct.toFixed(0)}%, ` +
          `other processes ${run.otherCpuPct.toFixed(0)}%${saturated}`,
      );
    }
  }
  const floors: FloorRun[] = [];
  for (const clients of options.floor === false ? [] : floorClientCounts(settings.clients)) {
    for (const clientInputs of [true, false]) {
      const floorOptions = { clients, messageBytes: floorMessageBytes(runs, clients), warmupSec: settings.warmupSec, windowSec: settings.windowSec, pinned, clientInputs };
      // The field runs before it took minutes: a failed floor must not lose them.
      try {
        const floor = await runFloor(floorOptions);
        floors.push(floor);
        results.push(...floorMetrics(floor, runs, settings.mobs, settings.windowSec, pinned));
      } catch (error) {
        progress(`floor: C=${clients} failed, results written without it: ${error instanceof Error ? error.message : String(error)}`);
      }
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
      summary: floorSummary(runs, floors),
      tables: [{ title: "Runs", columns: TABLE_COLUMNS, rows: [...runs.map(tableRow), ...floors.map(floorRow)] }],
      charts: charts(runs, floors, settings.variants),
    }),
  );
  console.log(formatComparison(compareResults(previous, file)));
  console.log(`\n${formatFieldTable(runs, floors)}\n`);
  for (const line of formatFloorLines(runs, floors)) console.log(line);
  const measured = [
    ...runs.map((run) => ({ label: `${run.variant} C=${run.clients}`, loadCpuPct: run.load.cpuPct, otherCpuPct: run.otherCpuPct })),
    ...floors.map((floor) => ({
      label: `${floor.clientInputs ? "floor" : "floor, sends only,"} C=${floor.clients}`,
      loadCpuPct: floor.loadCpuPct,
      otherCpuPct: floor.otherCpuPct,
    })),
  ];
  const saturatedRuns = measured.filter((run) => run.loadCpuPct >= LOAD_SATURATED_PCT);
  if (saturatedRuns.length > 0) {
    console.log(`load generator saturated its core (≥ ${LOAD_SATURATED_PCT}%) in: ${saturatedRuns.map((run) => run.label).join(", ")}`);
  }
  if (!pinned) console.log("server and load were not pinned to separate cores");
  const busyRuns = measured.filter((run) => run.otherCpuPct >= BUSY_MACHINE_PCT);
  if (busyRuns.length > 0) {
    console.log(`other processes used ≥ ${BUSY_MACHINE_PCT}% of a core during: ${busyRuns.map((run) => run.label).join(", ")} (numbers disturbed)`);
  }
  console.log(`written to ${jsonPath} and ${htmlPath}`);
  return { runs, floors, results, jsonPath, htmlPath, pinned };
}

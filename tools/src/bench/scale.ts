/**
 * The "scale" benchmark (issue 15): tickwire scaled out on Redis, in three parts of one run.
 * 1. field: the field scene (the field bench's bots) on a server with the Redis registry,
 *    bus and player store against the same server on the in-memory registry and LMDB, both
 *    persisting every player at a short interval; runs alternate (local, redis, redis,
 *    local, ...) and the medians are compared: tick p50/p99 and CPU ratios.
 * 2. matchmake: players asking /matchmake of 3 processes sharing Redis, all at once, and
 *    joining the answered URL: joins/s, matchmake latency, and no world above capacity.
 * 3. drain: players on process 1, `POST /admin/drain`: the time until each plays again in
 *    another process's world, and whether its saved record came along.
 * Servers, players and Redis are child processes on loopback, stopped by PID. Writes
 * bench-results/scale.json and scale.html.
 */
import { freeLoopbackPort, LocalRedisServer } from "@tickwire/server";
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
  type SummaryRow,
  writeResultFile,
} from "../report/index.js";
import { measureWindow, nextMessage, spawnChild, stopChild } from "./children.js";
import { canPin, LOAD_SATURATED_PCT } from "./field.js";
import type { FieldLoadArgs, FieldLoadReport, } from "./field-ipc.js";
import { median, percentile, progress } from "./harness.js";
import { formatTable } from "./quest.js";
import type {
  JoinFigures,
  MoveFigures,
  ScaleBackend,
  ScalePlayersArgs,
  ScalePlayersReply,
  ScaleServerArgs,
  ScaleServerReply,
  ScaleServerReport,
} from "./scale-ipc.js";

export type ScalePart = "field" | "matchmake" | "drain";
export const SCALE_PARTS: readonly ScalePart[] = ["field", "matchmake", "drain"];

/** Part 1: 300 bots is what this 2-core machine serves with room to spare (field: 25% of a core at 500). */
export const SCALE_FIELD_CLIENTS = 300;
export const SCALE_FIELD_MOBS = 500;
/** Runs of each backend; they alternate, so a drift of the machine's load hits both alike. */
export const SCALE_FIELD_RUNS = 3;
export const SCALE_WARMUP_SEC = 3;
export const SCALE_WINDOW_SEC = 10;
/** Every player saved every second (the default is 30 s): 300 saves a second, to stress the store. */
export const SCALE_SAVE_INTERVAL_MS = 1_000;
/** Issue 15's target: Redis costs the tick and the CPU no more than this ratio. */
export const SCALE_TARGET_RATIO = 1.05;
/** Parts 2 and 3: three processes of two worlds of 50 seats. */
export const SCALE_PROCESSES = 3;
export const SCALE_WORLDS_PER_PROCESS = 2;
export const SCALE_SEATS_PER_WORLD = 50;
/** 10% more players than seats: matchmaking must turn the rest away (503), never overfill. */
const MATCHMAKE_OVERDEMAND = 1.1;
/** Players on process 1 at the drain: more than one world's worth, fewer than the other processes' seats. */
export const SCALE_DRAIN_PLAYERS = 60;
/** Parts 2 and 3 are about matchmaking, not the scene: a few mobs per world. */
const SMALL_WORLD_MOBS = 50;
/** The field scene as the field bench runs it. */
const FIELD_VARIANT = "aoi";
/** A player's save while it plays in parts 2 and 3: the default cadence would also do; short keeps state fresh for the drain. */
const MOVE_SAVE_INTERVAL_MS = 1_000;
/** Joins, drains and moves end by then, whatever happened: a drain moves players within seconds. */
export const SCALE_PLAYERS_TIMEOUT_SEC = 30;
/** Bots started per second, as in field. */
const RAMP_PER_SEC = 200;
/** Seats above C, so a bot that reconnects is not refused as "world full". */
const CAPACITY_MARGIN = 16;
const MAX_CONNECTIONS_PER_IP = 10_000;
const STARTUP_TIMEOUT_MS = 30_000;
const CONNECT_GRACE_SEC = 15;
/** Other processes using this much of a core during a window make its numbers suspect. */
const BUSY_MACHINE_PCT = 10;
/** Redis and the bots share core 1; the servers of part 1 have core 0 to themselves. */
const SERVER_CORE = 0;
const LOAD_CORE = 1;
const ADMIN_TOKEN = "scale-bench-admin-token";
const GAME = "field";

export interface ScaleOptions {
  parts?: readonly ScalePart[];
  clients?: number;
  mobs?: number;
  runs?: number;
  warmupSec?: number;
  windowSec?: number;
  saveIntervalMs?: number;
  /** Parts 2 and 3: seats of each world (SCALE_PROCESSES × SCALE_WORLDS_PER_PROCESS worlds). */
  seatsPerWorld?: number;
  /** Default 10% more than the seats. */
  matchmakePlayers?: number;
  drainPlayers?: number;
  /** How long the players of parts 2 and 3 get to join, and to move after the drain. */
  playersTimeoutSec?: number;
  /** Repo root holding bench-results/ (default: found from the working directory). */
  root?: string;
}

type Settings = Required<Omit<ScaleOptions, "root">>;

export interface FieldBackendRun {
  backend: ScaleBackend;
  server: ScaleServerReport;
  load: FieldLoadReport;
  /** Redis's CPU over the window, % of one core (0 for local). */
  redisCpuPct: number;
  otherCpuPct: number;
}

export interface ScaleOutcome {
  fieldRuns: FieldBackendRun[];
  matchmake: JoinFigures | null;
  drain: { join: JoinFigures; move: MoveFigures | null; pending: string | null } | null;
  results: BenchResult[];
  jsonPath: string;
  htmlPath: string;
}

/** Part 1, one run: a server of `backend` on core 0, the field bots on core 1, a window. */
async function measureField(backend: ScaleBackend, redis: LocalRedisServer, runIndex: number, settings: Settings, pinned: boolean): Promise<FieldBackendRun> {
  const port = await freeLoopbackPort();
  const serverArgs: ScaleServerArgs = {
    backend,
    redisUrl: backend === "redis" ? redis.url : null,
    redisPrefix: `scale:field${runIndex}:`,
    port,
    processId: `field${runIndex}`,
    worldIds: ["field"],
    capacity: settings.clients + CAPACITY_MARGIN,
    mobs: settings.mobs,
    variant: FIELD_VARIANT,
    saveIntervalMs: settings.saveIntervalMs,
    adminToken: ADMIN_TOKEN,
    maxConnectionsPerIp: MAX_CONNECTIONS_PER_IP,
  };
  const server = spawnChild("scale-server.ts", serverArgs, pinned ? SERVER_CORE : null);
  let load: ChildProcess | null = null;
  try {
    await nextMessage<ScaleServerReply, "ready">(server, "ready", STARTUP_TIMEOUT_MS);
    const loadArgs: FieldLoadArgs = {
      url: `ws://127.0.0.1:${port}/ws?world=field`,
      bots: settings.clients,
      rampPerSec: RAMP_PER_SEC,
      warmupSec: settings.warmupSec,
      windowSec: settings.windowSec,
      connectTimeoutSec: settings.clients / RAMP_PER_SEC + CONNECT_GRACE_SEC,
      seed: runIndex + 1,
      inputTiming: "aligned",
    };
    load = spawnChild("field-load.ts", loadArgs, pinned ? LOAD_CORE : null);
    const untilWindowMs = STARTUP_TIMEOUT_MS + (loadArgs.connectTimeoutSec + loadArgs.warmupSec + 2) * 1000;
    const measured = await measureWindow<ScaleServerReport, FieldLoadReport>(server, load, { untilWindowMs, windowSec: settings.windowSec }, () =>
      redis.cpuMs(),
    );
    return { backend, server: measured.server, load: measured.load, redisCpuPct: measured.sideCpuPct, otherCpuPct: measured.otherCpuPct };
  } finally {
    if (load !== null) await stopChild(load);
    await stopChild(server);
  }
}

/** The order of part 1's runs: local, redis, redis, local, ... so neither backend always goes first. */
export function alternation(runsPerBackend: number): ScaleBackend[] {
  const order: ScaleBackend[] = [];
  for (let pair = 0; pair < runsPerBackend; pair++) order.push(...(pair % 2 === 0 ? (["local", "redis"] as const) : (["redis", "local"] as const)));
  return order;
}

/** Medians of one backend's runs. */
function backendMedians(runs: readonly FieldBackendRun[], backend: ScaleBackend) {
  const mine = runs.filter((run) => run.backend === backend);
  const of = (value: (run: FieldBackendRun) => number) => median(mine.map(value));
  return {
    runs: mine.length,
    tickP50Ms: of((run) => run.server.tickP50Ms),
    tickP99Ms: of((run) => run.server.tickP99Ms),
    cpuPct: of((run) => run.server.cpuPct),
    rssMb: of((run) => run.server.rssMb),
    savesPerSec: of((run) => run.server.savesWritten / run.server.windowSec),
    savesFailed: Math.max(...mine.map((run) => run.server.savesFailed)),
    connected: Math.min(...mine.map((run) => run.load.connectedAtEnd)),
    ackP99Ms: of((run) => run.load.ackP99Ms),
    redisCpuPct: of((run) => run.redisCpuPct),
    loadCpuPct: Math.max(...mine.map((run) => run.load.cpuPct)),
    otherCpuPct: Math.max(...mine.map((run) => run.otherCpuPct)),
  };
}

function fieldMetrics(runs: readonly FieldBackendRun[], settings: Settings, pinned: boolean): BenchResult[] {
  const params = { E: settings.mobs, C: settings.clients, variant: FIELD_VARIANT, runsPerBackend: settings.runs, windowSec: settings.windowSec, saveIntervalMs: settings.saveIntervalMs, pinned, statistic: "median" };
  const results: BenchResult[] = [];
  const medians = { local: backendMedians(runs, "local"), redis: backendMedians(runs, "redis") };
  for (const backend of ["local", "redis"] as const) {
    const m = medians[backend];
    const store = backend === "redis" ? "redis registry, bus and player store" : "in-memory registry, LMDB player store";
    const metric = (name: string, value: number, unit: string, extra: object = {}): BenchResult => ({ metric: `scale.field.${backend}.${name}`, value, unit, params: { ...params, store, ...extra } });
    results.push(
      metric("tick_p50_ms", m.tickP50Ms, "ms"),
      metric("tick_p99_ms", m.tickP99Ms, "ms"),
      metric("cpu_pct", m.cpuPct, "%"),
      metric("rss_mb", m.rssMb, "MiB"),
      metric("saves_per_s", m.savesPerSec, "saves/s"),
      metric("saves_failed", m.savesFailed, "saves", { statistic: "max" }),
      metric("connected", m.connected, "clients", { statistic: "min" }),
      metric("ack_p99_ms", m.ackP99Ms, "ms"),
      metric("load_cpu_pct", m.loadCpuPct, "%", { statistic: "max", loadSaturated: m.loadCpuPct >= LOAD_SATURATED_PCT }),
      metric("other_cpu_pct", m.otherCpuPct, "%", { statistic: "max" }),
    );
    if (backend === "redis") results.push(metric("redis_cpu_pct", m.redisCpuPct, "%"));
  }
  const ratio = (name: string, redis: number, local: number): BenchResult => {
    const value = local > 0 ? redis / local : 0;
    return { metric: `scale.field.${name}`, value, unit: "x", params: { ...params, statistic: "median redis / median local", targetMax: SCALE_TARGET_RATIO, targetIssue: 15, targetMet: value <= SCALE_TARGET_RATIO } };
  };
  results.push(
    ratio("tick_p50_ratio", medians.redis.tickP50Ms, medians.local.tickP50Ms),
    ratio("tick_p99_ratio", medians.redis.tickP99Ms, medians.local.tickP99Ms),
    ratio("cpu_ratio", medians.redis.cpuPct, medians.local.cpuPct),
  );
  return results;
}

/** The process's base URL and its world ids: `field-p<k>-<n>`, so process 1's worlds sort (and fill) first. */
function processWorlds(processIndex: number): string[] {
  return Array.from({ length: SCALE_WORLDS_PER_PROCESS }, (_, n) => `${GAME}-p${processIndex + 1}-${n + 1}`);
}

interface Cluster {
  servers: ChildProcess[];
  bases: string[];
}

/** Parts 2 and 3: SCALE_PROCESSES servers sharing Redis under `prefix`, unpinned (they share the machine as a deployment would). */
async function startCluster(redis: LocalRedisServer, prefix: string, seatsPerWorld: number): Promise<Cluster> {
  const cluster: Cluster = { servers: [], bases: [] };
  try {
    for (let k = 0; k < SCALE_PROCESSES; k++) {
      const port = await freeLoopbackPort();
      const args: ScaleServerArgs = {
        backend: "redis",
        redisUrl: redis.url,
        redisPrefix: prefix,
        port,
        processId: `p${k + 1}`,
        worldIds: processWorlds(k),
        capacity: seatsPerWorld,
        mobs: SMALL_WORLD_MOBS,
        variant: FIELD_VARIANT,
        saveIntervalMs: MOVE_SAVE_INTERVAL_MS,
        adminToken: ADMIN_TOKEN,
        maxConnectionsPerIp: MAX_CONNECTIONS_PER_IP,
      };
      const server = spawnChild("scale-server.ts", args, null);
      cluster.servers.push(server);
      await nextMessage<ScaleServerReply, "ready">(server, "ready", STARTUP_TIMEOUT_MS);
      cluster.bases.push(`http://127.0.0.1:${port}`);
    }
    return cluster;
  } catch (error) {
    await stopCluster(cluster);
    throw error;
  }
}

async function stopCluster(cluster: Cluster): Promise<void> {
  await Promise.all(cluster.servers.map((server) => stopChild(server)));
}

interface WorldSeats {
  world: string;
  population: number;
  capacity: number;
}

/** Every world's population and capacity as each process's /healthz tells them (a drained process may be gone). */
async function seats(bases: readonly string[]): Promise<WorldSeats[]> {
  const worlds: WorldSeats[] = [];
  for (const base of bases) {
    try {
      const body = (await (await fetch(`${base}/healthz`)).json()) as { worlds?: { id: string; population: number; capacity: number }[] };
      for (const world of body.worlds ?? []) worlds.push({ world: world.id, population: world.population, capacity: world.capacity });
    } catch {
      // A process that drained and closed has no worlds to count.
    }
  }
  return worlds;
}

function spawnPlayers(args: ScalePlayersArgs): ChildProcess {
  return spawnChild("scale-players.ts", args, null);
}

/** Part 2: everyone at once through matchmaking; then every world's population against its capacity. */
async function runMatchmake(redis: LocalRedisServer, settings: Settings): Promise<{ figures: JoinFigures; worlds: WorldSeats[] }> {
  const cluster = await startCluster(redis, "scale:matchmake:", settings.seatsPerWorld);
  let players: ChildProcess | null = null;
  try {
    players = spawnPlayers({ mode: "matchmake", bases: cluster.bases, game: GAME, players: settings.matchmakePlayers, seed: 1, timeoutSec: settings.playersTimeoutSec });
    players.send({ type: "join" });
    const { figures } = await nextMessage<ScalePlayersReply, "joined">(players, "joined", (settings.playersTimeoutSec + 10) * 1000);
    return { figures, worlds: await seats(cluster.bases) };
  } finally {
    if (players !== null) await stopChild(players);
    await stopCluster(cluster);
  }
}

/** Part 3: players matchmade onto process 1 by their client, then process 1 drains. */
async function runDrain(redis: LocalRedisServer, settings: Settings): Promise<NonNullable<ScaleOutcome["drain"]>> {
  const cluster = await startCluster(redis, "scale:drain:", settings.seatsPerWorld);
  let players: ChildProcess | null = null;
  try {
    players = spawnPlayers({ mode: "drain", bases: cluster.bases, game: GAME, players: settings.drainPlayers, seed: 1, timeoutSec: settings.playersTimeoutSec });
    players.send({ type: "join" });
    const { figures: join } = await nextMessage<ScalePlayersReply, "joined">(players, "joined", (settings.playersTimeoutSec + 10) * 1000);
    const drained = processWorlds(0);
    const onDrained = drained.reduce((sum, world) => sum + (join.worlds[world] ?? 0), 0);
    if (join.joined < settings.drainPlayers) {
      return { join, move: null, pending: `${join.joined} of ${settings.drainPlayers} players joined through the client's matchmaking (an http URL to connect()) in ${settings.playersTimeoutSec} s` };
    }
    if (onDrained === 0) return { join, move: null, pending: "no player landed on process 1" };
    players.send({ type: "drain", base: cluster.bases[0], adminToken: ADMIN_TOKEN, worlds: drained });
    const reply = await Promise.race([
      nextMessage<ScalePlayersReply, "moved">(players, "moved", (settings.playersTimeoutSec + 10) * 1000),
      nextMessage<ScalePlayersReply, "failed">(players, "failed", (settings.playersTimeoutSec + 10) * 1000),
    ]);
    if (reply.type === "failed") return { join, move: null, pending: reply.message };
    return { join, move: reply.figures, pending: null };
  } finally {
    if (players !== null) await stopChild(players);
    await stopCluster(cluster);
  }
}

function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

function totalSeats(seatsPerWorld: number): number {
  return SCALE_PROCESSES * SCALE_WORLDS_PER_PROCESS * seatsPerWorld;
}

export function matchmakeMetrics(figures: JoinFigures, worlds: readonly WorldSeats[], seatsPerWorld: number): BenchResult[] {
  const params = { processes: SCALE_PROCESSES, worldsPerProcess: SCALE_WORLDS_PER_PROCESS, seatsPerWorld, players: figures.joined + figures.gaveUp };
  const matchmake = sortedCopy(figures.matchmakeMs);
  const joins = sortedCopy(figures.joinMs);
  const overfilled = worlds.filter((world) => world.population > world.capacity).length;
  const metric = (name: string, value: number, unit: string, extra: object = {}): BenchResult => ({ metric: `scale.matchmake.${name}`, value, unit, params: { ...params, ...extra } });
  return [
    metric("joins_per_s", figures.elapsedSec > 0 ? figures.joined / figures.elapsedSec : 0, "joins/s", { elapsedSec: figures.elapsedSec }),
    metric("joined", figures.joined, "players", { seats: totalSeats(seatsPerWorld) }),
    metric("gave_up", figures.gaveUp, "players", { unavailable503: figures.unavailable }),
    metric("matchmake_p50_ms", percentile(matchmake, 50), "ms", { requests: matchmake.length }),
    metric("matchmake_p99_ms", percentile(matchmake, 99), "ms", { requests: matchmake.length }),
    metric("join_p50_ms", percentile(joins, 50), "ms"),
    metric("join_p99_ms", percentile(joins, 99), "ms"),
    metric("refused_joins", figures.refusedJoins, "joins", { failedRequests: figures.failedRequests, refusals: JSON.stringify(figures.refusals) }),
    metric("reserved_answers", figures.reservations, "answers", { answered: figures.answered }),
    metric("worlds_over_capacity", overfilled, "worlds", { worlds: worlds.length, targetMax: 0, targetIssue: 15, targetMet: overfilled === 0 }),
  ];
}

export function drainMetrics(drain: NonNullable<ScaleOutcome["drain"]>): BenchResult[] {
  if (drain.move === null) return [];
  const moved = sortedCopy(drain.move.movedMs);
  const params = { processes: SCALE_PROCESSES, players: drain.move.players, closeCodes: JSON.stringify(drain.move.closeCodes) };
  const metric = (name: string, value: number, unit: string, extra: object = {}): BenchResult => ({ metric: `scale.drain.${name}`, value, unit, params: { ...params, ...extra } });
  return [
    metric("moved_p50_ms", percentile(moved, 50), "ms"),
    metric("moved_p99_ms", percentile(moved, 99), "ms"),
    metric("moved", moved.length, "players"),
    metric("lost", drain.move.players - moved.length, "players", { targetMax: 0, targetIssue: 15, targetMet: moved.length === drain.move.players }),
    metric("restored", drain.move.restored, "players"),
  ];
}

const FIELD_COLUMNS = ["run", "backend", "connected", "CPU %", "ticks/s", "tick p50 ms", "tick p99 ms", "tick max ms", "saves/s", "saves failed", "ack p99 ms", "Redis CPU %", "load CPU %", "other CPU %"] as const;

function fieldRows(runs: readonly FieldBackendRun[]): (string | number)[][] {
  const round = (value: number, digits: number) => Number(value.toFixed(digits));
  return runs.map((run, i) => [
    i + 1,
    run.backend,
    run.load.connectedAtEnd,
    round(run.server.cpuPct, 1),
    // Above the tick rate: the world caught up on ticks a stall (another process on its core) delayed.
    round(run.server.ticks / run.server.windowSec, 1),
    round(run.server.tickP50Ms, 2),
    round(run.server.tickP99Ms, 2),
    round(run.server.tickMaxMs, 2),
    round(run.server.savesWritten / run.server.windowSec, 0),
    run.server.savesFailed,
    round(run.load.ackP99Ms, 1),
    round(run.redisCpuPct, 1),
    round(run.load.cpuPct, 0),
    round(run.otherCpuPct, 0),
  ]);
}

const RESULT_COLUMNS = ["metric", "value", "unit", "target", "met"] as const;

function resultRows(results: readonly BenchResult[]): (string | number)[][] {
  return results.map((r) => {
    const target = r.params?.targetMax;
    const met = r.params?.targetMet;
    return [r.metric, Number(r.value.toPrecision(4)), r.unit, target === undefined ? "" : `≤ ${formatNumber(Number(target))}`, met === undefined ? "" : met ? "yes" : "NO"];
  });
}

function charts(outcome: Pick<ScaleOutcome, "fieldRuns" | "matchmake" | "drain">): Chart[] {
  const charts: Chart[] = [];
  const { fieldRuns } = outcome;
  if (fieldRuns.length > 0) {
    const categories = fieldRuns.map((run, i) => `${i + 1} ${run.backend}`);
    charts.push(
      { kind: "bar", title: "Field: tick duration per run", yLabel: "ms", xLabel: "run", categories, series: [{ name: "p50", values: fieldRuns.map((r) => r.server.tickP50Ms) }, { name: "p99", values: fieldRuns.map((r) => r.server.tickP99Ms) }] },
      { kind: "bar", title: "Field: server CPU per run", yLabel: "% of one core", xLabel: "run", categories, series: [{ name: "server", values: fieldRuns.map((r) => r.server.cpuPct) }, { name: "redis-server", values: fieldRuns.map((r) => r.redisCpuPct) }] },
    );
  }
  if (outcome.matchmake !== null) {
    charts.push(
      { kind: "histogram", title: "Matchmaking: /matchmake latency", xLabel: "ms", values: outcome.matchmake.matchmakeMs, percentiles: [50, 99] },
      { kind: "histogram", title: "Matchmaking: first request → Welcome", xLabel: "ms", values: outcome.matchmake.joinMs, percentiles: [50, 99] },
    );
  }
  if (outcome.drain?.move) charts.push({ kind: "histogram", title: "Drain: drain request → playing in another world", xLabel: "ms", values: outcome.drain.move.movedMs, percentiles: [50, 99] });
  return charts;
}

/** The headline figures: the field ratios, matchmaking throughput, the drain's p99 (or why it is pending). */
function summaryRows(results: readonly BenchResult[], drain: ScaleOutcome["drain"]): SummaryRow[] {
  const headline: Record<string, string> = {
    "scale.field.cpu_ratio": "field: server CPU, redis / local",
    "scale.field.tick_p99_ratio": "field: tick p99, redis / local",
    "scale.matchmake.joins_per_s": "matchmaking: joins",
    "scale.matchmake.worlds_over_capacity": "matchmaking: worlds over capacity",
    "scale.drain.moved_p99_ms": "drain: playing elsewhere, p99",
  };
  const rows: SummaryRow[] = results
    .filter((result) => headline[result.metric] !== undefined)
    .map((result) => ({ label: headline[result.metric], value: Number(result.value.toPrecision(3)), unit: result.unit }));
  if (drain?.pending) rows.push({ label: "drain", value: `pending: ${drain.pending}` });
  return rows;
}

/** Runs the chosen parts in turn on one Redis; writes scale.json and scale.html, prints the comparison and the tables. */
export async function runScale(options: ScaleOptions = {}): Promise<ScaleOutcome> {
  const seatsPerWorld = options.seatsPerWorld ?? SCALE_SEATS_PER_WORLD;
  const settings: Settings = {
    parts: options.parts ?? SCALE_PARTS,
    clients: options.clients ?? SCALE_FIELD_CLIENTS,
    mobs: options.mobs ?? SCALE_FIELD_MOBS,
    runs: options.runs ?? SCALE_FIELD_RUNS,
    warmupSec: options.warmupSec ?? SCALE_WARMUP_SEC,
    windowSec: options.windowSec ?? SCALE_WINDOW_SEC,
    saveIntervalMs: options.saveIntervalMs ?? SCALE_SAVE_INTERVAL_MS,
    seatsPerWorld,
    matchmakePlayers: options.matchmakePlayers ?? Math.round(totalSeats(seatsPerWorld) * MATCHMAKE_OVERDEMAND),
    drainPlayers: options.drainPlayers ?? SCALE_DRAIN_PLAYERS,
    playersTimeoutSec: options.playersTimeoutSec ?? SCALE_PLAYERS_TIMEOUT_SEC,
  };
  const pinned = canPin();
  const redis = await LocalRedisServer.start(pinned ? { core: LOAD_CORE } : {});
  progress(`scale: redis-server on 127.0.0.1:${redis.port}${pinned ? ", core 1" : ""}`);
  const fieldRuns: FieldBackendRun[] = [];
  let matchmake: JoinFigures | null = null;
  let matchmakeSeats: WorldSeats[] = [];
  let drain: ScaleOutcome["drain"] = null;
  const results: BenchResult[] = [];
  try {
    if (settings.parts.includes("field")) {
      const order = alternation(settings.runs);
      progress(`scale 1/3 field: C=${settings.clients}, E=${settings.mobs}, saves every ${settings.saveIntervalMs} ms, ${order.length} runs (${order.join(", ")}), ${pinned ? "server on core 0, bots and Redis on core 1" : "NOT pinned"}`);
      for (const [i, backend] of order.entries()) {
        progress(`scale field run ${i + 1}/${order.length} (${backend}): warm-up ${settings.warmupSec} s, window ${settings.windowSec} s`);
        const run = await measureField(backend, redis, i, settings, pinned);
        fieldRuns.push(run);
        progress(
          `scale field run ${i + 1} (${backend}): ${run.load.connectedAtEnd} connected, CPU ${run.server.cpuPct.toFixed(1)}%, tick p50 ${run.server.tickP50Ms.toFixed(2)} / p99 ${run.server.tickP99Ms.toFixed(2)} ms, ` +
            `${(run.server.savesWritten / run.server.windowSec).toFixed(0)} saves/s (${run.server.savesFailed} failed), Redis CPU ${run.redisCpuPct.toFixed(1)}%, other processes ${run.otherCpuPct.toFixed(0)}%`,
        );
      }
      results.push(...fieldMetrics(fieldRuns, settings, pinned));
    }
    if (settings.parts.includes("matchmake")) {
      progress(`scale 2/3 matchmake: ${settings.matchmakePlayers} players at once, ${SCALE_PROCESSES} processes × ${SCALE_WORLDS_PER_PROCESS} worlds × ${settings.seatsPerWorld} seats`);
      const measured = await runMatchmake(redis, settings);
      matchmake = measured.figures;
      matchmakeSeats = measured.worlds;
      results.push(...matchmakeMetrics(measured.figures, measured.worlds, settings.seatsPerWorld));
      progress(`scale matchmake: ${matchmake.joined} joined, ${matchmake.gaveUp} gave up in ${matchmake.elapsedSec.toFixed(2)} s; ${matchmake.refusedJoins} joins refused ${JSON.stringify(matchmake.refusals)}; worlds: ${measured.worlds.map((w) => `${w.world} ${w.population}/${w.capacity}`).join(", ")}`);
    }
    if (settings.parts.includes("drain")) {
      progress(`scale 3/3 drain: ${settings.drainPlayers} players matchmade onto process 1 of ${SCALE_PROCESSES}, then POST /admin/drain`);
      drain = await runDrain(redis, settings);
      results.push(...drainMetrics(drain));
      progress(
        drain.move === null
          ? `scale drain: PENDING: ${drain.pending}`
          : `scale drain: ${drain.move.movedMs.length}/${drain.move.players} playing elsewhere, ${drain.move.restored} with their saved record; close codes ${JSON.stringify(drain.move.closeCodes)}`,
      );
    }
  } finally {
    await redis.stop();
  }
  const { path: jsonPath, file, previous } = await writeResultFile("scale", results, { root: options.root });
  const htmlPath = join(options.root ?? findRepoRoot(), RESULTS_DIR, "scale.html");
  const outcome = { fieldRuns, matchmake, drain };
  const seatRows = matchmakeSeats.map((w) => [w.world, w.population, w.capacity]);
  await writeFile(
    htmlPath,
    renderReport({
      title: "tickwire scale benchmark",
      subtitle: `${file.when}, node ${file.node}, ${file.cpus} CPUs; field C=${settings.clients}, E=${settings.mobs}, window ${settings.windowSec} s after ${settings.warmupSec} s; ${pinned ? "field server on core 0, bots and Redis on core 1" : "not pinned"}`,
      summary: summaryRows(results, drain),
      tables: [
        { title: "Figures and targets", columns: RESULT_COLUMNS, rows: resultRows(results) },
        { title: "Field runs (in the order run)", columns: FIELD_COLUMNS, rows: fieldRows(fieldRuns) },
        { title: "Worlds after matchmaking", columns: ["world", "population", "capacity"], rows: seatRows },
      ],
      charts: charts(outcome),
    }),
  );
  console.log(formatComparison(compareResults(previous, file)));
  console.log(`\n${formatTable(RESULT_COLUMNS, resultRows(results))}\n`);
  if (fieldRuns.length > 0) console.log(`${formatTable(FIELD_COLUMNS, fieldRows(fieldRuns))}\n`);
  const busy = fieldRuns.filter((run) => run.otherCpuPct >= BUSY_MACHINE_PCT).length;
  if (busy > 0) console.log(`other processes used ≥ ${BUSY_MACHINE_PCT}% of a core during ${busy} of ${fieldRuns.length} field runs (numbers disturbed)`);
  if (drain?.pending) console.log(`drain: pending: ${drain.pending}`);
  console.log(`written to ${jsonPath} and ${htmlPath}`);
  return { ...outcome, results, jsonPath, htmlPath };
}

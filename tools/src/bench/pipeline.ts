/**
 * The snapshot pipeline alone: the field scene in this process, its clients on sockets
 * that only count bytes, so a tick's time is simulation, interest and encoding with no
 * kernel and no load generator in it. The field runs measure what players get; this one
 * says what tickwire's own code costs per client, comparable across machines and commits.
 * Writes bench-results/pipeline.json.
 */
import { Rng } from "@tickwire/engine";
import { encodeClientMessage, MsgType } from "@tickwire/engine/wire";
import { resolveLimits, ServerMetrics, type SocketLike, silentLogger, World } from "@tickwire/server";
import { type BenchResult, compareResults, formatComparison, writeResultFile } from "../report/index.js";
import { type FieldVariant, fieldGame } from "./field-game.js";
import { FIELD } from "./field-scene.js";
import { median, percentile, progress } from "./harness.js";

export const PIPELINE_CLIENTS = [500, 1000, 2000] as const;
const MOBS = 500;
const WARMUP_TICKS = 40;
const MEASURED_TICKS = 200;
const RUNS = 3;
/** uWS's send() status for "sent". */
const SENT = 1;

export interface PipelineOptions {
  clients?: readonly number[];
  variants?: readonly FieldVariant[];
  /** Ticks timed per run (default 200), after 40 of warm-up. */
  ticks?: number;
  /** Directory holding bench-results/ (default: the repo root). */
  root?: string;
}

/** A socket that takes every message at once and counts its bytes. */
class CountingSocket implements SocketLike {
  bytes = 0;
  messages = 0;

  send(message: Uint8Array): number {
    this.bytes += message.length;
    this.messages++;
    return SENT;
  }

  getBufferedAmount(): number {
    return 0;
  }

  end(): void {}

  cork(callback: () => void): void {
    callback();
  }
}

interface PipelineRun {
  tickMs: number[];
  bytesPerClientTick: number;
}

/** One world with `clients` joined players sending the scene's inputs; returns each timed tick's duration. */
function runOnce(variant: FieldVariant, clients: number, ticks: number, seed: number): PipelineRun {
  let now = 0;
  const world = new World({
    id: "pipeline",
    game: fieldGame({ mobs: MOBS, variant, capacity: clients, seed }),
    clock: () => now,
    logger: silentLogger(),
    metrics: new ServerMetrics({ defaultMetrics: false }),
    limits: resolveLimits({ maxConnectionsPerIp: clients, maxWorldSharePerIp: 1 }),
  });
  const sockets = Array.from({ length: clients }, () => new CountingSocket());
  const connections = sockets.map((socket, i) => {
    const connection = world.connect(socket, { ip: "127.0.0.1", identity: undefined }, world.reserve("127.0.0.1"));
    world.receive(connection, messageBuffer({ type: MsgType.Join, name: `p${i}` }), true);
    return connection;
  });
  const rng = new Rng(seed);
  // The scene's players: an input every tick, a new direction about every 2 s.
  const directions = connections.map(() => [rng.int(-1, 1), rng.int(-1, 1)]);
  const changeChance = 1 / (2 * FIELD.tickRate);
  const tickMs: number[] = [];
  let bytesBefore = 0;
  for (let tick = 0; tick < WARMUP_TICKS + ticks; tick++) {
    for (let i = 0; i < connections.length; i++) {
      if (rng.next() < changeChance) directions[i] = [rng.int(-1, 1), rng.int(-1, 1)];
      world.receive(connections[i], messageBuffer({ type: MsgType.Input, seq: tick & 0xffff, tick: 0, input: directions[i] }), true);
    }
    now += world.tickMs;
    if (tick === WARMUP_TICKS) bytesBefore = totalBytes(sockets);
    const start = performance.now();
    world.runTick();
    if (tick >= WARMUP_TICKS) tickMs.push(performance.now() - start);
  }
  world.shutdown();
  return { tickMs, bytesPerClientTick: (totalBytes(sockets) - bytesBefore) / (clients * ticks) };
}

function messageBuffer(message: Parameters<typeof encodeClientMessage>[0]): ArrayBuffer {
  return Uint8Array.from(encodeClientMessage(message)).buffer;
}

function totalBytes(sockets: readonly CountingSocket[]): number {
  let total = 0;
  for (const socket of sockets) total += socket.bytes;
  return total;
}

/** Runs every variant × C `RUNS` times (medians of the per-run figures) and writes pipeline.json. */
export async function runPipeline(options: PipelineOptions = {}): Promise<BenchResult[]> {
  const clientCounts = options.clients ?? PIPELINE_CLIENTS;
  const variants = options.variants ?? (["all", "aoi"] as const);
  const ticks = options.ticks ?? MEASURED_TICKS;
  const results: BenchResult[] = [];
  for (const variant of variants) {
    for (const clients of clientCounts) {
      progress(`pipeline: ${variant}, C=${clients}, E=${MOBS}: ${RUNS} runs of ${ticks} ticks`);
      const runs = Array.from({ length: RUNS }, (_, run) => runOnce(variant, clients, ticks, run + 1));
      const p50 = median(runs.map((run) => percentile([...run.tickMs].sort((a, b) => a - b), 50)));
      const p99 = median(runs.map((run) => percentile([...run.tickMs].sort((a, b) => a - b), 99)));
      const params = { E: MOBS, C: clients, variant, ticks, runs: RUNS };
      const prefix = `pipeline.${variant}.c${clients}`;
      results.push(
        { metric: `${prefix}.tick_p50_ms`, value: round(p50), unit: "ms", params },
        { metric: `${prefix}.tick_p99_ms`, value: round(p99), unit: "ms", params },
        { metric: `${prefix}.us_per_client`, value: round((p50 * 1000) / clients), unit: "us", params },
        {
          metric: `${prefix}.bytes_per_client_tick`,
          value: round(median(runs.map((run) => run.bytesPerClientTick))),
          unit: "bytes",
          params,
        },
      );
    }
  }
  const { path, file, previous } = await writeResultFile("pipeline", results, { root: options.root });
  console.log(formatComparison(compareResults(previous, file)));
  console.log(`written to ${path}`);
  return results;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

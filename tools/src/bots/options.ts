import { presetNames } from "../netsim/conditions.js";
import type { Behavior } from "./behavior.js";
import {
  DEFAULT_BOTS,
  DEFAULT_DURATION_SEC,
  DEFAULT_RAMP_PER_SEC,
  DEFAULT_SEED,
  MAX_BOTS,
  MAX_DURATION_SEC,
  MAX_WORKERS,
} from "./constants.js";
import type { BotGame } from "./game.js";
import type { GroupRuntime } from "./group.js";
import type { Lookup } from "./target.js";

/** Progress reported about once a second while a swarm runs. */
export interface SwarmProgress {
  elapsedSec: number;
  /** Bots asked for. */
  target: number;
  /** Bots started so far (the ramp). */
  started: number;
  /** Bots connected (welcomed) now. */
  connected: number;
  /** Input→ack latency over the last interval, ms (0 without acks). */
  ackP50Ms: number;
  ackP99Ms: number;
  /** Payload bytes per second over the last interval, all bots together. */
  bytesInPerSec: number;
  bytesOutPerSec: number;
  disconnects: number;
  connectFailures: number;
  errors: number;
}

export interface SwarmOptions {
  /** A world WebSocket URL (`ws://127.0.0.1:8080/ws?world=main`) or an http(s) matchmaking endpoint answering `{ url }`. */
  url: string;
  /** Default 10, at most MAX_BOTS. */
  bots?: number;
  /** Bots started per second. Default 100. */
  rampPerSec?: number;
  /** Whole run, ramp included. Default 30. */
  durationSec?: number;
  /** `idle`, `wander` (default), a behaviour of the game module, a module spec `./file.js#name`, or a Behavior (single group only). */
  behavior?: string | Behavior;
  /** Game module spec (`./shared.ts`, `./bots.js#game`) or a BotGame (single group only); default: dx/dy input, no schema. */
  game?: string | BotGame | null;
  /** Threads to spread the bots over: 1 (default) runs them in this thread, more start worker_threads. */
  workers?: number;
  seed?: number;
  /** Track acks and bytes without applying snapshot bodies. Implied without a game schema. */
  light?: boolean;
  /** "aligned" (default): inputs timed to reach the server just before their tick; "free": on each bot's own timer. */
  inputTiming?: "aligned" | "free";
  /** Connect through an in-process netsim with this preset. */
  netsim?: string | null;
  /** Allow a target that is not this machine. */
  allowRemote?: boolean;
  /** Write report.json and report.html here. */
  reportDir?: string | null;
  /** Where module specs resolve; default process.cwd(). */
  cwd?: string;
  /** Bot i joins as `${namePrefix}${i}`; default "bot-". */
  namePrefix?: string;
  /** Spread bots over 127.1.0.0/16 source addresses on an IPv4 loopback target; default true. */
  spreadSources?: boolean;
  /** Stops the run early (bots close cleanly); the result covers what ran. */
  signal?: AbortSignal;
  onProgress?: (progress: SwarmProgress) => void;
  /** Injected for tests: DNS lookup, HTTP, this thread's clock and timers. */
  lookup?: Lookup;
  fetch?: typeof fetch;
  runtime?: Pick<GroupRuntime, "now" | "timers">;
}

export class SwarmConfigError extends Error {
  override name = "SwarmConfigError";
}

/** The options with defaults filled in and every number checked. */
export interface SwarmConfig {
  url: string;
  bots: number;
  rampPerSec: number;
  durationSec: number;
  behavior: string | Behavior;
  game: string | BotGame | null;
  workers: number;
  seed: number;
  light: boolean;
  inputTiming: "aligned" | "free";
  netsim: string | null;
  allowRemote: boolean;
  reportDir: string | null;
  cwd: string;
  namePrefix: string;
  spreadSources: boolean;
}

/** Bot names travel in Join: at most 32 characters with the index appended. */
const MAX_NAME_PREFIX = 24;

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SwarmConfigError(`${name} must be an integer in ${min}..${max}, got ${value}`);
  }
  return value;
}

function checkPositive(name: string, value: number, max: number): number {
  if (!(value > 0 && value <= max)) throw new SwarmConfigError(`${name} must be a number in (0, ${max}], got ${value}`);
  return value;
}

function checkInputTiming(value: string): "aligned" | "free" {
  if (value !== "aligned" && value !== "free") throw new SwarmConfigError(`inputTiming must be aligned or free, got ${value}`);
  return value;
}

export function resolveSwarmConfig(options: SwarmOptions): SwarmConfig {
  if (typeof options.url !== "string" || options.url === "") throw new SwarmConfigError("url is required");
  const workers = checkInteger("workers", options.workers ?? 1, 1, MAX_WORKERS);
  const behavior = options.behavior ?? "wander";
  const game = options.game ?? null;
  if (workers > 1 && (typeof behavior !== "string" || (game !== null && typeof game !== "string"))) {
    throw new SwarmConfigError("with several workers, give behavior and game as module specs: functions cannot cross threads");
  }
  const netsim = options.netsim ?? null;
  if (netsim !== null && !presetNames().includes(netsim)) {
    throw new SwarmConfigError(`unknown netsim preset "${netsim}" (known: ${presetNames().join(", ")})`);
  }
  const namePrefix = options.namePrefix ?? "bot-";
  if (namePrefix.length > MAX_NAME_PREFIX) throw new SwarmConfigError(`namePrefix must be at most ${MAX_NAME_PREFIX} characters`);
  const bots = checkInteger("bots", options.bots ?? DEFAULT_BOTS, 1, MAX_BOTS);
  return {
    url: options.url,
    bots,
    rampPerSec: checkPositive("rampPerSec", options.rampPerSec ?? DEFAULT_RAMP_PER_SEC, MAX_BOTS),
    durationSec: checkPositive("durationSec", options.durationSec ?? DEFAULT_DURATION_SEC, MAX_DURATION_SEC),
    behavior,
    game,
    workers: Math.min(workers, bots),
    seed: checkInteger("seed", options.seed ?? DEFAULT_SEED, 0, 0xffffffff),
    light: options.light ?? false,
    inputTiming: checkInputTiming(options.inputTiming ?? "aligned"),
    netsim,
    allowRemote: options.allowRemote ?? false,
    reportDir: options.reportDir ?? null,
    cwd: options.cwd ?? process.cwd(),
    namePrefix,
    spreadSources: options.spreadSources ?? true,
  };
}

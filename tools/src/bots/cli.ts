import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { presetNames } from "../netsim/conditions.js";
import { BehaviorError } from "./behavior.js";
import { DEFAULT_BOTS, DEFAULT_DURATION_SEC, DEFAULT_RAMP_PER_SEC, DEFAULT_SEED, MAX_BOTS, MAX_WORKERS } from "./constants.js";
import { formatSummary, ProgressPrinter } from "./format.js";
import { GameModuleError } from "./game.js";
import { SwarmConfigError, type SwarmOptions } from "./options.js";
import { writeSwarmReport } from "./report.js";
import { swarmSummary } from "./result.js";
import { runSwarm } from "./swarm.js";
import { TargetError } from "./target.js";
import { checkThresholds, type SwarmThresholds } from "./thresholds.js";

/** Exit codes: CI tells a failed threshold (1) from a run that could not happen (2, 3). */
export const BOTS_EXIT = Object.freeze({
  ok: 0,
  /** A --max-* threshold was exceeded. */
  thresholds: 1,
  /** Bad arguments, a refused (non-loopback) target, a module that does not load. */
  usage: 2,
  /** The run failed: matchmaking down, a worker crashed. */
  failed: 3,
});

export interface BotsCliOptions {
  swarm: Omit<SwarmOptions, "signal" | "onProgress" | "reportDir">;
  reportDir: string | null;
  json: boolean;
  thresholds: SwarmThresholds;
  help: boolean;
}

export const BOTS_USAGE = `Usage: tickwire-bots --url URL [options]

Runs a swarm of bots, each a real @tickwire/client session, against a tickwire server
and measures what players would feel: input→ack latency, RTT, snapshot gaps and
jitter, skipped snapshots, bandwidth, connect time, disconnects.

  --url URL             world WebSocket URL (ws://127.0.0.1:8080/ws?world=main) or an
                        http(s) matchmaking endpoint answering { url } (…/matchmake)
  --bots N              bots to run (default ${DEFAULT_BOTS}, at most ${MAX_BOTS})
  --ramp R              bots started per second, e.g. 50 or 50/s (default ${DEFAULT_RAMP_PER_SEC})
  --duration S          whole run including the ramp: 30, 30s, 2m (default ${DEFAULT_DURATION_SEC}s)
  --behavior NAME       idle | wander (default) | a behaviour of the --game module |
                        a module export: ./my-behaviors.js#fight
  --game MODULE         the game's shared module (exports input, and schema / predict /
                        behaviors): ./src/shared/schema.ts or ./bots.js#game. Without it
                        bots send dx/dy ∈ {-1,0,1} and run light
  --light               track acks, ticks and bytes without applying snapshot bodies
  --input-timing MODE   aligned (default: each input sent to reach the server just before
                        the tick that applies it) | free (one per tick on the bot's own timer)
  --workers K           worker threads to spread the bots over (default 1: this thread; at most ${MAX_WORKERS})
  --seed N              seed of every bot's behaviour and backoff (default ${DEFAULT_SEED})
  --netsim PRESET       connect through an in-process network simulator: ${presetNames().join(", ")}
  --report DIR          write DIR/report.json and a self-contained DIR/report.html
  --json                print the summary as JSON on stdout (the table goes to stderr)
  --max-p99-ms MS       exit 1 when the input→ack p99 is above MS (or nothing was acknowledged)
  --max-disconnects N   exit 1 when disconnects + failed connection attempts exceed N
  --allow-remote        allow a target that is not this machine (loopback only by default)
  -h, --help            this text

Exit codes: 0 ok, 1 a threshold exceeded, 2 bad arguments or a refused target,
3 the run failed (matchmaking down, a worker crashed). Ctrl-C stops early and reports.`;

/** "30", "30s", "500ms", "2m", "1h" → seconds. */
export function parseSeconds(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (match === null) throw new SwarmConfigError(`--${flag} needs a duration like 30, 30s, 2m; got "${text}"`);
  const scale = { ms: 0.001, s: 1, m: 60, h: 3600 }[match[2] ?? "s"] ?? 1;
  return Number(match[1]) * scale;
}

function parseNumber(text: string, flag: string, pattern = /^\d+(?:\.\d+)?$/): number {
  if (!pattern.test(text.trim())) throw new SwarmConfigError(`--${flag} needs a number, got "${text}"`);
  return Number(text);
}

/** Parses the command line; throws SwarmConfigError on anything it does not understand. */
export function parseBotsArgs(argv: readonly string[]): BotsCliOptions {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: "string" },
        bots: { type: "string" },
        ramp: { type: "string" },
        duration: { type: "string" },
        behavior: { type: "string" },
        game: { type: "string" },
        light: { type: "boolean" },
        "input-timing": { type: "string" },
        workers: { type: "string" },
        seed: { type: "string" },
        netsim: { type: "string" },
        report: { type: "string" },
        json: { type: "boolean" },
        "max-p99-ms": { type: "string" },
        "max-disconnects": { type: "string" },
        "allow-remote": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new SwarmConfigError((error as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const text = (name: string) => values[name] as string | undefined;
  const help = values.help === true;
  const url = text("url");
  if (url === undefined && !help) throw new SwarmConfigError("--url is required (a ws:// world URL or an http:// matchmaking endpoint)");
  const optional = <T>(name: string, parse: (value: string) => T): T | undefined => {
    const value = text(name);
    return value === undefined ? undefined : parse(value);
  };
  const integer = (name: string) => optional(name, (value) => parseNumber(value, name, /^\d+$/));
  return {
    swarm: {
      url: url ?? "",
      bots: integer("bots"),
      rampPerSec: optional("ramp", (value) => parseNumber(value.replace(/\/s$/, ""), "ramp")),
      durationSec: optional("duration", (value) => parseSeconds(value, "duration")),
      behavior: text("behavior"),
      game: text("game") ?? null,
      light: values.light === true,
      inputTiming: text("input-timing") as "aligned" | "free" | undefined,
      workers: integer("workers"),
      seed: integer("seed"),
      netsim: text("netsim") ?? null,
      allowRemote: values["allow-remote"] === true,
    },
    reportDir: text("report") ?? null,
    json: values.json === true,
    thresholds: {
      maxP99Ms: optional("max-p99-ms", (value) => parseNumber(value, "max-p99-ms")),
      maxDisconnects: integer("max-disconnects"),
    },
    help,
  };
}

export interface BotsCliIo {
  stdout: { write(text: string): unknown };
  /** Progress and messages; a TTY gets one updating line. */
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Resolves on Ctrl-C / SIGTERM: bots close cleanly and the run reports what it measured. */
  stopRequested?: Promise<unknown>;
  /** Where relative --game, --behavior and --report paths start; default process.cwd(). */
  cwd?: string;
  /** Injected into runSwarm for tests. */
  swarm?: Pick<SwarmOptions, "lookup" | "fetch" | "runtime">;
}

function exitCodeFor(error: unknown): number {
  if (error instanceof SwarmConfigError || error instanceof GameModuleError || error instanceof BehaviorError) return BOTS_EXIT.usage;
  if (error instanceof TargetError) return error.kind === "refused" ? BOTS_EXIT.usage : BOTS_EXIT.failed;
  return BOTS_EXIT.failed;
}

/** The whole CLI: parse, run with live progress, print the summary (or JSON), write the report, judge thresholds. */
export async function runBotsCli(argv: readonly string[], io: BotsCliIo): Promise<number> {
  let options: BotsCliOptions;
  try {
    options = parseBotsArgs(argv);
  } catch (error) {
    io.stderr.write(`tickwire-bots: ${(error as Error).message}\n\n${BOTS_USAGE}\n`);
    return BOTS_EXIT.usage;
  }
  if (options.help) {
    io.stdout.write(`${BOTS_USAGE}\n`);
    return BOTS_EXIT.ok;
  }
  const stop = new AbortController();
  io.stopRequested?.then(() => stop.abort());
  const progress = new ProgressPrinter(io.stderr);
  try {
    const result = await runSwarm({
      ...options.swarm,
      ...io.swarm,
      cwd: io.cwd,
      signal: stop.signal,
      onProgress: (update) => progress.update(update),
    });
    progress.done();
    const verdict = checkThresholds(result, options.thresholds);
    const judged = options.thresholds.maxP99Ms !== undefined || options.thresholds.maxDisconnects !== undefined;
    const table = formatSummary(result, judged ? verdict : undefined);
    if (options.json) {
      io.stderr.write(table);
      io.stdout.write(`${JSON.stringify({ ...swarmSummary(result), thresholds: judged ? verdict : null })}\n`);
    } else {
      io.stdout.write(table);
    }
    if (options.reportDir !== null) {
      const dir = resolve(io.cwd ?? process.cwd(), options.reportDir);
      const paths = await writeSwarmReport(dir, result, judged ? verdict : undefined);
      io.stderr.write(`report: ${paths.html} (data: ${paths.json})\n`);
    }
    return verdict.passed ? BOTS_EXIT.ok : BOTS_EXIT.thresholds;
  } catch (error) {
    progress.done();
    io.stderr.write(`tickwire-bots: ${(error as Error).message}\n`);
    return exitCodeFor(error);
  }
}

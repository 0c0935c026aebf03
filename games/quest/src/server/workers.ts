/**
 * `main.js --workers [N]`: several Quest server processes on one machine, sharing Redis.
 * Worker i listens on PORT + i and is told its own `--public-url ws://<host>:<port>` and
 * `--process-id`; any of them serves the page and answers /matchmake (the registry is
 * shared), so one of their ports, or a proxy in front of all, is the public entry. The
 * launcher prefixes each worker's output, restarts a worker that dies, and on Ctrl+C or
 * SIGTERM stops every worker (each drains: saves its players, sends them elsewhere) and the
 * redis-server it started, by PID.
 *
 * Flags: --workers [N] (default: one per core), --redis <url> (REDIS_URL) or --redis-server
 * (start a local redis-server on a free loopback port; REDIS_SERVER names the binary),
 * --public-host <name> (QUEST_PUBLIC_HOST; default HOST, or localhost when HOST is 0.0.0.0),
 * --public-base <url> (QUEST_PUBLIC_BASE: behind one proxy, worker i is `<url>/<id>`, e.g.
 * wss://quest.example.com/w0, a path prefix per process), --id-prefix <p> (process ids p0,
 * p1…; default "w": give each machine its own).
 * Every other argument is passed on to each worker.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { LocalRedisServer } from "@tickwire/server";

const DEFAULT_PORT = 8080;
/** A crashed worker comes back after this long at first: quick, but not a busy loop. */
const RESTART_DELAY_MIN_MS = 500;
/** A worker that keeps crashing is retried at most this far apart (each quick crash doubles the wait). */
const RESTART_DELAY_MAX_MS = 30_000;
/** A worker that ran this long was healthy: its next crash is retried at the minimum delay again. */
const STABLE_RUN_MS = 30_000;
/**
 * How long a stopping worker gets before SIGKILL: its drain saves every player and waits
 * for the clients' close handshakes (the server's own shutdown timeout is 3 s), with room.
 */
const STOP_TIMEOUT_MS = 15_000;

export interface WorkersConfig {
  readonly count: number;
  readonly basePort: number;
  /** Where workers listen (HOST). */
  readonly host: string;
  /** The host in each worker's public URL. */
  readonly publicHost: string;
  /** Behind a proxy: worker i's public URL is `${publicBase}/${id}`; null: ws://publicHost:port. */
  readonly publicBase: string | null;
  /** Redis to share; null with `startRedis`. */
  readonly redisUrl: string | null;
  readonly startRedis: boolean;
  readonly idPrefix: string;
  /** Arguments for every worker (e.g. --data-dir). */
  readonly passThrough: readonly string[];
}

export class WorkersUsageError extends Error {}

export const WORKERS_USAGE =
  "usage: main.js --workers [N] (--redis <url> | --redis-server) [--public-host <name> | --public-base <url>] [--id-prefix <p>] [worker flags…]";

/** Whether the command line asks for the launcher. */
export function wantsWorkers(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === "--workers" || arg.startsWith("--workers="));
}

/** Reads the launcher's flags (the rest goes to the workers). Throws WorkersUsageError. */
export function parseWorkersArgs(argv: readonly string[], env: NodeJS.ProcessEnv, cores: number): WorkersConfig {
  let count = cores;
  let redisUrl: string | null = env.REDIS_URL || null;
  let startRedis = false;
  let publicHost = env.QUEST_PUBLIC_HOST || "";
  let publicBase = env.QUEST_PUBLIC_BASE || null;
  let idPrefix = "w";
  const passThrough: string[] = [];
  const value = (i: number, flag: string): string => {
    const next = argv[i + 1];
    if (next === undefined || next.startsWith("--")) throw new WorkersUsageError(`${flag} needs a value\n${WORKERS_USAGE}`);
    return next;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (flag === "--workers") {
      // The number is optional: `--workers` alone means one per core.
      const text = inline ?? (argv[i + 1] !== undefined && /^\d+$/.test(argv[i + 1]!) ? argv[++i] : undefined);
      if (text !== undefined) count = Number(text);
      if (!Number.isSafeInteger(count) || count < 1) throw new WorkersUsageError(`--workers needs a whole number of at least 1, got "${text}"\n${WORKERS_USAGE}`);
    } else if (flag === "--redis") {
      redisUrl = inline ?? value(i++, flag);
    } else if (flag === "--redis-server") {
      startRedis = true;
    } else if (flag === "--public-host") {
      publicHost = inline ?? value(i++, flag);
    } else if (flag === "--public-base") {
      publicBase = inline ?? value(i++, flag);
    } else if (flag === "--id-prefix") {
      idPrefix = inline ?? value(i++, flag);
      if (!/^[a-z0-9-]{1,16}$/i.test(idPrefix)) throw new WorkersUsageError(`--id-prefix must be 1-16 letters, digits or '-', got "${idPrefix}"`);
    } else if (flag === "--public-url" || flag === "--process-id") {
      throw new WorkersUsageError(`${flag} is set per worker by the launcher; use --public-host, --public-base or --id-prefix\n${WORKERS_USAGE}`);
    } else {
      passThrough.push(arg);
    }
  }
  if (startRedis && redisUrl !== null && argv.some((arg) => arg === "--redis" || arg.startsWith("--redis="))) {
    throw new WorkersUsageError(`give --redis <url> or --redis-server, not both\n${WORKERS_USAGE}`);
  }
  if (startRedis) redisUrl = null;
  else if (redisUrl === null) {
    throw new WorkersUsageError(`workers share their worlds and players through Redis: pass --redis <url> (or REDIS_URL), or --redis-server to start one\n${WORKERS_USAGE}`);
  }
  const basePort = env.PORT ? Number(env.PORT) : DEFAULT_PORT;
  if (!Number.isSafeInteger(basePort) || basePort < 1 || basePort + count - 1 > 65_535) {
    throw new WorkersUsageError(`PORT must leave room for ${count} ports (PORT..PORT+${count - 1}), got "${env.PORT}"`);
  }
  if (publicBase !== null) {
    if (!/^wss?:\/\/[^/]+(\/.*)?$/.test(publicBase)) throw new WorkersUsageError(`--public-base must be a ws:// or wss:// URL, got "${publicBase}"`);
    publicBase = publicBase.replace(/\/+$/, "");
  }
  const host = env.HOST ?? "127.0.0.1";
  if (publicHost === "") publicHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  return { count, basePort, host, publicHost, publicBase, redisUrl, startRedis, idPrefix, passThrough };
}

/** Worker `index`'s port, arguments and environment. */
export function workerLaunch(config: WorkersConfig, index: number, redisUrl: string): { port: number; args: string[]; env: Record<string, string> } {
  const port = config.basePort + index;
  const id = `${config.idPrefix}${index}`;
  const host = config.publicHost.includes(":") ? `[${config.publicHost}]` : config.publicHost;
  const publicUrl = config.publicBase !== null ? `${config.publicBase}/${id}` : `ws://${host}:${port}`;
  return {
    port,
    args: ["--redis", redisUrl, "--public-url", publicUrl, "--process-id", id, ...config.passThrough],
    env: { PORT: String(port), HOST: config.host },
  };
}

/** Writes each line of a child's output with a prefix, so interleaved workers stay readable. */
function prefixLines(stream: NodeJS.ReadableStream | null, prefix: string, out: NodeJS.WritableStream): void {
  if (stream === null) return;
  createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => out.write(`${prefix} ${line}\n`));
}

function log(message: string): void {
  process.stdout.write(`[launcher] ${message}\n`);
}

/** Ends `child` with SIGTERM, then SIGKILL after `timeoutMs`; resolves when it has exited. */
function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** One worker slot: its process, restarted with a growing delay while it keeps crashing. */
class Worker {
  private child: ChildProcess | null = null;
  private stopping = false;
  private restartDelayMs = RESTART_DELAY_MIN_MS;
  private restartTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly name: string,
    private readonly command: { execPath: string; execArgv: readonly string[]; script: string },
    private readonly launch: { port: number; args: string[]; env: Record<string, string> },
  ) {}

  start(): void {
    const startedAt = performance.now();
    const child = spawn(this.command.execPath, [...this.command.execArgv, this.command.script, ...this.launch.args], {
      env: { ...process.env, ...this.launch.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    log(`${this.name} pid ${child.pid} on port ${this.launch.port}`);
    prefixLines(child.stdout, `[${this.name}]`, process.stdout);
    prefixLines(child.stderr, `[${this.name}]`, process.stderr);
    child.once("exit", (code, signal) => {
      if (this.stopping) return;
      if (performance.now() - startedAt >= STABLE_RUN_MS) this.restartDelayMs = RESTART_DELAY_MIN_MS;
      log(`${this.name} (pid ${child.pid}) exited with ${signal ?? code}; restarting in ${this.restartDelayMs} ms`);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        this.start();
      }, this.restartDelayMs);
      this.restartDelayMs = Math.min(RESTART_DELAY_MAX_MS, this.restartDelayMs * 2);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    if (this.child !== null) await stopChild(this.child, STOP_TIMEOUT_MS);
  }
}

/** Starts redis-server on loopback, its data in `<dataDir>/redis` (append-only: players saved in Redis survive a restart of the launcher). */
async function startRedisServer(dataDir: string): Promise<LocalRedisServer> {
  const dir = join(dataDir, "redis");
  const redis = await LocalRedisServer.start({ dataDir: dir });
  log(`redis-server pid ${redis.pid} on 127.0.0.1:${redis.port} (data in ${dir})`);
  prefixLines(redis.stdout, "[redis]", process.stdout);
  prefixLines(redis.stderr, "[redis]", process.stderr);
  return redis;
}

/** The worker flag `--data-dir`'s value, else QUEST_DATA_DIR, else ./data (where a started redis-server keeps its file). */
function dataDirOf(config: WorkersConfig): string {
  const i = config.passThrough.indexOf("--data-dir");
  const inline = config.passThrough.find((arg) => arg.startsWith("--data-dir="));
  return (i >= 0 ? config.passThrough[i + 1] : inline?.slice("--data-dir=".length)) || process.env.QUEST_DATA_DIR || "./data";
}

/**
 * Runs the launcher for `argv` (main.js's arguments) until Ctrl+C or SIGTERM, then exits the
 * process: it never returns. `script` is the server entry each worker runs.
 */
export async function runWorkers(argv: readonly string[], script: string): Promise<never> {
  let config: WorkersConfig;
  try {
    config = parseWorkersArgs(argv, process.env, availableParallelism());
  } catch (error) {
    if (!(error instanceof WorkersUsageError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  let redis: LocalRedisServer | null = null;
  if (config.startRedis) {
    try {
      redis = await startRedisServer(dataDirOf(config));
    } catch (error) {
      console.error(`[launcher] ${(error as Error).message}`);
      process.exit(1);
    }
  }
  const redisUrl = redis?.url ?? config.redisUrl!;
  const command = { execPath: process.execPath, execArgv: process.execArgv, script };
  const workers = Array.from({ length: config.count }, (_, i) => new Worker(`${config.idPrefix}${i}`, command, workerLaunch(config, i, redisUrl)));
  for (const worker of workers) worker.start();
  const last = config.basePort + config.count - 1;
  log(`${config.count} workers on ports ${config.basePort}-${last} sharing ${redisUrl}; open http://${config.publicHost}:${config.basePort}/ (Ctrl+C to stop)`);

  return new Promise<never>(() => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping ${config.count} workers${redis !== null ? " and redis-server" : ""}`);
      Promise.all(workers.map((worker) => worker.stop()))
        .then(() => redis?.stop())
        .then(() => {
          log("stopped");
          process.exit(0);
        });
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

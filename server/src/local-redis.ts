/**
 * LocalRedisServer: a Debian `redis-server` child on loopback, for the launcher that starts
 * Redis when asked (`--redis-server`), benchmarks and tests. Started on a free port, ready
 * once it says so, stopped by its PID.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";

/** redis-server is ready in a few ms; this covers a loaded machine. */
const START_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 3_000;
/** Linux's `USER_HZ`: /proc/<pid>/stat counts CPU in these ticks. */
const CLOCK_TICKS_PER_SEC = 100;
/** utime's index in /proc/<pid>/stat after the `(comm)` field (stime follows). */
const STAT_UTIME_AFTER_COMM = 11;

export interface LocalRedisOptions {
  /** Default: a port free on 127.0.0.1 now. */
  readonly port?: number;
  /**
   * Keep the data here in an append-only file, so what was saved survives a restart. Default:
   * no persistence, in a temporary directory removed by `stop()`.
   */
  readonly dataDir?: string;
  /** Pin the server to this CPU core (taskset), as benchmarks pin their processes. */
  readonly core?: number;
  /** Default the REDIS_SERVER environment variable, else `redis-server` on the PATH. */
  readonly binary?: string;
}

export class LocalRedisServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly dir: string,
    private readonly ownsDir: boolean,
  ) {}

  /** Starts one and resolves once it accepts connections. */
  static async start(options: LocalRedisOptions = {}): Promise<LocalRedisServer> {
    const port = options.port ?? (await freeLoopbackPort());
    const ownsDir = options.dataDir === undefined;
    const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), "tickwire-redis-"));
    mkdirSync(dir, { recursive: true });
    const binary = options.binary ?? (process.env.REDIS_SERVER || "redis-server");
    const persistence = ownsDir ? ["--appendonly", "no"] : ["--appendonly", "yes"];
    const redis = [binary, "--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence, "--dir", dir];
    const [command, ...args] = options.core === undefined ? redis : ["taskset", "-c", String(options.core), ...redis];
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error): void => {
        clearTimeout(timer);
        child.kill("SIGKILL");
        if (ownsDir) rmSync(dir, { recursive: true, force: true });
        reject(error);
      };
      const timer = setTimeout(() => fail(new Error(`redis-server not ready in ${START_TIMEOUT_MS} ms: ${output}`)), START_TIMEOUT_MS);
      child.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("error", (error) => fail(new Error(`cannot start ${binary}: ${error.message}`)));
      child.once("exit", (code) => fail(new Error(`redis-server exited with ${code}: ${output}`)));
    });
    child.removeAllListeners("exit");
    child.stdout?.removeAllListeners("data");
    child.stdout?.resume();
    return new LocalRedisServer(child, port, dir, ownsDir);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error("redis-server has no pid");
    return this.child.pid;
  }

  /** The server's log, for a launcher to show. */
  get stdout(): Readable | null {
    return this.child.stdout;
  }

  get stderr(): Readable | null {
    return this.child.stderr;
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void {
    process.kill(this.pid, "SIGSTOP");
  }

  resume(): void {
    process.kill(this.pid, "SIGCONT");
  }

  /** CPU time (user + system) the server has used so far, ms. */
  cpuMs(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[STAT_UTIME_AFTER_COMM]) + Number(fields[STAT_UTIME_AFTER_COMM + 1]);
    return (ticks * 1000) / CLOCK_TICKS_PER_SEC;
  }

  /** Stops it by its PID (SIGTERM, SIGKILL after 3 s) and removes its temporary directory. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
      process.kill(this.pid, "SIGCONT");
      process.kill(this.pid, "SIGTERM");
      const kill = setTimeout(() => process.kill(this.pid, "SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(kill);
    }
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A port free on 127.0.0.1 right now (the kernel's pick, released for the caller to take). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

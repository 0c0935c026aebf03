/**
 * The scale benchmark's Redis: a Debian `redis-server` on a free loopback port with no
 * persistence, in a temporary directory, stopped by its PID (the logic of the server tests'
 * `test/helpers/redis.ts`, which the tools package cannot import). Also reads its CPU time,
 * so the Redis side of a run is measured beside the tickwire servers.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REDIS_BINARY = "/usr/bin/redis-server";
/** redis-server is ready in a few ms; this covers a loaded machine. */
const START_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 3_000;
/** Linux's `USER_HZ`: /proc/<pid>/stat counts CPU in these ticks. */
const CLOCK_TICKS_PER_SEC = 100;
/** utime and stime, 0-based, in /proc/<pid>/stat after the `(comm)` field. */
const STAT_UTIME_AFTER_COMM = 11;

export class BenchRedis {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** Starts one (pinned to `core` when not null) and resolves once it accepts connections. */
  static async start(core: number | null): Promise<BenchRedis> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "tickwire-bench-redis-"));
    const redis = [REDIS_BINARY, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir];
    const [command, ...args] = core === null ? redis : ["taskset", "-c", String(core), ...redis];
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error): void => {
        clearTimeout(timer);
        child.kill("SIGKILL");
        rmSync(dir, { recursive: true, force: true });
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
      child.once("error", fail);
      child.once("exit", (code) => fail(new Error(`redis-server exited with ${code}: ${output}`)));
    });
    child.removeAllListeners("exit");
    child.stdout?.resume();
    return new BenchRedis(child, port, dir);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** CPU time (user + system) the server has used so far, ms. */
  cpuMs(): number {
    const pid = this.child.pid;
    if (pid === undefined) return 0;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[STAT_UTIME_AFTER_COMM]) + Number(fields[STAT_UTIME_AFTER_COMM + 1]);
    return (ticks * 1000) / CLOCK_TICKS_PER_SEC;
  }

  /** Stops it by its PID and removes its directory. */
  async stop(): Promise<void> {
    const pid = this.child.pid;
    if (pid !== undefined && this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
      process.kill(pid, "SIGTERM");
      const kill = setTimeout(() => process.kill(pid, "SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(kill);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A port free on 127.0.0.1 right now (the kernel's pick). */
export function freePort(): Promise<number> {
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

/**
 * A real Debian redis-server for a test file: its own temp dir, a free loopback port, no
 * persistence. Started in beforeAll, stopped by its PID in afterAll.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REDIS_BINARY = "/usr/bin/redis-server";
/** redis-server is ready in a few ms; this covers a loaded machine. */
const START_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 3_000;

export class RedisServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** Starts one on `port` (default: a free one) and resolves once it accepts connections. */
  static async start(port?: number): Promise<RedisServer> {
    const chosen = port ?? (await freePort());
    const dir = mkdtempSync(join(tmpdir(), "tickwire-redis-"));
    const child = spawn(
      REDIS_BINARY,
      ["--port", String(chosen), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`redis-server not ready in ${START_TIMEOUT_MS} ms: ${output}`)), START_TIMEOUT_MS);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        child.kill("SIGKILL");
        rmSync(dir, { recursive: true, force: true });
        reject(error);
      };
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
    return new RedisServer(child, chosen, dir);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error("redis-server has no pid");
    return this.child.pid;
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void {
    process.kill(this.pid, "SIGSTOP");
  }

  resume(): void {
    process.kill(this.pid, "SIGCONT");
  }

  /** Stops it by its PID and removes its directory. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
      process.kill(this.pid, "SIGCONT");
      process.kill(this.pid, "SIGTERM");
      const kill = setTimeout(() => process.kill(this.pid, "SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(kill);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
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

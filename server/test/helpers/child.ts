import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

interface Reply {
  readonly cmd: string;
  readonly [key: string]: unknown;
}

/**
 * A TypeScript server script run in its own Node process (tsx, workspace sources),
 * talking to the test over IPC: it sends `{ cmd: "listening", port }` when ready and
 * answers `{ cmd }` requests with a message of the same `cmd`.
 */
export class ChildServer {
  private constructor(
    readonly process: ChildProcess,
    readonly port: number,
  ) {}

  static start(script: URL, env: Record<string, string> = {}, execArgv: string[] = []): Promise<ChildServer> {
    const child = fork(fileURLToPath(script), [], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      execArgv: ["--conditions=source", "--import", "tsx", ...execArgv],
      env: { ...process.env, ...env },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    return new Promise((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`server process exited with ${code} before listening`)));
      child.on("message", (message: Reply) => {
        if (message.cmd === "listening") resolve(new ChildServer(child, message.port as number));
      });
    });
  }

  request<T extends Reply>(cmd: string, timeoutMs = 5_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${cmd}`)), timeoutMs);
      const onMessage = (message: Reply) => {
        if (message.cmd !== cmd) return;
        clearTimeout(timer);
        this.process.off("message", onMessage);
        resolve(message as T);
      };
      this.process.on("message", onMessage);
      this.process.send({ cmd });
    });
  }

  async metrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.port}/metrics`)).text();
  }

  /** A counter or gauge from /metrics (first sample whose line starts with `series`). */
  async metric(series: string): Promise<number> {
    const line = (await this.metrics()).split("\n").find((l) => l.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  }

  /** Disconnects IPC (the script closes its server) and waits for the exit. */
  stop(): Promise<number | null> {
    // Already gone (exited, or killed by a signal: then exitCode stays null).
    if (this.process.exitCode !== null || this.process.signalCode !== null) return Promise.resolve(this.process.exitCode);
    return new Promise((resolve) => {
      const kill = setTimeout(() => this.process.kill("SIGKILL"), 5_000);
      this.process.once("exit", (code) => {
        clearTimeout(kill);
        resolve(code);
      });
      if (this.process.connected) this.process.disconnect();
      else this.process.kill("SIGTERM");
    });
  }
}

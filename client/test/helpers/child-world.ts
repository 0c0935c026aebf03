import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * A tickwire server in a process of its own (tsx, workspace sources) hosting one world of
 * the test game, so a test can kill it with SIGKILL like a crash. It reports its port over IPC.
 */
export class ChildWorld {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  /** Base WebSocket URL of the process (a registry listing's address). */
  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  static start(worldId: string): Promise<ChildWorld> {
    const child = fork(fileURLToPath(new URL("./child-world-main.ts", import.meta.url)), [worldId], {
      execArgv: ["--conditions=source", "--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    return new Promise((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`world process exited with ${code} before listening`)));
      child.once("message", (message: { port: number }) => resolve(new ChildWorld(child, message.port)));
    });
  }

  /** SIGKILL: no close frames, no saves; the process is gone. Only this child, by its PID. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}

/**
 * The child processes of the benchmarks and the window they are measured over: spawned from TypeScript through
 * tsx, optionally pinned to a core, driven over Node IPC, stopped with a `stop` message.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { cpus } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Time a child gets to exit after `stop` before it is killed. */
const STOP_TIMEOUT_MS = 5000;
/** A server answers `report` at once; this covers a loaded machine. */
const REPORT_TIMEOUT_MS = 10_000;
/** A load's window ends on its own clock; this much later it is stuck. */
const WINDOW_END_GRACE_SEC = 10;

const HERE = dirname(fileURLToPath(import.meta.url));
/** The tools package: where `--import tsx` and the `source` condition resolve. */
const TOOLS_DIR = join(HERE, "..", "..");

/** Runs `entry` (a file next to this one) with `argument` as JSON, on `core` when not null (`taskset`). */
export function spawnChild(entry: string, argument: object, core: number | null, nodeFlags: readonly string[] = []): ChildProcess {
  const node = [process.execPath, ...nodeFlags, "--conditions=source", "--import", "tsx", join(HERE, entry), JSON.stringify(argument)];
  const [command, ...args] = core === null ? node : ["taskset", "-c", String(core), ...node];
  return spawn(command, args, { cwd: TOOLS_DIR, stdio: ["ignore", "inherit", "inherit", "ipc"] });
}

/** The child's script and pid, for error messages (its command line starts with taskset and flags). */
function describeChild(child: ChildProcess): string {
  const script = child.spawnargs.find((arg) => arg.endsWith(".ts"));
  return `${script === undefined ? "child" : basename(script)} (pid ${child.pid})`;
}

/** The next IPC message of `type` from `child`; rejects if the child exits first or `timeoutMs` passes. */
export function nextMessage<M extends { type: string }, T extends M["type"]>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
): Promise<Extract<M, { type: T }>> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    const onMessage = (message: M) => {
      if (message.type !== type) return;
      cleanup();
      resolve(message as Extract<M, { type: T }>);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`${describeChild(child)} exited (${code}) before "${type}"`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no "${type}" from ${describeChild(child)} within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

/** Asks the child to stop, kills it if it has not exited in time, and waits for it to exit. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  if (child.connected) child.send({ type: "stop" });
  const killTimer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(killTimer);
}

/** Busy CPU time of the whole machine so far, ms (all cores). */
export function machineBusyMs(): number {
  let busy = 0;
  for (const { times } of cpus()) busy += times.user + times.nice + times.sys + times.irq;
  return busy;
}

/** The figures every measured process reports for the window: its CPU, % of one core. */
interface WindowReport {
  readonly cpuPct: number;
}

/** One measured window: each side's report, and the CPU (% of one core) of the rest of the machine. */
export interface MeasuredWindow<S extends WindowReport, L extends WindowReport> {
  readonly server: S;
  readonly load: L;
  /** CPU of the processes `sideCpuMs` measures (Redis), % of one core; 0 without them. */
  readonly sideCpuPct: number;
  /** CPU the rest of the machine used (this runner excluded), % of one core. */
  readonly otherCpuPct: number;
}

/**
 * The window protocol of every bench run: the load says `window-start` once its bots are
 * connected and warmed up, the server opens its window (`reset`); the load says `window-end`
 * with its report, the server closes its window (`report`). Meanwhile the machine's busy time
 * is measured, so a run disturbed by other jobs shows in `otherCpuPct`.
 */
export async function measureWindow<S extends WindowReport, L extends WindowReport & { readonly windowSec: number }>(
  server: ChildProcess,
  load: ChildProcess,
  timing: { readonly untilWindowMs: number; readonly windowSec: number },
  sideCpuMs: () => number = () => 0,
): Promise<MeasuredWindow<S, L>> {
  type LoadMessage = { type: "window-start" } | { type: "window-end"; report: L };
  await nextMessage<LoadMessage, "window-start">(load, "window-start", timing.untilWindowMs);
  server.send({ type: "reset" });
  const busyStart = machineBusyMs();
  const sideStart = sideCpuMs();
  const ownStart = process.cpuUsage();
  const ended = await nextMessage<LoadMessage, "window-end">(load, "window-end", (timing.windowSec + WINDOW_END_GRACE_SEC) * 1000);
  server.send({ type: "report" });
  const own = process.cpuUsage(ownStart);
  const windowMs = ended.report.windowSec * 1000;
  const sideCpuPct = ((sideCpuMs() - sideStart) / windowMs) * 100;
  const machinePct = ((machineBusyMs() - busyStart - (own.user + own.system) / 1000) / windowMs) * 100;
  const reported = await nextMessage<{ type: "report"; report: S }, "report">(server, "report", REPORT_TIMEOUT_MS);
  const otherCpuPct = Math.max(0, machinePct - reported.report.cpuPct - ended.report.cpuPct - sideCpuPct);
  return { server: reported.report, load: ended.report, sideCpuPct, otherCpuPct };
}

/**
 * The "floor" of the field benchmark: a bare uWebSockets.js server sending one prebuilt
 * message to every client at 20 Hz, measured the way `field.ts` measures tickwire (server
 * process on core 0, raw `ws` clients on core 1, a window after a warm-up). Field's targets
 * came from a machine where this floor is 13% of a core; measuring it here, in the same run,
 * lets tickwire's CPU be read as a ratio to it.
 */
import type { ChildProcess } from "node:child_process";
import { machineBusyMs, nextMessage, spawnChild, stopChild } from "./children.js";
import { progress } from "./harness.js";

/** 20 Hz, field's tick and snapshot rate. */
export const FLOOR_TICK_MS = 50;
/** Clients connected per second: field's ramp, so C=2000 is up in 10 s. */
const RAMP_PER_SEC = 200;
/** Time a child gets to start, and the clients to connect beyond the ramp. */
const STARTUP_TIMEOUT_MS = 30_000;
const CONNECT_GRACE_SEC = 15;

export interface FloorOptions {
  clients: number;
  messageBytes: number;
  warmupSec: number;
  windowSec: number;
  /** Server on core 0 and load on core 1 (`taskset`); the caller checks that the machine can. */
  pinned: boolean;
  /**
   * Whether each client also sends a small message 20 times a second, as the field scene's
   * players send inputs (the server receives and ignores them). Receiving them costs the
   * server about as much as sending, so both floors are measured.
   */
  clientInputs: boolean;
}

export interface FloorRun {
  clients: number;
  messageBytes: number;
  clientInputs: boolean;
  /** Server CPU (user + system) over the window, % of one core. */
  cpuPct: number;
  rssMb: number;
  /** Time to send the tick's message to every socket. */
  sendP50Ms: number;
  sendP99Ms: number;
  /** Clients connected at the end of the window. */
  connected: number;
  /** The load process's own CPU over the window, % of one core. */
  loadCpuPct: number;
  /** Payload bytes received per connected client per second, over the window. */
  bytesPerClientSec: number;
  /**
   * CPU used on the machine during the window by everything but this runner, server and
   * load, % of one core: above a few % something else shared the cores and the run is suspect.
   */
  otherCpuPct: number;
}

export interface FloorServerArgs {
  messageBytes: number;
}

export interface FloorServerReport {
  cpuPct: number;
  rssMb: number;
  ticks: number;
  sendP50Ms: number;
  sendP99Ms: number;
  /** Sends uWS buffered or dropped (backpressure) during the window: the floor is only valid near 0. */
  backpressured: number;
}

/** Parent → server: `reset` opens the measured window, `report` closes it, `stop` ends the process. */
export type FloorServerRequest = { type: "reset" } | { type: "report" } | { type: "stop" };
export type FloorServerReply = { type: "ready"; port: number } | { type: "report"; report: FloorServerReport };

export interface FloorLoadArgs {
  url: string;
  clients: number;
  rampPerSec: number;
  warmupSec: number;
  windowSec: number;
  /** Give up waiting for every client to connect after this long, and measure anyway. */
  connectTimeoutSec: number;
  /** Each client sends a small message every tick. */
  inputs: boolean;
}

export interface FloorLoadReport {
  windowSec: number;
  connected: number;
  bytesPerClientSec: number;
  cpuPct: number;
}

/** Load → parent: the window opens (the parent resets the server), then its figures. */
export type FloorLoadMessage = { type: "window-start" } | { type: "window-end"; report: FloorLoadReport };
/** Parent → load. */
export type FloorLoadRequest = { type: "stop" };

/** One floor run: server up, clients ramped and warmed up, then the window measured on both sides. */
export async function runFloor(options: FloorOptions): Promise<FloorRun> {
  const { clients, messageBytes, pinned, clientInputs } = options;
  progress(
    `floor: C=${clients}, ${messageBytes} B at 20 Hz, ${clientInputs ? "clients sending inputs" : "sends only"}: warm-up ${options.warmupSec} s, window ${options.windowSec} s` +
      (pinned ? ", server on core 0, load on core 1" : ", not pinned"),
  );
  const serverArgs: FloorServerArgs = { messageBytes };
  const server = spawnChild("floor-server.ts", serverArgs, pinned ? 0 : null);
  let load: ChildProcess | null = null;
  try {
    const { port } = await nextMessage<FloorServerReply, "ready">(server, "ready", STARTUP_TIMEOUT_MS);
    const loadArgs: FloorLoadArgs = {
      url: `ws://127.0.0.1:${port}/ws`,
      clients,
      rampPerSec: RAMP_PER_SEC,
      warmupSec: options.warmupSec,
      windowSec: options.windowSec,
      connectTimeoutSec: clients / RAMP_PER_SEC + CONNECT_GRACE_SEC,
      inputs: clientInputs,
    };
    load = spawnChild("floor-load.ts", loadArgs, pinned ? 1 : null);
    const untilWindow = STARTUP_TIMEOUT_MS + (loadArgs.connectTimeoutSec + loadArgs.warmupSec) * 1000;
    await nextMessage<FloorLoadMessage, "window-start">(load, "window-start", untilWindow);
    server.send({ type: "reset" } satisfies FloorServerRequest);
    const busyStart = machineBusyMs();
    const ownStart = process.cpuUsage();
    const ended = await nextMessage<FloorLoadMessage, "window-end">(load, "window-end", (options.windowSec + 10) * 1000);
    server.send({ type: "report" } satisfies FloorServerRequest);
    const own = process.cpuUsage(ownStart);
    const machinePct = ((machineBusyMs() - busyStart - (own.user + own.system) / 1000) / (ended.report.windowSec * 1000)) * 100;
    const { report } = await nextMessage<FloorServerReply, "report">(server, "report", 10_000);
    const run: FloorRun = {
      clients,
      messageBytes,
      clientInputs,
      cpuPct: report.cpuPct,
      rssMb: report.rssMb,
      sendP50Ms: report.sendP50Ms,
      sendP99Ms: report.sendP99Ms,
      connected: ended.report.connected,
      loadCpuPct: ended.report.cpuPct,
      bytesPerClientSec: ended.report.bytesPerClientSec,
      otherCpuPct: Math.max(0, machinePct - report.cpuPct - ended.report.cpuPct),
    };
    progress(
      `floor: C=${clients}: ${run.connected} connected, CPU ${run.cpuPct.toFixed(1)}%, send p50 ${run.sendP50Ms.toFixed(2)} ms ` +
        `p99 ${run.sendP99Ms.toFixed(2)} ms, load CPU ${run.loadCpuPct.toFixed(0)}%, ` +
        `other processes ${run.otherCpuPct.toFixed(0)}%` +
        (report.backpressured > 0 ? `, ${report.backpressured} sends backpressured (floor not valid)` : ""),
    );
    return run;
  } finally {
    if (load !== null) await stopChild(load);
    await stopChild(server);
  }
}

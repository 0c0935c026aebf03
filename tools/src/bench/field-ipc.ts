/** Messages between the field runner (`field.ts`) and its two child processes, over Node IPC. */

import type { FieldVariant } from "./field-game.js";

export interface FieldServerArgs {
  mobs: number;
  variant: FieldVariant;
  capacity: number;
  maxConnectionsPerIp: number;
}

export interface FieldServerReport {
  /** Server CPU (user + system) over the window, % of one core. */
  cpuPct: number;
  rssMb: number;
  ticks: number;
  tickP50Ms: number;
  tickP99Ms: number;
  tickMaxMs: number;
}

/** Parent → server: `reset` opens the measured window, `report` closes it, `stop` ends the process. */
export type ServerRequest = { type: "reset" } | { type: "report" } | { type: "stop" };
export type ServerReply = { type: "ready"; port: number } | { type: "report"; report: FieldServerReport };

export interface FieldLoadArgs {
  url: string;
  bots: number;
  rampPerSec: number;
  warmupSec: number;
  windowSec: number;
  /** Give up waiting for every bot to connect after this long, and measure anyway. */
  connectTimeoutSec: number;
  seed: number;
  inputTiming: "aligned" | "free";
}

export interface FieldLoadReport {
  windowSec: number;
  connectedAtStart: number;
  connectedAtEnd: number;
  /** Payload bytes received per connected bot per second, over the window. */
  bytesPerClientSec: number;
  ackCount: number;
  ackP50Ms: number;
  ackP95Ms: number;
  ackP99Ms: number;
  /** The load process's own CPU over the window, % of one core. */
  cpuPct: number;
}

/** Load → parent: the window opens (the parent resets the server), then its figures. */
export type LoadMessage = { type: "window-start" } | { type: "window-end"; report: FieldLoadReport };

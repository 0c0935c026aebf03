/** Messages between the Quest runner (`quest.ts`) and its child processes, over Node IPC. */

import type { HistogramBucket } from "../report/index.js";

export type QuestBehavior = "quest" | "fight";

export interface QuestServerArgs {
  worlds: number;
  /** Mobs per world (`QUEST_MOBS_PER_WORLD`); null: the map's own. */
  mobsPerWorld: number | null;
}

export interface WorldTicks {
  world: string;
  ticks: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface QuestServerReport {
  /** Server CPU (user + system) over the window, % of one core. */
  cpuPct: number;
  rssMb: number;
  /**
   * Snapshots held back for clients whose send buffer was over the soft limit, % of those due
   * in the window: above 0, the bots read too slowly and the bytes figure is below the server's.
   */
  snapshotsSkippedPct: number;
  worlds: WorldTicks[];
}

/** Parent → server: `reset` opens the measured window, `report` closes it, `stop` ends the process. */
export type QuestServerRequest = { type: "reset" } | { type: "report" } | { type: "stop" };
export type QuestServerReply = { type: "ready"; port: number; worlds: string[] } | { type: "report"; report: QuestServerReport };

export interface QuestLoadArgs {
  /** `ws://127.0.0.1:<port>`: each world is `${base}/ws?world=<id>`. */
  base: string;
  worlds: string[];
  botsPerWorld: number;
  behavior: QuestBehavior;
  /** The game module the bots load (`games/quest/src/bots/index.ts`). */
  game: string;
  rampPerSec: number;
  warmupSec: number;
  windowSec: number;
  /** Give up waiting for every bot to connect after this long, and measure anyway. */
  connectTimeoutSec: number;
  seed: number;
}

export interface LatencyFigures {
  count: number;
  p50Ms: number;
  p99Ms: number;
  buckets: HistogramBucket[];
}

export interface QuestLoadReport {
  windowSec: number;
  connectedAtStart: number;
  connectedAtEnd: number;
  /** Payload bytes received per connected bot per second over the window: all worlds, then each world's. */
  bytesPerClientSec: number;
  worldBytesPerClientSec: number[];
  ack: LatencyFigures;
  /** `fight`: from `attack` sent while next to the mob to the first `hit` on it by this bot; null for `quest`. */
  hit: LatencyFigures | null;
  /** The load process's own CPU over the window, % of one core. */
  cpuPct: number;
  /** Disconnects and failed connection attempts over the whole run. */
  disconnects: number;
  connectFailures: number;
}

/** Load → parent: the window opens (the parent resets the server), then its figures. */
export type QuestLoadMessage = { type: "window-start" } | { type: "window-end"; report: QuestLoadReport };

/** Messages between the scale runner (`scale.ts`) and its child processes, over Node IPC. */

import type { FieldVariant } from "./field-game.js";

/** Where a scale server keeps its registry and players. */
export type ScaleBackend = "redis" | "local";

export interface ScaleServerArgs {
  /** `redis`: Redis registry, bus and player store at `redisUrl`; `local`: in-memory registry, LMDB store in a temp dir. */
  backend: ScaleBackend;
  redisUrl: string | null;
  /** Prefix of every Redis key and channel: each part of a run starts from an empty namespace. */
  redisPrefix: string;
  /** 0 picks one; a fixed port lets the process announce `ws://127.0.0.1:<port>` to the others. */
  port: number;
  processId: string;
  /** One world per id, each with its own field game (the scene's mobs live in the game's closure). */
  worldIds: string[];
  capacity: number;
  mobs: number;
  variant: FieldVariant;
  saveIntervalMs: number;
  adminToken: string;
  maxConnectionsPerIp: number;
}

export interface ScaleServerReport {
  /** Server CPU (user + system) over the window, % of one core. */
  cpuPct: number;
  rssMb: number;
  ticks: number;
  /** Tick durations of every world of the process together, ms. */
  tickP50Ms: number;
  tickP99Ms: number;
  tickMaxMs: number;
  /** The window as this process saw it (the parent's `report` arrives a little after the bots' window ends), s. */
  windowSec: number;
  /** Player saves the store wrote, and saves that failed (each retried), over this process's window. */
  savesWritten: number;
  savesFailed: number;
}

/** Parent → server: `reset` opens the measured window, `report` closes it, `stop` ends the process. */
export type ScaleServerRequest = { type: "reset" } | { type: "report" } | { type: "stop" };
export type ScaleServerReply = { type: "ready"; port: number } | { type: "report"; report: ScaleServerReport };

/** One player the players child runs; `entry` is the matchmaking URL (http) or a world's ws URL. */
export interface ScalePlayersArgs {
  /** matchmake: each player matchmakes and joins itself; drain: the client matchmakes (an http URL), and again after a drain. */
  mode: "matchmake" | "drain";
  /** The processes' base URLs (`http://127.0.0.1:<port>`); players spread their matchmaking over them (drain: all but the first). */
  bases: string[];
  game: string;
  players: number;
  /** Give up on what has not happened by then. */
  timeoutSec: number;
  /** Seed of the retry jitter. */
  seed: number;
}

/** A player's matchmaking, as the players child measured it. */
export interface JoinFigures {
  /** Players that joined, and that gave up (503 or refused every attempt). */
  joined: number;
  gaveUp: number;
  /** From the start (every player at once) to the last Welcome, s. */
  elapsedSec: number;
  /** Each /matchmake request's latency, ms (all attempts). */
  matchmakeMs: number[];
  /** From a player's first request to its Welcome, ms. */
  joinMs: number[];
  /** /matchmake answers: 200, 503, other; and joins refused after a 200 (world full, reservation gone...). */
  answered: number;
  unavailable: number;
  failedRequests: number;
  refusedJoins: number;
  /** Refused joins by `"<close code> <reason>"`: why a seat was not had. */
  refusals: Record<string, number>;
  /** The answered URLs that carried `&reservation=`. */
  reservations: number;
  /** Players per world id at the end. */
  worlds: Record<string, number>;
}

/** After a drain: when each player was playing again, and where. */
export interface MoveFigures {
  /** Players on the drained process at the drain. */
  players: number;
  /** From the drain request to each moved player's Welcome on another world, ms. */
  movedMs: number[];
  /** Moved players whose Welcome said their saved record was loaded. */
  restored: number;
  /** Close codes the players saw at the drain, and how often. */
  closeCodes: Record<string, number>;
  /** Players per world id at the end. */
  worlds: Record<string, number>;
}

/**
 * Parent → players: `join` starts every player at once, each through matchmaking; `drain`
 * (drain mode, once all joined) posts `/admin/drain` to `base` and times the players of
 * `worlds` until each plays in another world; `stop` ends the process.
 */
export type ScalePlayersRequest =
  | { type: "join" }
  | { type: "drain"; base: string; adminToken: string; worlds: string[] }
  | { type: "stop" };
export type ScalePlayersReply =
  | { type: "joined"; figures: JoinFigures }
  | { type: "moved"; figures: MoveFigures }
  /** A step the server or client does not support (yet): what happened, for the report. */
  | { type: "failed"; message: string };

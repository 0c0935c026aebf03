/**
 * PlayerPersistence: the players a server process hosts, kept in a PlayerStore across
 * sessions (DESIGN.md, Scale-out). It owns the lifecycle around a world's players: at Join
 * it takes the player's lease and loads its record, off the tick; at leave it saves and
 * then gives the lease up; while the player plays it saves every `saveIntervalMs`, spread
 * over the ticks; at shutdown it flushes. Writes go through the PlayerSaver (async,
 * coalescing, retried) and leases through the LeaseKeeper (renewed). A lease lost to another
 * process closes that player here at once, unsaved, so two processes never both save it.
 *
 * One per server, shared by its worlds, so a player joining again anywhere in the process
 * replaces its earlier session instead of both holding the same record.
 */
import { CloseCode } from "@tickwire/engine";
import { Counter, type Registry } from "prom-client";
import { type Clock, systemClock } from "../clock.js";
import type { Logger } from "../log.js";
import { LeaseKeeper } from "./lease-keeper.js";
import { newHolderId, type PlayerRecord, type PlayerStore } from "./player-store.js";
import { PlayerSaver, systemTimers, type Timers } from "./saver.js";

/** A player's periodic save: often enough that a crash loses little, rare enough to cost nothing. */
export const DEFAULT_SAVE_INTERVAL_MS = 30_000;

/** What a world offers persistence; `World` implements it. */
export interface PersistenceHost<P extends object = object> {
  readonly id: string;
  readonly tickMs: number;
  /** Players in the world, with their session number `id`. */
  readonly sessions: ReadonlySet<P & { readonly id: number; readonly name: string }>;
  /** The game's record for the player (`persist.save`, guarded); undefined when it threw. */
  recordOf(player: P): PlayerRecord | undefined;
  /** Closes the player's connection with `code` and `reason`; it leaves at once. */
  kick(player: P, reason: string, code: CloseCode): void;
}

/** The answer to a join: the player's record (undefined when new), or why it is refused. */
export type Admission =
  | { readonly ok: true; readonly record: PlayerRecord | undefined }
  | { readonly ok: false; readonly code: CloseCode; readonly reason: string };

export interface PlayerPersistenceOptions {
  readonly store: PlayerStore;
  readonly logger: Logger;
  /** Default DEFAULT_SAVE_INTERVAL_MS. */
  readonly saveIntervalMs?: number;
  /** Lease TTL; default the LeaseKeeper's (10 s). */
  readonly leaseTtlMs?: number;
  /** Prefixes the lease holder token, so a lease in the store names the process holding it. */
  readonly processId?: string;
  readonly timers?: Timers;
  /** Monotonic ms, for the shutdown deadline. */
  readonly clock?: Clock;
  /** Where `tickwire_player_loads_total`, `tickwire_player_leases_lost_total` and the saver's metrics go. */
  readonly metricsRegistry?: Registry;
}

type LoadOutcome = "loaded" | "new" | "held_elsewhere" | "failed";

interface Hosted {
  readonly host: PersistenceHost;
  readonly player: object;
}

export class PlayerPersistence {
  readonly holder: string;
  readonly saver: PlayerSaver;
  readonly leases: LeaseKeeper;
  readonly saveIntervalMs: number;
  private readonly store: PlayerStore;
  private readonly logger: Logger;
  private readonly timers: Timers;
  private readonly clock: Clock;
  /** Players playing here, by store key. */
  private readonly hosted = new Map<string, Hosted>();
  private readonly keyOf = new WeakMap<object, string>();
  /** The newest join in progress per key: an older one still loading is superseded. */
  private readonly joining = new Map<string, object>();
  /** Per key, the leave whose save must land (and lease go) before the player is loaded again. */
  private readonly leaving = new Map<string, Promise<void>>();
  private loadFailures = 0;
  /** Saves written when the last load failed: one written since shows the store works again. */
  private writtenAtLoadFailure = 0;
  private readonly loads: Counter<"outcome"> | undefined;
  private readonly leasesLost: Counter | undefined;

  constructor(options: PlayerPersistenceOptions) {
    this.holder = options.processId === undefined ? newHolderId() : `${options.processId}@${newHolderId()}`;
    this.store = options.store;
    this.logger = options.logger.child({ component: "persistence" });
    this.timers = options.timers ?? systemTimers;
    this.clock = options.clock ?? systemClock;
    this.saveIntervalMs = options.saveIntervalMs ?? DEFAULT_SAVE_INTERVAL_MS;
    if (!(this.saveIntervalMs > 0)) throw new RangeError(`saveIntervalMs must be positive, got ${this.saveIntervalMs}`);
    const common = { store: this.store, holder: this.holder, logger: this.logger, timers: options.timers };
    this.saver = new PlayerSaver({ ...common, metricsRegistry: options.metricsRegistry, onLeaseLost: this.lost });
    this.leases = new LeaseKeeper({ ...common, ttlMs: options.leaseTtlMs, onLost: this.lost });
    const registers = options.metricsRegistry === undefined ? undefined : [options.metricsRegistry];
    if (registers !== undefined) {
      this.loads = new Counter({
        name: "tickwire_player_loads_total",
        help: "Player loads at join, by outcome: loaded, new, held_elsewhere (lease), failed (store).",
        labelNames: ["outcome"],
        registers,
      });
      this.leasesLost = new Counter({
        name: "tickwire_player_leases_lost_total",
        help: "Players closed because another process took their lease.",
        registers,
      });
    }
  }

  /** The store key of a game's player key: games on one store never share records. */
  storeKey(gameName: string, key: string): string {
    return `${gameName}:${key}`;
  }

  /**
   * Takes the player's lease and loads its record; never rejects. A session of the same
   * player already here is closed (SessionReplaced) and its save lands first.
   */
  async admit(host: PersistenceHost, key: string): Promise<Admission> {
    const ticket = {};
    this.joining.set(key, ticket);
    const current = this.hosted.get(key);
    if (current !== undefined) {
      this.logger.info({ key, world: current.host.id }, "player joined again; its earlier session is replaced");
      current.host.kick(current.player, "you joined again from another connection", CloseCode.SessionReplaced);
    }
    await this.leaving.get(key);
    const superseded: Admission = {
      ok: false,
      code: CloseCode.SessionReplaced,
      reason: "replaced by a newer join of the same player",
    };
    if (this.joining.get(key) !== ticket) return superseded;
    let acquired: boolean;
    try {
      acquired = await this.leases.acquire(key);
    } catch (error) {
      return this.loadFailed(key, ticket, error);
    }
    if (this.joining.get(key) !== ticket) return superseded;
    if (!acquired) {
      this.joining.delete(key);
      this.countLoad("held_elsewhere");
      this.logger.warn({ key, world: host.id }, "join refused: another process holds the player");
      return { ok: false, code: CloseCode.PlayerHeldElsewhere, reason: "this player is playing on another server" };
    }
    let record: PlayerRecord | undefined;
    try {
      record = await this.store.load(key);
    } catch (error) {
      return this.loadFailed(key, ticket, error);
    }
    if (this.joining.get(key) !== ticket) return superseded;
    // Kept until joined() or abandon(), which the world calls in this same microtask run.
    this.loadFailures = 0;
    this.countLoad(record === undefined ? "new" : "loaded");
    return { ok: true, record };
  }

  /** The admitted player is in the world now: saved from here on. */
  joined(host: PersistenceHost, player: object, key: string): void {
    this.joining.delete(key);
    this.hosted.set(key, { host, player });
    this.keyOf.set(player, key);
  }

  /** An admitted join did not happen (the socket closed, the world filled, onJoin refused): let the lease go. */
  abandon(key: string): void {
    this.joining.delete(key);
    void this.releaseIfUnused(key);
  }

  /** The player leaves: its last record is saved, then its lease released. Runs before onLeave. */
  left(host: PersistenceHost, player: object): void {
    const key = this.keyOf.get(player);
    if (key === undefined) return;
    this.keyOf.delete(player);
    if (this.hosted.get(key)?.player !== player) return;
    this.hosted.delete(key);
    const record = host.recordOf(player);
    if (record !== undefined) this.saver.save(key, record);
    const done: Promise<void> = this.saver.settled(key).then(() => {
      if (this.leaving.get(key) === done) this.leaving.delete(key);
      return this.releaseIfUnused(key);
    });
    this.leaving.set(key, done);
  }

  /** Saves the players whose turn it is this tick: each one every `saveIntervalMs`, spread over the ticks. */
  tick<P extends object>(host: PersistenceHost<P>, tick: number): void {
    if (this.hosted.size === 0) return;
    const every = Math.max(1, Math.round(this.saveIntervalMs / host.tickMs));
    const turn = tick % every;
    for (const player of host.sessions) {
      if (player.id % every !== turn) continue;
      const key = this.keyOf.get(player);
      if (key === undefined) continue;
      const record = host.recordOf(player);
      if (record !== undefined) this.saver.save(key, record);
    }
  }

  /**
   * For a drain: saves every player hosted here and gives each lease up once its save
   * landed, so another process can load the player at once; the players stay connected
   * (the caller closes them after). Waits up to `timeoutMs`; never rejects.
   */
  async handOff(timeoutMs: number): Promise<void> {
    for (const { host, player } of [...this.hosted.values()]) this.left(host, player);
    const deadline = this.clock() + timeoutMs;
    await this.untilDeadline(Promise.all(this.leaving.values()), deadline - this.clock());
    if (this.leaving.size > 0) this.logger.error({ unsaved: [...this.leaving.keys()] }, "drain: player saves not written in time");
  }

  /** What is wrong with the store, for /healthz, or undefined. */
  healthProblem(): string | undefined {
    if (this.saver.failing) return `player store unavailable: saves are failing; ${this.saver.pending} players wait for a retry`;
    if (this.leases.failing) return `player store unavailable: lease renewals are failing for ${this.leases.held.size} players`;
    if (this.loadFailures > 0 && this.saver.counts.written > this.writtenAtLoadFailure) this.loadFailures = 0;
    if (this.loadFailures > 0) return `player store: the last ${this.loadFailures} player loads failed`;
    return undefined;
  }

  /**
   * For a graceful shutdown, after every player left: waits up to `timeoutMs` for their
   * saves, gives the leases up and closes the store. Never rejects.
   */
  async close(timeoutMs: number): Promise<void> {
    const deadline = this.clock() + timeoutMs;
    const flushed = await this.saver.flushAll(timeoutMs);
    if (!flushed.done) this.logger.error({ unsaved: flushed.unsaved }, "shutdown: player saves not written in time");
    this.leases.close();
    // Leases a hung store cannot release expire on their own: the deadline holds.
    const released = Promise.all([...this.leaving.values(), ...[...this.leases.held].map((key) => this.leases.release(key))]);
    await this.untilDeadline(released, deadline - this.clock());
    try {
      await this.store.close();
    } catch (error) {
      this.logger.error({ err: error }, "player store close failed");
    }
  }

  private untilDeadline(work: Promise<unknown>, ms: number): Promise<void> {
    let timer: unknown;
    const timeout = new Promise<void>((resolve) => {
      timer = this.timers.setTimeout(resolve, Math.max(0, ms));
    });
    return Promise.race([work.then(() => undefined), timeout]).finally(() => this.timers.clearTimeout(timer));
  }

  /** Another process took the player: it stops playing here, unsaved. */
  private readonly lost = (key: string): void => {
    const entry = this.hosted.get(key);
    if (entry === undefined) return;
    this.hosted.delete(key);
    this.keyOf.delete(entry.player);
    this.leasesLost?.inc();
    void this.leases.release(key);
    this.logger.error({ key, world: entry.host.id }, "lease lost: the player is closed here, unsaved");
    entry.host.kick(entry.player, "another server took over your player", CloseCode.PlayerHeldElsewhere);
  };

  private loadFailed(key: string, ticket: object, error: unknown): Admission {
    if (this.joining.get(key) === ticket) this.joining.delete(key);
    void this.releaseIfUnused(key);
    this.loadFailures++;
    this.writtenAtLoadFailure = this.saver.counts.written;
    this.countLoad("failed");
    this.logger.error({ err: error, key, failures: this.loadFailures }, "join refused: the player store is unavailable");
    return { ok: false, code: CloseCode.StoreUnavailable, reason: "saved player data unavailable; try again shortly" };
  }

  /** Gives the lease up unless a player of that key is here, joining, or still being saved. */
  private async releaseIfUnused(key: string): Promise<void> {
    if (this.hosted.has(key) || this.joining.has(key) || this.leaving.has(key)) return;
    if (this.leases.held.has(key)) await this.leases.release(key);
  }

  private countLoad(outcome: LoadOutcome): void {
    this.loads?.inc({ outcome });
  }
}

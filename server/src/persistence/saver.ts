/**
 * PlayerSaver: how a world saves players without ever waiting for the store. `save()`
 * queues the record and returns at once; at most one write per player is in flight and
 * newer saves of the same player replace the queued one (only the latest matters). When
 * the store fails, the queue pauses and retries with exponential backoff, logging the
 * outage once (and its end); a refused write (lease lost) is reported, not retried. `flushAll()` is for a
 * graceful shutdown.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { Logger } from "../log.js";
import { InvalidRecordError, type PlayerRecord, type PlayerStore } from "./player-store.js";

/** Timer functions, injected so tests run the backoff in simulated time. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's timers, kept referenced: a save waiting for its retry, or a flush for its deadline, keeps the process alive. */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** First retry after a failure: a blip (failover, restart) is often over by then. */
export const SAVE_RETRY_FIRST_MS = 250;
/** Backoff doubles up to this: a store back from an outage is used again within two seconds. */
export const SAVE_RETRY_MAX_MS = 2_000;
/** Writes in flight at once: enough to keep a remote store's round trips overlapped. */
export const SAVE_CONCURRENCY = 8;

export interface PlayerSaverOptions {
  readonly store: PlayerStore;
  /** This process's lease holder token (the one it acquired players' leases with). */
  readonly holder: string;
  readonly logger: Logger;
  readonly timers?: Timers;
  readonly retryFirstMs?: number;
  readonly retryMaxMs?: number;
  readonly concurrency?: number;
  /** Called when the store refused a save because this process no longer holds the player. */
  readonly onLeaseLost?: (key: string) => void;
  /** Registers `tickwire_player_saves_total{outcome}` and `tickwire_player_saves_pending` on it. */
  readonly metricsRegistry?: Registry;
}

export type SaveOutcomeLabel = "written" | "failed" | "lease_lost" | "invalid";

export interface FlushResult {
  /** True when every queued save was written (or refused) before the timeout. */
  readonly done: boolean;
  /** Players whose latest record was not written. */
  readonly unsaved: readonly string[];
}

export class PlayerSaver {
  /** Totals since creation, by outcome ("failed" counts attempts, each retried). */
  readonly counts: Record<SaveOutcomeLabel, number> = { written: 0, failed: 0, lease_lost: 0, invalid: 0 };
  private readonly store: PlayerStore;
  private readonly holder: string;
  private readonly logger: Logger;
  private readonly timers: Timers;
  private readonly retryFirstMs: number;
  private readonly retryMaxMs: number;
  private readonly concurrency: number;
  private readonly onLeaseLost: (key: string) => void;
  /** The latest record not yet handed to the store, per player, in first-queued order. */
  private readonly queued = new Map<string, PlayerRecord>();
  private readonly inFlight = new Set<string>();
  private retryTimer: unknown;
  private retryDelayMs = 0;
  private failureStreak = 0;
  private idleWaiters: (() => void)[] = [];
  /** Callers waiting for one player's saves to settle (`settled`). */
  private readonly keyWaiters = new Map<string, (() => void)[]>();
  private pumpQueued = false;
  private readonly savesTotal: Counter<"outcome"> | undefined;
  private readonly pendingGauge: Gauge | undefined;

  constructor(options: PlayerSaverOptions) {
    this.store = options.store;
    this.holder = options.holder;
    this.logger = options.logger;
    this.timers = options.timers ?? systemTimers;
    this.retryFirstMs = options.retryFirstMs ?? SAVE_RETRY_FIRST_MS;
    this.retryMaxMs = options.retryMaxMs ?? SAVE_RETRY_MAX_MS;
    this.concurrency = options.concurrency ?? SAVE_CONCURRENCY;
    this.onLeaseLost = options.onLeaseLost ?? (() => {});
    const registers = options.metricsRegistry === undefined ? undefined : [options.metricsRegistry];
    if (registers !== undefined) {
      this.savesTotal = new Counter({
        name: "tickwire_player_saves_total",
        help: "Player save attempts, by outcome: written, failed (retried), lease_lost, invalid.",
        labelNames: ["outcome"],
        registers,
      });
      this.pendingGauge = new Gauge({
        name: "tickwire_player_saves_pending",
        help: "Players whose latest record is queued or being written.",
        registers,
        collect: () => this.pendingGauge?.set(this.pending),
      });
    }
  }

  /** Players with a save queued or in flight. */
  get pending(): number {
    let count = this.inFlight.size;
    for (const key of this.queued.keys()) if (!this.inFlight.has(key)) count++;
    return count;
  }

  /** True from a failed write until a write succeeds again: the store keeps failing. */
  get failing(): boolean {
    return this.failureStreak > 0;
  }

  /**
   * Resolves once the player has no save queued or in flight: its latest record is written,
   * refused (lease lost) or dropped (invalid). While the store fails it waits for the retries.
   */
  settled(key: string): Promise<void> {
    if (!this.queued.has(key) && !this.inFlight.has(key)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.keyWaiters.get(key);
      if (waiters === undefined) this.keyWaiters.set(key, [resolve]);
      else waiters.push(resolve);
    });
  }

  /** True while the store is failing and saves wait for the next retry. */
  get retrying(): boolean {
    return this.retryTimer !== undefined;
  }

  /**
   * Queues `record` as the player's latest state and returns at once; never throws. The
   * saver keeps the object until it is written: pass a fresh one, do not mutate it after.
   */
  save(key: string, record: PlayerRecord): void {
    this.queued.delete(key);
    this.queued.set(key, record);
    // Writes start after the caller's task (the tick) ends: encoding and I/O never count against it.
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(this.scheduledPump);
  }

  /** Waits until every queued save is written or refused, or `timeoutMs` passes; never rejects. */
  flushAll(timeoutMs: number): Promise<FlushResult> {
    return new Promise((resolve) => {
      const finish = (done: boolean): void => {
        this.timers.clearTimeout(timer);
        this.idleWaiters = this.idleWaiters.filter((waiter) => waiter !== onIdle);
        resolve({ done, unsaved: [...new Set([...this.inFlight, ...this.queued.keys()])] });
      };
      const onIdle = (): void => finish(true);
      const timer = this.timers.setTimeout(() => finish(false), timeoutMs);
      this.idleWaiters.push(onIdle);
      this.notifyIfIdle();
    });
  }

  private readonly scheduledPump = (): void => {
    this.pumpQueued = false;
    this.pump();
  };

  private pump(): void {
    if (this.retryTimer !== undefined) return;
    for (const [key, record] of this.queued) {
      if (this.inFlight.size >= this.concurrency) return;
      if (this.inFlight.has(key)) continue;
      this.queued.delete(key);
      this.write(key, record);
    }
    this.notifyIfIdle();
  }

  private write(key: string, record: PlayerRecord): void {
    this.inFlight.add(key);
    let attempt: Promise<unknown>;
    try {
      attempt = this.store.save(key, this.holder, record);
    } catch (error) {
      attempt = Promise.reject(error);
    }
    attempt.then(
      (outcome) => {
        this.inFlight.delete(key);
        if (outcome === "written") this.succeeded();
        else this.leaseLost(key);
        this.notifySettled(key);
        this.pump();
      },
      (error: unknown) => {
        this.inFlight.delete(key);
        if (error instanceof InvalidRecordError) {
          this.count("invalid");
          this.logger.error({ err: error, key }, "player record cannot be saved; dropped");
        } else {
          this.failed(key, record, error);
        }
        this.notifySettled(key);
        this.pump();
      },
    );
  }

  private succeeded(): void {
    this.count("written");
    if (this.failureStreak > 0) {
      this.logger.info({ failures: this.failureStreak }, "player saves succeed again");
      this.failureStreak = 0;
      this.retryDelayMs = 0;
    }
  }

  private leaseLost(key: string): void {
    this.count("lease_lost");
    // A newer queued record would be refused the same way.
    this.queued.delete(key);
    this.logger.warn({ key }, "player save refused: this process no longer holds the player's lease");
    try {
      this.onLeaseLost(key);
    } catch (error) {
      this.logger.error({ err: error, key }, "onLeaseLost threw");
    }
  }

  private failed(key: string, record: PlayerRecord, error: unknown): void {
    this.count("failed");
    this.failureStreak++;
    // Put it back unless a newer record arrived meanwhile; it goes first when the store returns.
    if (!this.queued.has(key)) {
      const rest = [...this.queued];
      this.queued.clear();
      this.queued.set(key, record);
      for (const [otherKey, otherRecord] of rest) this.queued.set(otherKey, otherRecord);
    }
    const paused = this.retryTimer !== undefined;
    // Writes that were in flight together fail together: one backoff step for all of them.
    if (!paused) {
      this.retryDelayMs = this.retryDelayMs === 0 ? this.retryFirstMs : Math.min(this.retryDelayMs * 2, this.retryMaxMs);
    }
    // Once per outage as an error (its end is logged by succeeded()); every retry after it at debug.
    const details = { err: error, key, failures: this.failureStreak, retryInMs: this.retryDelayMs, pending: this.pending };
    if (this.failureStreak === 1) this.logger.error(details, "player save failed: the store is unavailable; retrying");
    else this.logger.debug(details, "player save failed again; retrying");
    if (paused) return;
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, this.retryDelayMs);
  }

  private count(outcome: SaveOutcomeLabel): void {
    this.counts[outcome]++;
    this.savesTotal?.inc({ outcome });
  }

  private notifySettled(key: string): void {
    if (this.queued.has(key) || this.inFlight.has(key)) return;
    const waiters = this.keyWaiters.get(key);
    if (waiters === undefined) return;
    this.keyWaiters.delete(key);
    for (const waiter of waiters) waiter();
  }

  private notifyIfIdle(): void {
    if (this.inFlight.size > 0 || this.queued.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }
}

/**
 * LeaseKeeper: the leases of the players this process hosts, renewed in the background
 * until released. A renewal the store refuses (another process took the player) is
 * reported; a store that fails is logged once per outage and retried at the next round,
 * while the lease still runs on its TTL.
 */
import type { Logger } from "../log.js";
import type { PlayerStore } from "./player-store.js";
import { systemTimers, type Timers } from "./saver.js";

/**
 * A crashed process's players can be taken over this long after its last renewal, so it
 * bounds how soon they play again elsewhere; renewed every quarter of it, a lease outlives
 * a store outage of about three quarters of it (7.5 s).
 */
export const DEFAULT_LEASE_TTL_MS = 10_000;
/**
 * The lease TTL for a store shared by several processes (Redis): after a `kill -9` its
 * players wait for their leases to run out before another process may load them, and the
 * crash target is "playing again within 10 s": 8 s plus a reconnect and a matchmake fits.
 * With renewals every 2 s and a failed round retried after LEASE_RETRY_MS, a lease still
 * outlives a Redis outage of about 6 s (a 1 s command timeout and a retry short of 8 s).
 */
export const REDIS_LEASE_TTL_MS = 8_000;
/** Renewal rounds per TTL. */
const RENEWALS_PER_TTL = 4;
/** After a round with failures the next comes this soon: the first renewal after an outage lands before the TTL runs out. */
export const LEASE_RETRY_MS = 500;

export interface LeaseKeeperOptions {
  readonly store: PlayerStore;
  /** This process's holder token (`newHolderId()`), the same the PlayerSaver saves with. */
  readonly holder: string;
  readonly logger: Logger;
  readonly ttlMs?: number;
  readonly timers?: Timers;
  /** Called when a renewal finds the lease gone or taken: this process must stop saving the player. */
  readonly onLost?: (key: string) => void;
}

export class LeaseKeeper {
  private readonly store: PlayerStore;
  private readonly holder: string;
  private readonly logger: Logger;
  private readonly ttlMs: number;
  private readonly timers: Timers;
  private readonly onLost: (key: string) => void;
  private readonly keys = new Set<string>();
  private timer: unknown;
  private closed = false;
  /** The last renewal round had failures: the store is unavailable. */
  private renewalsFailing = false;

  constructor(options: LeaseKeeperOptions) {
    this.store = options.store;
    this.holder = options.holder;
    this.logger = options.logger;
    this.ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
    this.timers = options.timers ?? systemTimers;
    this.onLost = options.onLost ?? (() => {});
  }

  /** Players whose lease this process holds (as of the last renewal). */
  get held(): ReadonlySet<string> {
    return this.keys;
  }

  /** True while the last renewal round failed: the store is unavailable. */
  get failing(): boolean {
    return this.renewalsFailing;
  }

  /** Takes the player's lease and keeps it renewed; false when another process holds it. Store failures reject. */
  async acquire(key: string): Promise<boolean> {
    if (!(await this.store.acquire(key, this.holder, this.ttlMs))) return false;
    this.keys.add(key);
    this.schedule();
    return true;
  }

  /** Stops renewing and gives the lease up; never rejects (an unreleased lease expires on its own). */
  async release(key: string): Promise<void> {
    this.keys.delete(key);
    try {
      await this.store.release(key, this.holder);
    } catch (error) {
      this.logger.warn({ err: error, key }, "lease release failed; it expires on its own");
    }
  }

  /** Stops renewing (leases run out on their TTL unless released). */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.closed) return;
    const interval = this.ttlMs / RENEWALS_PER_TTL;
    this.timer = this.timers.setTimeout(
      () => {
        this.timer = undefined;
        this.renewAll().finally(() => {
          if (this.keys.size > 0) this.schedule();
        });
      },
      this.renewalsFailing ? Math.min(LEASE_RETRY_MS, interval) : interval,
    );
  }

  private async renewAll(): Promise<void> {
    let failed = 0;
    let firstError: unknown;
    await Promise.all(
      [...this.keys].map(async (key) => {
        let renewed: boolean;
        try {
          renewed = await this.store.renew(key, this.holder, this.ttlMs);
        } catch (error) {
          failed++;
          firstError ??= error;
          return;
        }
        if (renewed || !this.keys.has(key)) return;
        this.keys.delete(key);
        this.logger.warn({ key }, "lease lost: another process holds the player now");
        try {
          this.onLost(key);
        } catch (error) {
          this.logger.error({ err: error, key }, "onLost threw");
        }
      }),
    );
    // One line per outage, not one per player per round.
    if (failed > 0 && !this.renewalsFailing) {
      this.logger.error({ err: firstError, leases: failed }, "lease renewal failed: the store is unavailable; retrying next round");
    } else if (failed === 0 && this.renewalsFailing) {
      this.logger.info("lease renewals succeed again");
    }
    this.renewalsFailing = failed > 0;
  }
}

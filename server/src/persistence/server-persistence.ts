/** How `createServer` sets up persistence: only when a game persists, on the given store or LMDB in `dataDir`. */
import type { Registry } from "prom-client";
import type { Clock } from "../clock.js";
import type { Logger } from "../log.js";
import { REDIS_LEASE_TTL_MS } from "./lease-keeper.js";
import { LmdbPlayerStore } from "./lmdb.js";
import type { PlayerStore } from "./player-store.js";
import { RedisPlayerStore } from "./redis.js";
import { PlayerPersistence } from "./world-persistence.js";

/** The default store's directory, relative to the working directory (git-ignored in this repo). */
export const DEFAULT_DATA_DIR = "./data";

export interface PersistenceServerOptions {
  readonly worlds: readonly { readonly game: { readonly persist?: unknown } }[];
  readonly store?: PlayerStore;
  readonly dataDir?: string;
  readonly saveIntervalMs?: number;
  readonly leaseTtlMs?: number;
  readonly processId?: string;
  readonly clock?: Clock;
}

export function createPersistence(
  options: PersistenceServerOptions,
  logger: Logger,
  metricsRegistry: Registry,
): PlayerPersistence | undefined {
  if (!options.worlds.some((world) => world.game.persist !== undefined)) return undefined;
  const dir = options.dataDir ?? DEFAULT_DATA_DIR;
  const store = options.store ?? new LmdbPlayerStore({ dir });
  if (options.store === undefined) logger.info({ dataDir: dir }, "players are saved in LMDB");
  const { saveIntervalMs, processId, clock } = options;
  // Shared by processes: a crashed one's players are free again sooner (see REDIS_LEASE_TTL_MS).
  const leaseTtlMs = options.leaseTtlMs ?? (store instanceof RedisPlayerStore ? REDIS_LEASE_TTL_MS : undefined);
  return new PlayerPersistence({ store, logger, metricsRegistry, saveIntervalMs, leaseTtlMs, processId, clock });
}

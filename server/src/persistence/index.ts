export { InMemoryPlayerStore } from "./memory.js";
export { DEFAULT_LEASE_TTL_MS, LEASE_RETRY_MS, LeaseKeeper, type LeaseKeeperOptions, REDIS_LEASE_TTL_MS } from "./lease-keeper.js";
export { LMDB_FILE, LmdbPlayerStore, type LmdbPlayerStoreOptions } from "./lmdb.js";
export {
  assertPlainRecord,
  assertPlayerKey,
  InvalidRecordError,
  MAX_PLAYER_KEY_LENGTH,
  newHolderId,
  type PlayerRecord,
  type PlayerStore,
  type WriteOutcome,
} from "./player-store.js";
export { RedisPlayerStore, type RedisPlayerStoreOptions } from "./redis.js";
export {
  type FlushResult,
  PlayerSaver,
  type PlayerSaverOptions,
  SAVE_CONCURRENCY,
  SAVE_RETRY_FIRST_MS,
  SAVE_RETRY_MAX_MS,
  type SaveOutcomeLabel,
  systemTimers,
  type Timers,
} from "./saver.js";

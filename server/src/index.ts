export { type Clock, systemClock } from "./clock.js";
export { JoinRefused } from "./close-reason.js";
export type { PeerInfo } from "./peer.js";
export {
  DEFAULT_CAPACITY,
  DEFAULT_CELL_SIZE_PER_RADIUS,
  DEFAULT_TICK_RATE,
  defineGame,
  type EventTarget,
  type GameContext,
  type GameDefinition,
  type GlobalChatMessage,
  type InterestOptions,
  type JoiningPlayer,
  type NearPoint,
  type PersistOptions,
  type Player,
  type WorldInfo,
} from "./game.js";
export type { AuthHook, UpgradeRequest } from "./handshake.js";
export type { StaticOptions } from "./http/static.js";
export { DEFAULT_LIMITS, HARD_FRAME_LIMIT_BYTES, resolveLimits, type ServerLimits } from "./limits.js";
export { createLogger, type Logger, type LoggerOptions, silentLogger } from "./log.js";
export { ServerMetrics } from "./metrics.js";
export type { SocketLike } from "./outbox.js";
export { DEFAULT_LISTING_TTL_MS, InMemoryRegistry, pickWorld, type WorldListing, type WorldRegistry } from "./registry/index.js";
export { type AnyGame, createServer, type ServerOptions, type TickwireServer, type WorldConfig } from "./server.js";
export { closeLabel } from "./counters.js";
export { World, type WorldNetwork, type WorldOptions } from "./world.js";
export {
  BUS_MESSAGE_TYPES,
  type BusHandler,
  type BusMessage,
  type BusMessageOf,
  type BusMessageType,
  DEFAULT_POPULATION_STALE_MS,
  InProcessBus,
  InProcessHub,
  InvalidBusMessageError,
  type KickTarget,
  MAX_BUS_ID_LENGTH,
  MAX_BUS_TEXT_LENGTH,
  type MessageBus,
  PopulationTally,
  RedisBus,
  type RedisBusOptions,
  validateBusMessage,
} from "./bus/index.js";
export {
  assertPlainRecord,
  assertPlayerKey,
  DEFAULT_LEASE_TTL_MS,
  type FlushResult,
  LEASE_RETRY_MS,
  REDIS_LEASE_TTL_MS,
  InMemoryPlayerStore,
  InvalidRecordError,
  LeaseKeeper,
  type LeaseKeeperOptions,
  LMDB_FILE,
  LmdbPlayerStore,
  type LmdbPlayerStoreOptions,
  MAX_PLAYER_KEY_LENGTH,
  newHolderId,
  type PlayerRecord,
  PlayerSaver,
  type PlayerSaverOptions,
  type PlayerStore,
  RedisPlayerStore,
  type RedisPlayerStoreOptions,
  SAVE_CONCURRENCY,
  SAVE_RETRY_FIRST_MS,
  SAVE_RETRY_MAX_MS,
  type SaveOutcomeLabel,
  systemTimers,
  type Timers,
  type WriteOutcome,
} from "./persistence/index.js";
export { DEFAULT_DATA_DIR } from "./persistence/server-persistence.js";
export { DEFAULT_SAVE_INTERVAL_MS } from "./persistence/world-persistence.js";
export { freeLoopbackPort, LocalRedisServer, type LocalRedisOptions } from "./local-redis.js";
export { connectRedis, REDIS_COMMAND_TIMEOUT_MS, REDIS_MAX_RECONNECT_DELAY_MS } from "./redis-client.js";
export {
  DEFAULT_RESERVATION_TTL_MS,
  type InMemoryRegistryOptions,
  RedisRegistry,
  type RedisRegistryOptions,
  type Reservation,
  type ReserveResult,
} from "./registry/index.js";

export { type Clock, systemClock } from "./clock.js";
export type { ConnectionInfo } from "./connection.js";
export {
  DEFAULT_CAPACITY,
  DEFAULT_CELL_SIZE_PER_RADIUS,
  DEFAULT_TICK_RATE,
  defineGame,
  type EventTarget,
  type GameContext,
  type GameDefinition,
  type InterestOptions,
  type JoiningPlayer,
  type NearPoint,
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
export { closeLabel, World, type WorldOptions } from "./world.js";

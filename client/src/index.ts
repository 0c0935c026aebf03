export { Backoff, type BackoffOptions } from "./backoff.js";
export {
  type ClientEvents,
  type ClientGame,
  type ClientRuntime,
  type ClientTuning,
  type ConnectOptions,
  connect,
  TickwireClient,
  type UpdateOptions,
} from "./client.js";
export * from "./constants.js";
export type {
  ClientError,
  ClientErrorKind,
  CloseInfo,
  ConnectionState,
  DisconnectInfo,
  FrameDirection,
  Timers,
} from "./connection.js";
export { Emitter } from "./emitter.js";
export { isMatchmakerUrl, type MatchInfo, type MatchmakingInfo, type MatchmakingReason } from "./matchmaking.js";
export { NetStats, type NetSeries, RateWindow, Series } from "./net-stats.js";
export type { PredictConfig } from "./prediction.js";
export { type FetchLike, preflightUrl } from "./preflight.js";
export { ReliableBuffer } from "./reliable.js";
export { type Refusal, refusalRetryable, type WebSocketConstructor, type WebSocketLike } from "./socket.js";
export {
  type ClientEntity,
  ClientScene,
  type EntityView,
  type FixedFieldName,
  type InterpolationOptions,
  type RenderValues,
  type SceneListener,
} from "./scene.js";

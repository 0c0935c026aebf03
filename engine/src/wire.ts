// `@tickwire/engine/wire`: what tickwire's server and client are built from — the protocol
// and its codecs, snapshot deltas and the mirror, the interest grid, clock sync, input
// timing, interpolation, the reconciler, and the low-level helpers they share. Games use
// `@tickwire/engine`; nothing here is needed to write one.
export * from "./binary/index.js";
export * from "./interest/index.js";
export {
  AdaptiveDelay,
  type AdaptiveDelayOptions,
  DEFAULT_DECREASE_RATE,
  DEFAULT_INCREASE_RATE,
  DEFAULT_INTERP_CAPACITY,
  DEFAULT_JITTER_MULTIPLIER,
  DEFAULT_JITTER_WINDOW,
  DEFAULT_MAX_DELAY_MS,
  DEFAULT_MAX_EXTRAPOLATION_MS,
  type FieldInterp,
  InterpolationBuffer,
  type InterpolationBufferOptions,
  type SampleStatus,
} from "./interp/index.js";
export {
  DECAY_RESIDUE,
  DEFAULT_CORRECTION_EPSILON,
  DEFAULT_MAX_PENDING,
  ErrorSmoother,
  type ErrorSmootherOptions,
  type ReconcileResult,
  Reconciler,
  type ReconcilerOptions,
} from "./predict/index.js";
export { decodeClientMessage, decodeServerMessage, encodeClientMessage, encodeServerMessage } from "./protocol/codec.js";
export { MsgType } from "./protocol/codes.js";
export {
  MAX_CLIENT_MESSAGE_BYTES,
  MAX_CLOSE_REASON_BYTES,
  MAX_ERROR_MESSAGE_LENGTH,
  MAX_EVENTS_PER_MESSAGE,
  MAX_INPUT_SEQ,
  MAX_RESUME_TOKEN_LENGTH,
  MAX_SERVER_MESSAGE_BYTES,
  MAX_UINT32,
  MAX_WIRE_VALUE_DEPTH,
  NO_INPUT_ACK,
  NO_INPUT_TICK,
  PROTOCOL_VERSION,
  SUBPROTOCOL,
} from "./protocol/constants.js";
export type {
  ChatMessage,
  ClientMessage,
  CommandMessage,
  ErrorMessage,
  EventsMessage,
  InputMessage,
  JoinMessage,
  PingMessage,
  PongMessage,
  ResumeMessage,
  ServerMessage,
  SnapshotMessage,
  WelcomeMessage,
} from "./protocol/messages.js";
export { beginSnapshotMessage, encodeEvents, endSnapshotMessage, writeSnapshotMessage } from "./protocol/snapshot.js";
export {
  type ClientView,
  createClientView,
  DeltaMode,
  deltaModeFor,
  encodeDelta,
  UPDATE_HEAD_FORMS,
  UpdateForm,
  updateForm,
  writeEnter,
  writeUpdate,
  writeUpdateHead,
  writeUpdatePayload,
} from "./state/delta.js";
export { assertEntityId, isEntityId, MAX_ENTITY_ID } from "./state/entity-id.js";
export type { ReadonlyIdList, ReadonlyMaskedIdList, TickChanges } from "./state/history.js";
export { IdSet } from "./state/id-set.js";
export { FIRST_ENTITY_ID } from "./state/ids.js";
export {
  type ApplyResult,
  type DecodeFailure,
  type DecodeFailureReason,
  type MirrorEntity,
  SnapshotMirror,
} from "./state/mirror.js";
export { DEFAULT_HISTORY_TICKS } from "./state/store.js";
export * from "./time/index.js";
export { ensureLength, ensureScratchLength, type GrowableArray, grownLength } from "./util/grow.js";
export { nextSeq, SEQ_MODULO, seqDiff, seqNewer } from "./util/seq.js";

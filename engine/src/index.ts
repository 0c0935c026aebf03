// What a game uses: schemas and their field types, the entity store it writes, input
// schemas, prediction, the seeded RNG, math helpers, close and error codes, and the types
// these name. What server and client are built from (protocol, codecs, snapshot deltas,
// interest grid, clock sync, interpolation, the reconciler) is in `@tickwire/engine/wire`.
export { angleDelta } from "./interp/angle.js";
export {
  definePrediction,
  type NumericFieldName,
  type PredictedState,
  type Prediction,
  type PredictionModel,
  type PredictionSpec,
} from "./predict/index.js";
export { CloseCode, closeReason, ErrorCode, isErrorCode, retryable } from "./protocol/codes.js";
export {
  MAX_CHAT_LENGTH,
  MAX_COMMAND_ARG_LENGTH,
  MAX_COMMAND_ARGS,
  MAX_COMMAND_NAME_LENGTH,
  MAX_EVENT_NAME_LENGTH,
  MAX_INPUT_FIELDS,
  MAX_NAME_LENGTH,
  MAX_TICK_RATE,
  MAX_WORLD_ID_LENGTH,
} from "./protocol/constants.js";
export type { DecodeResult, ProtocolError } from "./protocol/errors.js";
export {
  type BoolInputField,
  defineInput,
  type InputField,
  type InputFields,
  type InputOf,
  type InputSchema,
  type IntInputField,
  inputField,
  type NumberInputField,
} from "./protocol/input.js";
export type { CommandArg, GameEvent, WireRecord, WireValue } from "./protocol/messages.js";
export {
  type BoolType,
  type EnumType,
  type FieldType,
  type FieldValue,
  type FixedType,
  type IntType,
  MAX_FIXED_STEPS,
  MAX_STRING_LENGTH,
  type StringType,
  t,
  type UintType,
} from "./state/fields.js";
export {
  type AnySchema,
  defineSchema,
  type Entity,
  type EntityBase,
  type EntityTypeDef,
  type Fields,
  MAX_FIELDS_PER_TYPE,
  Schema,
  type SchemaDefinition,
  type TypeName,
} from "./state/schema.js";
export { EntityStore, type EntityStoreOptions, type SpawnInit } from "./state/store.js";
export { Rng } from "./util/rng.js";

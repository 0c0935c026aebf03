export {
  type ClientView,
  createClientView,
  DeltaMode,
  UPDATE_HEAD_FORMS,
  UpdateForm,
  deltaModeFor,
  encodeDelta,
  updateForm,
  writeEnter,
  writeUpdate,
  writeUpdateHead,
  writeUpdatePayload,
} from "./delta.js";
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
} from "./fields.js";
export type { ReadonlyIdList, ReadonlyMaskedIdList, TickChanges } from "./history.js";
export { assertEntityId, isEntityId, MAX_ENTITY_ID } from "./entity-id.js";
export { IdSet } from "./id-set.js";
export { FIRST_ENTITY_ID } from "./ids.js";
export {
  type ApplyResult,
  type DecodeFailure,
  type DecodeFailureReason,
  type MirrorEntity,
  SnapshotMirror,
} from "./mirror.js";
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
} from "./schema.js";
export { DEFAULT_HISTORY_TICKS, EntityStore, type EntityStoreOptions, type SpawnInit } from "./store.js";

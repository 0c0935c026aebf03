export {
  BUS_MESSAGE_TYPES,
  type BusHandler,
  type BusMessage,
  type BusMessageOf,
  type BusMessageType,
  InvalidBusMessageError,
  type KickTarget,
  MAX_BUS_ID_LENGTH,
  MAX_BUS_TEXT_LENGTH,
  type MessageBus,
  validateBusMessage,
} from "./bus.js";
export { InProcessBus, InProcessHub } from "./in-process.js";
export { RedisBus, type RedisBusOptions } from "./redis.js";
export { DEFAULT_POPULATION_STALE_MS, PopulationTally } from "./population.js";

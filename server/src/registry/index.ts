export { DEFAULT_LISTING_TTL_MS, InMemoryRegistry, type InMemoryRegistryOptions } from "./memory.js";
export { RedisRegistry, type RedisRegistryOptions } from "./redis.js";
export {
  DEFAULT_RESERVATION_TTL_MS,
  pickWorld,
  type Reservation,
  type ReserveResult,
  type WorldListing,
  type WorldRegistry,
} from "./registry.js";

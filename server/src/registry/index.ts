export { DEFAULT_LISTING_TTL_MS, InMemoryRegistry } from "./memory.js";
export { pickWorld, type WorldListing, type WorldRegistry } from "./registry.js";

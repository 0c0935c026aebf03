/** The WorldRegistry contract against the in-memory registry and the Redis one (a real redis-server). */
import { afterAll, beforeAll } from "vitest";
import { InMemoryRegistry, RedisRegistry } from "../src/registry/index.js";
import { CONTRACT_LISTING_TTL_MS, CONTRACT_RESERVATION_TTL_MS, registryContract } from "./contracts/registry.js";
import { LocalRedisServer } from "../src/local-redis.js";

registryContract("InMemoryRegistry", async () => {
  let now = 0;
  const registry = new InMemoryRegistry({
    ttlMs: CONTRACT_LISTING_TTL_MS,
    reservationTtlMs: CONTRACT_RESERVATION_TTL_MS,
    clock: () => now,
  });
  return {
    a: registry,
    b: registry,
    now: () => now,
    elapse: async (ms) => {
      now += ms;
    },
    close: () => registry.close(),
  };
});

let redis: LocalRedisServer;
let run = 0;
beforeAll(async () => {
  redis = await LocalRedisServer.start();
});
afterAll(async () => {
  await redis?.stop();
});

registryContract("RedisRegistry", async () => {
  // Each test gets its own keys; two registries are two processes' connections.
  const prefix = `test${run++}:`;
  const options = { prefix, ttlMs: CONTRACT_LISTING_TTL_MS, reservationTtlMs: CONTRACT_RESERVATION_TTL_MS };
  const a = new RedisRegistry({ redis: redis.url, ...options });
  const b = new RedisRegistry({ redis: redis.url, ...options });
  return {
    a,
    b,
    now: () => Date.now(),
    elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    close: async () => {
      await a.close();
      await b.close();
    },
  };
});

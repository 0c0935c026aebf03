/** The PlayerStore contract against the in-memory store, LMDB (a temp data dir) and Redis (a real redis-server). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { InMemoryPlayerStore, LmdbPlayerStore, RedisPlayerStore } from "../src/persistence/index.js";
import { playerStoreContract } from "./contracts/player-store.js";
import { LocalRedisServer } from "../src/local-redis.js";

playerStoreContract("InMemoryPlayerStore", async () => {
  let now = 0;
  const store = new InMemoryPlayerStore({ clock: () => now });
  return {
    a: store,
    b: store,
    elapse: async (ms) => {
      now += ms;
    },
    close: () => store.close(),
  };
});

playerStoreContract("LmdbPlayerStore", async () => {
  let now = 0;
  const dir = mkdtempSync(join(tmpdir(), "tickwire-lmdb-"));
  const store = new LmdbPlayerStore({ dir, clock: () => now });
  return {
    a: store,
    b: store,
    elapse: async (ms) => {
      now += ms;
    },
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
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

playerStoreContract("RedisPlayerStore", async () => {
  const prefix = `test${run++}:`;
  const a = new RedisPlayerStore({ redis: redis.url, prefix });
  const b = new RedisPlayerStore({ redis: redis.url, prefix });
  return {
    a,
    b,
    elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    close: async () => {
      await a.close();
      await b.close();
    },
  };
});

/** The MessageBus contract against the in-process bus and Redis pub/sub (a real redis-server). */
import { afterAll, beforeAll } from "vitest";
import { InProcessBus, InProcessHub, RedisBus } from "../src/bus/index.js";
import { busContract } from "./contracts/bus.js";
import { LocalRedisServer } from "../src/local-redis.js";

busContract("InProcessBus", async () => {
  const hub = new InProcessHub();
  const a = new InProcessBus({ hub });
  const b = new InProcessBus({ hub });
  return {
    a,
    b,
    close: async () => {
      await a.close();
      await b.close();
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

busContract("RedisBus", async () => {
  const prefix = `test${run++}:`;
  const a = await RedisBus.open({ redis: redis.url, prefix });
  const b = await RedisBus.open({ redis: redis.url, prefix });
  return {
    a,
    b,
    close: async () => {
      await a.close();
      await b.close();
    },
  };
});

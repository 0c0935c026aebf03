/**
 * Redis going away and coming back (a restart on the same port, its data gone): registry
 * and bus calls fail fast while it is down, and the same objects work again after, the
 * bus resubscribed by itself.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type BusMessage, RedisBus } from "../src/bus/index.js";
import { REDIS_COMMAND_TIMEOUT_MS } from "../src/redis-client.js";
import { RedisRegistry, type WorldListing } from "../src/registry/index.js";
import { capturedLogger, LOG_LEVEL } from "./helpers/logs.js";
import { LocalRedisServer } from "../src/local-redis.js";

/** A restarted Redis is found again within the reconnect backoff (1 s); this leaves room for a loaded machine. */
const RECOVERY_TIMEOUT_MS = 5_000;
const POLL_MS = 50;

const listing: WorldListing = { id: "w1", game: "quest", population: 0, capacity: 10, address: "", updatedAt: 0 };

describe("Redis restarted under the registry and the bus", () => {
  const started: LocalRedisServer[] = [];
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    for (const redis of started.splice(0)) await redis.stop();
  });

  it("fails fast while Redis is down (one clear error logged), then heartbeats re-register and messages flow again on the same connections", async () => {
    const first = await LocalRedisServer.start();
    started.push(first);
    const log = capturedLogger();
    const registry = new RedisRegistry({ redis: first.url, logger: log.logger });
    const publisher = await RedisBus.open({ redis: first.url });
    const subscriber = await RedisBus.open({ redis: first.url });
    closers.push(
      () => registry.close(),
      () => publisher.close(),
      () => subscriber.close(),
    );
    const received: BusMessage[] = [];
    subscriber.subscribe("announce", (message) => received.push(message));
    await registry.upsert(listing);

    await first.stop();
    const failedAt = performance.now();
    await expect(registry.upsert(listing)).rejects.toThrow();
    await expect(publisher.publish({ type: "announce", text: "lost" })).rejects.toThrow();
    expect(performance.now() - failedAt).toBeLessThan(2 * REDIS_COMMAND_TIMEOUT_MS);
    const errors = log.lines.filter((line) => line.level === LOG_LEVEL.error);
    expect(errors.map((line) => [line.msg, line.redis])).toEqual([["redis connection failed; reconnecting", "registry"]]);

    started.push(await LocalRedisServer.start({ port: first.port }));
    await until(async () => {
      try {
        await registry.upsert(listing);
        return true;
      } catch {
        return false;
      }
    });
    expect((await registry.list()).map((l) => l.id)).toEqual(["w1"]);
    expect(log.lines.filter((line) => line.msg === "redis connection restored")).toHaveLength(1);
    await until(async () => {
      await publisher.publish({ type: "announce", text: "back" }).catch(() => undefined);
      return received.length > 0;
    });
    expect(received[0]).toEqual({ type: "announce", text: "back" });
  });
});

async function until(probe: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + RECOVERY_TIMEOUT_MS;
  while (!(await probe())) {
    if (performance.now() > deadline) throw new Error(`not recovered within ${RECOVERY_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

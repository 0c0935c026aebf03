/**
 * How tickwire talks to Redis: connection settings that make a Redis outage fail commands
 * quickly (callers retry with their own backoff, and never wait on a hung socket), and Lua
 * scripts run by SHA with a fallback for a Redis that restarted and forgot them.
 */
import { createHash } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "./log.js";

/** A healthy Redis answers in well under a millisecond; a second means it is stopped or unreachable. */
export const REDIS_COMMAND_TIMEOUT_MS = 1_000;
/** Reconnect attempts back off to this: a restarted Redis is found again within a second of coming back. */
export const REDIS_MAX_RECONNECT_DELAY_MS = 1_000;
/** Reconnect waits grow this much per attempt. */
const RECONNECT_STEP_MS = 100;

/**
 * A connection to `url` (`redis://host:port/db`) with tickwire's failure behaviour. A lost
 * connection is logged once as an error (not once per reconnect attempt) and its return
 * once as info; `role` says which part of the server the connection serves.
 */
export function connectRedis(url: string, role: string, logger: Logger, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    // Fail a command after one reconnect attempt instead of twenty: its caller retries.
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * RECONNECT_STEP_MS, REDIS_MAX_RECONNECT_DELAY_MS),
    ...options,
  });
  return watchConnection(redis, role, logger);
}

/** Logs a connection's loss once as an error and its return once as info; returns it. */
export function watchConnection(redis: Redis, role: string, logger: Logger): Redis {
  let lost = false;
  redis.on("error", (error: unknown) => {
    if (lost) return;
    lost = true;
    logger.error({ err: error, redis: role }, "redis connection failed; reconnecting");
  });
  redis.on("ready", () => {
    if (!lost) return;
    lost = false;
    logger.info({ redis: role }, "redis connection restored");
  });
  return redis;
}

export type RedisArgument = string | number | Buffer;

/** A Lua script that runs atomically on the Redis server. */
export class RedisScript {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash("sha1").update(lua).digest("hex");
  }

  async run(redis: Redis, keys: readonly string[], args: readonly RedisArgument[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return redis.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}

/** Closes a connection politely, or cuts it if Redis does not answer. */
export async function disconnectRedis(redis: Redis): Promise<void> {
  if (redis.status === "end") return;
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}

/**
 * The PlayerStore on Redis, shared by every process: a record is a msgpack string, a lease
 * is a key holding its holder's token with a TTL (SET NX PX), and every guarded write is a
 * Lua script that checks the lease and writes in one atomic step.
 */
import type { Redis } from "ioredis";
import { Packr } from "msgpackr";
import { type Logger, silentLogger } from "../log.js";
import { connectRedis, disconnectRedis, RedisScript } from "../redis-client.js";
import { assertPlainRecord, assertPlayerKey, type PlayerRecord, type PlayerStore, type WriteOutcome } from "./player-store.js";

export interface RedisPlayerStoreOptions {
  /** A `redis://` URL (the store opens and closes its own connection) or a connection you own. */
  readonly redis: string | Redis;
  /** Prefix of every key, so several deployments can share one Redis. Default "tickwire:". */
  readonly prefix?: string;
  /** Where connection loss and recovery are logged (for a connection the store opens). */
  readonly logger?: Logger;
}

const packr = new Packr({ useRecords: false });

// KEYS[1] lease; ARGV holder, ttl ms. Free (or expired): take it. Already ours: extend it.
const ACQUIRE = new RedisScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`);

// KEYS[1] lease; ARGV holder, ttl ms.
const RENEW = new RedisScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`);

// KEYS[1] lease; ARGV holder.
const RELEASE = new RedisScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`);

// KEYS[1] lease, KEYS[2] record; ARGV holder, msgpack bytes.
const SAVE = new RedisScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
return 1`);

// KEYS[1] lease, KEYS[2] record; ARGV holder.
const DELETE = new RedisScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
return 1`);

export class RedisPlayerStore implements PlayerStore {
  private readonly redis: Redis;
  private readonly ownsConnection: boolean;
  private readonly prefix: string;

  constructor(options: RedisPlayerStoreOptions) {
    this.ownsConnection = typeof options.redis === "string";
    const logger = options.logger ?? silentLogger();
    this.redis = typeof options.redis === "string" ? connectRedis(options.redis, "player store", logger) : options.redis;
    this.prefix = options.prefix ?? "tickwire:";
  }

  async load(key: string): Promise<PlayerRecord | undefined> {
    assertPlayerKey(key);
    const bytes = await this.redis.getBuffer(this.recordKey(key));
    return bytes === null ? undefined : (packr.unpack(bytes) as PlayerRecord);
  }

  async save(key: string, holder: string, record: PlayerRecord): Promise<WriteOutcome> {
    assertPlayerKey(key);
    assertPlainRecord(record);
    const written = await SAVE.run(this.redis, [this.leaseKey(key), this.recordKey(key)], [holder, packr.pack(record)]);
    return written === 1 ? "written" : "lease_lost";
  }

  async delete(key: string, holder: string): Promise<WriteOutcome> {
    assertPlayerKey(key);
    const deleted = await DELETE.run(this.redis, [this.leaseKey(key), this.recordKey(key)], [holder]);
    return deleted === 1 ? "written" : "lease_lost";
  }

  async acquire(key: string, holder: string, ttlMs: number): Promise<boolean> {
    assertPlayerKey(key);
    return (await ACQUIRE.run(this.redis, [this.leaseKey(key)], [holder, Math.ceil(ttlMs)])) === 1;
  }

  async renew(key: string, holder: string, ttlMs: number): Promise<boolean> {
    assertPlayerKey(key);
    return (await RENEW.run(this.redis, [this.leaseKey(key)], [holder, Math.ceil(ttlMs)])) === 1;
  }

  async release(key: string, holder: string): Promise<boolean> {
    assertPlayerKey(key);
    return (await RELEASE.run(this.redis, [this.leaseKey(key)], [holder])) === 1;
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await disconnectRedis(this.redis);
  }

  private recordKey(key: string): string {
    return `${this.prefix}player:${key}`;
  }

  private leaseKey(key: string): string {
    return `${this.prefix}lease:${key}`;
  }
}

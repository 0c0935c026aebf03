/**
 * The WorldRegistry on Redis, shared by every process. A listing is a hash whose key
 * expires `ttlMs` after the last heartbeat, so a dead process's worlds vanish on their
 * own; a set indexes the ids. A world's reservations are a sorted set scored by expiry
 * (Redis server time); reserving, committing and expiring them are Lua scripts, so
 * concurrent matchmakers on any number of processes never overfill a world.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { type Logger, silentLogger } from "../log.js";
import { connectRedis, disconnectRedis, RedisScript } from "../redis-client.js";
import { DEFAULT_LISTING_TTL_MS } from "./memory.js";
import {
  assertCapacity,
  DEFAULT_RESERVATION_TTL_MS, type Reservation, type ReserveResult, type WorldListing, type WorldRegistry } from "./registry.js";

export interface RedisRegistryOptions {
  /** A `redis://` URL (the registry opens and closes its own connection) or a connection you own. */
  readonly redis: string | Redis;
  /** Prefix of every key, so several deployments can share one Redis. Default "tickwire:". */
  readonly prefix?: string;
  /** Where connection loss and recovery are logged (for a connection the store opens). */
  readonly logger?: Logger;
  /** A listing without a heartbeat for this long expires. */
  readonly ttlMs?: number;
  readonly reservationTtlMs?: number;
  /** Reservation ids; default random UUIDs. */
  readonly newId?: () => string;
}

// Redis server time in ms, the one clock every process agrees on.
const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS[1] listing, KEYS[2] reservations; ARGV id, capacity, ttl ms. → 1 granted, 0 full, -1 unlisted.
const RESERVE = new RedisScript(`
local population = redis.call('HGET', KEYS[1], 'population')
if not population then return -1 end
${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if tonumber(population) + redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1`);

// KEYS[1] listing, KEYS[2] reservations; ARGV id. → 1 committed, 0 expired or unknown.
const COMMIT = new RedisScript(`
${NOW_MS}
local expiresAt = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not expiresAt then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
if tonumber(expiresAt) <= now then return 0 end
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HINCRBY', KEYS[1], 'population', 1) end
return 1`);

// KEYS[1] reservations; ARGV id. → 1 cancelled, 0 expired or unknown.
const CANCEL = new RedisScript(`
${NOW_MS}
local expiresAt = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not expiresAt then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
if tonumber(expiresAt) <= now then return 0 end
return 1`);

export class RedisRegistry implements WorldRegistry {
  private readonly redis: Redis;
  private readonly ownsConnection: boolean;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly reservationTtlMs: number;
  private readonly newId: () => string;

  constructor(options: RedisRegistryOptions) {
    this.ownsConnection = typeof options.redis === "string";
    const logger = options.logger ?? silentLogger();
    this.redis = typeof options.redis === "string" ? connectRedis(options.redis, "registry", logger) : options.redis;
    this.prefix = options.prefix ?? "tickwire:";
    this.ttlMs = options.ttlMs ?? DEFAULT_LISTING_TTL_MS;
    this.reservationTtlMs = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
    this.newId = options.newId ?? randomUUID;
  }

  async upsert(listing: WorldListing): Promise<void> {
    const key = this.listingKey(listing.id);
    const replies = await this.redis
      .multi()
      .hset(key, {
        id: listing.id,
        game: listing.game,
        population: listing.population,
        capacity: listing.capacity,
        address: listing.address,
        updatedAt: listing.updatedAt,
      })
      .pexpire(key, this.ttlMs)
      .sadd(this.indexKey(), listing.id)
      .exec();
    throwFirstError(replies);
  }

  async remove(id: string): Promise<void> {
    const replies = await this.redis
      .multi()
      .del(this.listingKey(id), this.reservationsKey(id))
      .srem(this.indexKey(), id)
      .exec();
    throwFirstError(replies);
  }

  async list(game?: string): Promise<WorldListing[]> {
    const ids = await this.redis.smembers(this.indexKey());
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.listingKey(id));
    const replies = (await pipeline.exec()) ?? [];
    const live: WorldListing[] = [];
    const expired: string[] = [];
    replies.forEach(([error, fields], index) => {
      if (error !== null) throw error;
      const listing = parseListing(fields as Record<string, string>);
      if (listing === undefined) expired.push(ids[index] as string);
      else if (game === undefined || listing.game === game) live.push(listing);
    });
    // Index entries of expired listings: tidy up; a racing heartbeat re-adds its id.
    if (expired.length > 0) await this.redis.srem(this.indexKey(), ...expired);
    return live.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async reserve(worldId: string, capacity: number): Promise<ReserveResult> {
    assertCapacity(capacity);
    const id = this.newId();
    const keys = [this.listingKey(worldId), this.reservationsKey(worldId)];
    const granted = await RESERVE.run(this.redis, keys, [id, capacity, this.reservationTtlMs]);
    if (granted === 1) return { ok: true, reservation: { worldId, id } };
    return { ok: false, reason: granted === -1 ? "unlisted" : "full" };
  }

  async commit(reservation: Reservation): Promise<boolean> {
    const keys = [this.listingKey(reservation.worldId), this.reservationsKey(reservation.worldId)];
    return (await COMMIT.run(this.redis, keys, [reservation.id])) === 1;
  }

  async cancel(reservation: Reservation): Promise<boolean> {
    return (await CANCEL.run(this.redis, [this.reservationsKey(reservation.worldId)], [reservation.id])) === 1;
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await disconnectRedis(this.redis);
  }

  private indexKey(): string {
    return `${this.prefix}worlds`;
  }

  private listingKey(id: string): string {
    return `${this.prefix}world:${id}`;
  }

  private reservationsKey(id: string): string {
    return `${this.prefix}reservations:${id}`;
  }
}

/** MULTI answers each command separately; a failed one must not pass silently. */
function throwFirstError(replies: [Error | null, unknown][] | null): void {
  for (const [error] of replies ?? []) if (error !== null) throw error;
}

/** A listing hash back to a WorldListing; undefined for an expired (empty) or foreign one. */
function parseListing(fields: Record<string, string>): WorldListing | undefined {
  const { id, game, address } = fields;
  const population = Number(fields.population);
  const capacity = Number(fields.capacity);
  const updatedAt = Number(fields.updatedAt);
  if (id === undefined || game === undefined || address === undefined) return undefined;
  if (!Number.isFinite(population) || !Number.isFinite(capacity) || !Number.isFinite(updatedAt)) return undefined;
  return { id, game, population, capacity, address, updatedAt };
}

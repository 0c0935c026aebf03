/**
 * PlayerStore: where a player's saved record lives between sessions, and the lease that
 * lets one process at a time hold (and save) a player. Every implementation passes the
 * same contract suite (test/contracts/player-store.ts).
 */

import { randomUUID } from "node:crypto";
import { hostname } from "node:os";

/** A player's saved state: a plain object of msgpack-able values (no class instances, no functions). */
export type PlayerRecord = { readonly [field: string]: unknown };

/** What a guarded write (save, delete) did. */
export type WriteOutcome = "written" | "lease_lost";

/**
 * Async so a shared store can implement it. Rules every implementation keeps:
 * - `acquire` succeeds when the lease is free, expired, or already the caller's (then it is
 *   extended); `renew` and `release` succeed only for the current holder.
 * - `save` and `delete` are refused (`"lease_lost"`) unless `holder` holds the key's lease at
 *   that moment, checked atomically with the write: a process that lost its lease can never
 *   overwrite what the new holder saved.
 * - `InvalidRecordError` (a record msgpack cannot carry, a key out of bounds) is a caller's
 *   bug; any other rejection means the store itself failed (unreachable, disk error): retryable.
 */
export interface PlayerStore {
  /** The saved record, or undefined for a new player. Needs no lease. */
  load(key: string): Promise<PlayerRecord | undefined>;
  save(key: string, holder: string, record: PlayerRecord): Promise<WriteOutcome>;
  delete(key: string, holder: string): Promise<WriteOutcome>;
  /** Takes (or extends) the lease for `ttlMs`; false when another holder has it. */
  acquire(key: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Extends the caller's lease to `ttlMs` from now; false when it is no longer the caller's. */
  renew(key: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up; false when it was not the caller's. */
  release(key: string, holder: string): Promise<boolean>;
  /** Releases connections and files; the store is unusable afterwards. */
  close(): Promise<void>;
}

/**
 * A lease holder token for this process run: host, pid and a random part, since pids repeat
 * across machines and restarts and a restarted process must not inherit its old leases.
 */
export function newHolderId(): string {
  return `${hostname()}:${process.pid}:${randomUUID()}`;
}

/**
 * Thrown for a record msgpack cannot carry faithfully, or a key no store accepts: a
 * programming error, not a store failure, so never worth retrying.
 */
export class InvalidRecordError extends Error {
  override readonly name = "InvalidRecordError";
}

/** Player keys are ids or tokens; LMDB refuses keys over 1978 bytes, and this stays far under in any encoding. */
export const MAX_PLAYER_KEY_LENGTH = 256;

export function assertPlayerKey(key: unknown): asserts key is string {
  if (typeof key !== "string" || key.length === 0 || key.length > MAX_PLAYER_KEY_LENGTH) {
    throw new InvalidRecordError(`player key must be a string of 1 to ${MAX_PLAYER_KEY_LENGTH} characters`);
  }
}

/** Refuses what is not a plain object tree of msgpack-able values, naming the offending path. */
export function assertPlainRecord(record: unknown, path = "record"): asserts record is PlayerRecord {
  if (!isPlainObject(record)) throw new InvalidRecordError(`${path} must be a plain object`);
  checkValue(record, path, 0);
}

/** Records are small documents; this deep is a cycle or a mistake. */
const MAX_RECORD_DEPTH = 32;

function checkValue(value: unknown, path: string, depth: number): void {
  if (depth > MAX_RECORD_DEPTH) throw new InvalidRecordError(`${path} is nested deeper than ${MAX_RECORD_DEPTH}`);
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value)) throw new InvalidRecordError(`${path} is not a finite number`);
      return;
    case "object":
      if (value === null || value instanceof Uint8Array) return;
      if (Array.isArray(value)) {
        for (const [index, item] of value.entries()) checkValue(item, `${path}[${index}]`, depth + 1);
        return;
      }
      if (!isPlainObject(value)) throw new InvalidRecordError(`${path} is not a plain object`);
      for (const [field, item] of Object.entries(value)) checkValue(item, `${path}.${field}`, depth + 1);
      return;
    default:
      throw new InvalidRecordError(`${path} has a ${typeof value}, which msgpack does not carry`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

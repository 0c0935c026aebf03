/**
 * The embedded default PlayerStore: LMDB (the `lmdb` package) in a data directory, one
 * record per key as msgpack. Writes resolve only once flushed to disk, so a crash right
 * after a save keeps it. Leases live in this process: one process owns a data directory.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { open, type RootDatabase } from "lmdb";
import { type Clock, systemClock } from "../clock.js";
import { LeaseTable } from "./leases.js";
import { assertPlainRecord, assertPlayerKey, type PlayerRecord, type PlayerStore, type WriteOutcome } from "./player-store.js";

/** The database file in the data directory (LMDB adds `players.mdb-lock` beside it). */
export const LMDB_FILE = "players.mdb";

export interface LmdbPlayerStoreOptions {
  /** The data directory (created if missing), e.g. `./data`; the database is its file `players.mdb`. */
  readonly dir: string;
  readonly clock?: Clock;
}

export class LmdbPlayerStore implements PlayerStore {
  private readonly db: RootDatabase<PlayerRecord, string>;
  private readonly leases: LeaseTable;

  constructor(options: LmdbPlayerStoreOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.db = open<PlayerRecord, string>({ path: join(options.dir, LMDB_FILE), encoding: "msgpack" });
    this.leases = new LeaseTable(options.clock ?? systemClock);
  }

  async load(key: string): Promise<PlayerRecord | undefined> {
    assertPlayerKey(key);
    return this.db.get(key);
  }

  async save(key: string, holder: string, record: PlayerRecord): Promise<WriteOutcome> {
    assertPlayerKey(key);
    assertPlainRecord(record);
    if (!this.leases.holds(key, holder)) return "lease_lost";
    await this.db.put(key, record);
    await this.db.flushed;
    return "written";
  }

  async delete(key: string, holder: string): Promise<WriteOutcome> {
    assertPlayerKey(key);
    if (!this.leases.holds(key, holder)) return "lease_lost";
    await this.db.remove(key);
    await this.db.flushed;
    return "written";
  }

  async acquire(key: string, holder: string, ttlMs: number): Promise<boolean> {
    assertPlayerKey(key);
    return this.leases.acquire(key, holder, ttlMs);
  }

  async renew(key: string, holder: string, ttlMs: number): Promise<boolean> {
    assertPlayerKey(key);
    return this.leases.renew(key, holder, ttlMs);
  }

  async release(key: string, holder: string): Promise<boolean> {
    assertPlayerKey(key);
    return this.leases.release(key, holder);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

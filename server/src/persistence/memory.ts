/** The PlayerStore for tests and throwaway servers: records and leases in a Map, gone with the process. */
import { Packr } from "msgpackr";
import { type Clock, systemClock } from "../clock.js";
import { LeaseTable } from "./leases.js";
import { assertPlainRecord, assertPlayerKey, type PlayerRecord, type PlayerStore, type WriteOutcome } from "./player-store.js";

/** Records go through msgpack like in the real stores, so a test sees exactly what survives a save. */
const packr = new Packr({ useRecords: false });

export class InMemoryPlayerStore implements PlayerStore {
  private readonly records = new Map<string, Uint8Array>();
  private readonly leases: LeaseTable;

  constructor(options: { clock?: Clock } = {}) {
    this.leases = new LeaseTable(options.clock ?? systemClock);
  }

  async load(key: string): Promise<PlayerRecord | undefined> {
    assertPlayerKey(key);
    const bytes = this.records.get(key);
    return bytes === undefined ? undefined : (packr.unpack(bytes) as PlayerRecord);
  }

  async save(key: string, holder: string, record: PlayerRecord): Promise<WriteOutcome> {
    assertPlayerKey(key);
    assertPlainRecord(record);
    if (!this.leases.holds(key, holder)) return "lease_lost";
    this.records.set(key, packr.pack(record));
    return "written";
  }

  async delete(key: string, holder: string): Promise<WriteOutcome> {
    assertPlayerKey(key);
    if (!this.leases.holds(key, holder)) return "lease_lost";
    this.records.delete(key);
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

  async close(): Promise<void> {}
}

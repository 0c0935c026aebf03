/** LeaseKeeper in simulated time: held leases outlive their TTL, lost ones are reported, outages are ridden out. */
import { beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_LEASE_TTL_MS, InMemoryPlayerStore, LeaseKeeper } from "../src/persistence/index.js";
import { capturedLogger, LOG_LEVEL } from "./helpers/logs.js";
import { ManualTimers } from "./helpers/timers.js";

const TTL = DEFAULT_LEASE_TTL_MS;

/** An in-memory store whose renewals can be made to fail, as during an outage. */
class FlakyStore extends InMemoryPlayerStore {
  down = false;
  override async renew(key: string, holder: string, ttlMs: number): Promise<boolean> {
    if (this.down) throw new Error("store unreachable");
    return super.renew(key, holder, ttlMs);
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("LeaseKeeper", () => {
  let timers: ManualTimers;
  let store: FlakyStore;
  let log: ReturnType<typeof capturedLogger>;
  let lost: string[];
  let keeper: LeaseKeeper;

  /** Moves simulated time in renewal-sized steps, letting each renewal complete. */
  const elapse = async (ms: number): Promise<void> => {
    for (let done = 0; done < ms; done += TTL / 8) {
      timers.advance(Math.min(TTL / 8, ms - done));
      await settle();
    }
  };

  beforeEach(() => {
    timers = new ManualTimers();
    store = new FlakyStore({ clock: () => timers.now });
    log = capturedLogger();
    lost = [];
    keeper = new LeaseKeeper({ store, holder: "a", logger: log.logger, timers, onLost: (key) => lost.push(key) });
  });

  it("keeps a held lease alive far past its TTL; another process cannot take it", async () => {
    expect(await keeper.acquire("ann")).toBe(true);
    await elapse(5 * TTL);
    expect(await store.acquire("ann", "b", TTL)).toBe(false);
    expect(await store.save("ann", "a", { level: 1 })).toBe("written");
    expect(keeper.held).toEqual(new Set(["ann"]));
  });

  it("refuses a player another process holds", async () => {
    await store.acquire("ann", "b", TTL);
    expect(await keeper.acquire("ann")).toBe(false);
    expect(keeper.held.size).toBe(0);
  });

  it("release stops renewing and frees the player for another process at once", async () => {
    await keeper.acquire("ann");
    await keeper.release("ann");
    expect(await store.acquire("ann", "b", TTL)).toBe(true);
    await elapse(TTL);
    expect(lost).toEqual([]);
  });

  it("a renewal that finds the lease taken reports it once and stops renewing it", async () => {
    await keeper.acquire("ann");
    await keeper.acquire("bob");
    await store.release("ann", "a");
    await store.acquire("ann", "b", 10 * TTL);
    await elapse(TTL);
    expect(lost).toEqual(["ann"]);
    expect(keeper.held).toEqual(new Set(["bob"]));
    expect(log.lines.find((line) => line.level === LOG_LEVEL.warn)).toMatchObject({ key: "ann" });
  });

  it("rides out a store outage shorter than three quarters of the TTL, logging the outage once and its end", async () => {
    await keeper.acquire("ann");
    await elapse(TTL / 4);
    store.down = true;
    await elapse(TTL / 2);
    store.down = false;
    await elapse(TTL);
    expect(lost).toEqual([]);
    expect(await store.acquire("ann", "b", TTL)).toBe(false);
    const errors = log.lines.filter((line) => line.level === LOG_LEVEL.error);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ msg: "lease renewal failed: the store is unavailable; retrying next round" });
    expect(log.lines.some((line) => line.msg === "lease renewals succeed again")).toBe(true);
  });
});

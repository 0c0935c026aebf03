/**
 * The PlayerStore contract: records round-trip, and the lease decides who may write. Run
 * against every implementation (player-store-contract.test.ts). `a` and `b` are the store
 * as two processes see it (one object for the single-process stores).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidRecordError, MAX_PLAYER_KEY_LENGTH, type PlayerStore } from "../../src/persistence/index.js";

/** Short enough that expiry tests take a fraction of a second against a real Redis. */
export const CONTRACT_LEASE_TTL_MS = 300;
const EXPIRY_MARGIN_MS = 60;
/** Long enough that nothing expires during a test that is not about expiry. */
const LONG_LEASE_MS = 60_000;

export interface StoreHarness {
  readonly a: PlayerStore;
  readonly b: PlayerStore;
  /** Lets `ms` pass: a fake clock moves, or real time goes by for a real Redis. */
  elapse(ms: number): Promise<void>;
  close(): Promise<void>;
}

const HOLDER_A = "process-a";
const HOLDER_B = "process-b";

const hero = {
  name: "ann",
  x: 12.5,
  y: -3,
  alive: true,
  guild: null,
  inventory: [{ item: "sword", count: 1 }, { item: "potion", count: 3 }],
  quests: { intro: { step: 2, done: false } },
};

export function playerStoreContract(name: string, open: () => Promise<StoreHarness>): void {
  describe(`PlayerStore contract: ${name}`, () => {
    let h: StoreHarness;
    beforeEach(async () => {
      h = await open();
    });
    afterEach(async () => {
      await h.close();
    });

    it("loads undefined for a player never saved", async () => {
      expect(await h.a.load("nobody")).toBeUndefined();
    });

    it("a saved record loads back equal, from another process too", async () => {
      expect(await h.a.acquire("ann", HOLDER_A, LONG_LEASE_MS)).toBe(true);
      expect(await h.a.save("ann", HOLDER_A, hero)).toBe("written");
      expect(await h.a.load("ann")).toEqual(hero);
      expect(await h.b.load("ann")).toEqual(hero);
      expect(await h.a.save("ann", HOLDER_A, { ...hero, x: 99 })).toBe("written");
      expect(await h.b.load("ann")).toEqual({ ...hero, x: 99 });
    });

    it("a save without the lease is refused and writes nothing", async () => {
      expect(await h.a.save("ann", HOLDER_A, hero)).toBe("lease_lost");
      expect(await h.a.load("ann")).toBeUndefined();
    });

    it("a lease held by process A refuses B's acquire and B's save; A's save lands", async () => {
      expect(await h.a.acquire("ann", HOLDER_A, LONG_LEASE_MS)).toBe(true);
      expect(await h.a.save("ann", HOLDER_A, hero)).toBe("written");
      expect(await h.b.acquire("ann", HOLDER_B, LONG_LEASE_MS)).toBe(false);
      expect(await h.b.save("ann", HOLDER_B, { ...hero, x: 0 })).toBe("lease_lost");
      expect(await h.b.delete("ann", HOLDER_B)).toBe("lease_lost");
      expect(await h.b.renew("ann", HOLDER_B, LONG_LEASE_MS)).toBe(false);
      expect(await h.b.release("ann", HOLDER_B)).toBe(false);
      expect(await h.b.load("ann")).toEqual(hero);
    });

    it("after A releases, B acquires and A's saves are refused", async () => {
      await h.a.acquire("ann", HOLDER_A, LONG_LEASE_MS);
      expect(await h.a.release("ann", HOLDER_A)).toBe(true);
      expect(await h.a.release("ann", HOLDER_A)).toBe(false);
      expect(await h.b.acquire("ann", HOLDER_B, LONG_LEASE_MS)).toBe(true);
      expect(await h.b.save("ann", HOLDER_B, hero)).toBe("written");
      expect(await h.a.save("ann", HOLDER_A, { ...hero, x: 0 })).toBe("lease_lost");
      expect(await h.a.load("ann")).toEqual(hero);
    });

    it("acquire again by the holder extends its lease; renew keeps it past the first TTL", async () => {
      expect(await h.a.acquire("ann", HOLDER_A, CONTRACT_LEASE_TTL_MS)).toBe(true);
      expect(await h.a.acquire("ann", HOLDER_A, CONTRACT_LEASE_TTL_MS)).toBe(true);
      await h.elapse(CONTRACT_LEASE_TTL_MS / 2);
      expect(await h.a.renew("ann", HOLDER_A, CONTRACT_LEASE_TTL_MS)).toBe(true);
      await h.elapse(CONTRACT_LEASE_TTL_MS / 2 + EXPIRY_MARGIN_MS);
      expect(await h.b.acquire("ann", HOLDER_B, CONTRACT_LEASE_TTL_MS)).toBe(false);
      expect(await h.a.save("ann", HOLDER_A, hero)).toBe("written");
    });

    it("an expired lease (its process died) goes to the next holder; the old holder can no longer write", async () => {
      await h.a.acquire("ann", HOLDER_A, CONTRACT_LEASE_TTL_MS);
      await h.elapse(CONTRACT_LEASE_TTL_MS + EXPIRY_MARGIN_MS);
      expect(await h.a.renew("ann", HOLDER_A, CONTRACT_LEASE_TTL_MS)).toBe(false);
      expect(await h.b.acquire("ann", HOLDER_B, LONG_LEASE_MS)).toBe(true);
      expect(await h.a.save("ann", HOLDER_A, hero)).toBe("lease_lost");
      expect(await h.b.load("ann")).toBeUndefined();
    });

    it("delete needs the lease and removes the record", async () => {
      await h.a.acquire("ann", HOLDER_A, LONG_LEASE_MS);
      await h.a.save("ann", HOLDER_A, hero);
      expect(await h.a.delete("ann", HOLDER_A)).toBe("written");
      expect(await h.b.load("ann")).toBeUndefined();
    });

    it("leases and records of different players are independent", async () => {
      await h.a.acquire("ann", HOLDER_A, LONG_LEASE_MS);
      expect(await h.b.acquire("bob", HOLDER_B, LONG_LEASE_MS)).toBe(true);
      expect(await h.b.save("bob", HOLDER_B, { name: "bob" })).toBe("written");
      expect(await h.a.load("ann")).toBeUndefined();
      expect(await h.a.load("bob")).toEqual({ name: "bob" });
    });

    it("refuses a record msgpack cannot carry with InvalidRecordError, writing nothing", async () => {
      await h.a.acquire("ann", HOLDER_A, LONG_LEASE_MS);
      const bad = [{ f: () => 1 }, { when: new Date(0) }, { hp: Number.NaN }, [1, 2]];
      for (const record of bad) {
        await expect(h.a.save("ann", HOLDER_A, record as never)).rejects.toBeInstanceOf(InvalidRecordError);
      }
      expect(await h.a.load("ann")).toBeUndefined();
    });

    it("refuses an empty or over-long key with InvalidRecordError, in every method", async () => {
      for (const key of ["", "k".repeat(MAX_PLAYER_KEY_LENGTH + 1)]) {
        await expect(h.a.load(key)).rejects.toBeInstanceOf(InvalidRecordError);
        await expect(h.a.acquire(key, HOLDER_A, LONG_LEASE_MS)).rejects.toBeInstanceOf(InvalidRecordError);
        await expect(h.a.save(key, HOLDER_A, hero)).rejects.toBeInstanceOf(InvalidRecordError);
        await expect(h.a.delete(key, HOLDER_A)).rejects.toBeInstanceOf(InvalidRecordError);
      }
      const longest = "k".repeat(MAX_PLAYER_KEY_LENGTH);
      expect(await h.a.acquire(longest, HOLDER_A, LONG_LEASE_MS)).toBe(true);
      expect(await h.a.save(longest, HOLDER_A, hero)).toBe("written");
    });
  });
}

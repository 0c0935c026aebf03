/**
 * The WorldRegistry contract: what matchmaking relies on, run against every implementation
 * (registry-contract.test.ts). `a` and `b` are the registry as two processes see it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WorldListing, WorldRegistry } from "../../src/registry/index.js";

/** Short enough that expiry tests take a fraction of a second against a real Redis. */
export const CONTRACT_LISTING_TTL_MS = 500;
export const CONTRACT_RESERVATION_TTL_MS = 300;
/** Past a TTL by this much, the entry must be gone (Redis expires keys to the millisecond on access). */
const EXPIRY_MARGIN_MS = 60;

export interface RegistryHarness {
  readonly a: WorldRegistry;
  readonly b: WorldRegistry;
  /** The time a heartbeat stamps as `updatedAt`. */
  now(): number;
  /** Lets `ms` pass: a fake clock moves, or real time goes by for a real Redis. */
  elapse(ms: number): Promise<void>;
  close(): Promise<void>;
}

export function registryContract(name: string, open: () => Promise<RegistryHarness>): void {
  describe(`WorldRegistry contract: ${name}`, () => {
    let h: RegistryHarness;
    beforeEach(async () => {
      h = await open();
    });
    afterEach(async () => {
      await h.close();
    });

    const listing = (id: string, population: number, capacity: number, game = "quest"): WorldListing => ({
      id,
      game,
      population,
      capacity,
      address: `ws://host-${id}:8080`,
      updatedAt: h.now(),
    });
    const ids = (listings: WorldListing[]): string[] => listings.map((l) => l.id).sort();

    it("a listing upserted by one process appears to another with every field, filtered by game", async () => {
      const w1 = listing("w1", 3, 10);
      await h.a.upsert(w1);
      await h.a.upsert(listing("w2", 0, 10, "dots"));
      const all = await h.b.list();
      expect(ids(all)).toEqual(["w1", "w2"]);
      expect(all.find((l) => l.id === "w1")).toEqual(w1);
      expect(ids(await h.b.list("dots"))).toEqual(["w2"]);
      expect(await h.b.list("none")).toEqual([]);
    });

    it("a heartbeat replaces the listing and keeps it alive; remove drops it at once", async () => {
      await h.a.upsert(listing("w1", 1, 10));
      await h.elapse(CONTRACT_LISTING_TTL_MS / 2);
      await h.a.upsert(listing("w1", 7, 10));
      await h.elapse(CONTRACT_LISTING_TTL_MS / 2 + EXPIRY_MARGIN_MS);
      expect((await h.b.list()).map((l) => l.population)).toEqual([7]);
      await h.a.remove("w1");
      expect(await h.b.list()).toEqual([]);
    });

    it("a listing without heartbeats (a dead process) disappears within the TTL", async () => {
      await h.a.upsert(listing("dead", 0, 10));
      expect(ids(await h.b.list())).toEqual(["dead"]);
      await h.elapse(CONTRACT_LISTING_TTL_MS + EXPIRY_MARGIN_MS);
      expect(await h.b.list()).toEqual([]);
      expect(await h.b.reserve("dead", 10)).toEqual({ ok: false, reason: "unlisted" });
    });

    it("reserves up to capacity minus population, then refuses as full; an unlisted world is refused", async () => {
      await h.a.upsert(listing("w1", 2, 5));
      const granted = [await h.a.reserve("w1", 5), await h.b.reserve("w1", 5), await h.a.reserve("w1", 5)];
      expect(granted.map((r) => r.ok)).toEqual([true, true, true]);
      expect(await h.b.reserve("w1", 5)).toEqual({ ok: false, reason: "full" });
      expect(await h.a.reserve("nowhere", 5)).toEqual({ ok: false, reason: "unlisted" });
      for (const capacity of [-1, 1.5, Number.NaN]) await expect(h.a.reserve("w1", capacity)).rejects.toThrow(RangeError);
    });

    it("300 concurrent reservations from two processes never exceed the capacity", async () => {
      const capacity = 40;
      const population = 7;
      await h.a.upsert(listing("w1", population, capacity));
      const attempts = Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? h.a : h.b).reserve("w1", capacity));
      const results = await Promise.all(attempts);
      const granted = results.filter((r) => r.ok);
      expect(granted).toHaveLength(capacity - population);
      expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === "full")).toBe(true);
      const reservationIds = new Set(granted.map((r) => (r.ok ? r.reservation.id : "")));
      expect(reservationIds.size).toBe(capacity - population);
    });

    it("commit counts the player in the population; a reservation commits once", async () => {
      await h.a.upsert(listing("w1", 0, 2));
      const first = await h.a.reserve("w1", 2);
      if (!first.ok) throw new Error("refused");
      expect(await h.b.commit(first.reservation)).toBe(true);
      expect(await h.b.commit(first.reservation)).toBe(false);
      expect((await h.b.list()).map((l) => l.population)).toEqual([1]);
      expect((await h.a.reserve("w1", 2)).ok).toBe(true);
      expect(await h.a.reserve("w1", 2)).toEqual({ ok: false, reason: "full" });
    });

    it("cancel gives the slot back at once", async () => {
      await h.a.upsert(listing("w1", 0, 1));
      const held = await h.a.reserve("w1", 1);
      if (!held.ok) throw new Error("refused");
      expect((await h.b.reserve("w1", 1)).ok).toBe(false);
      expect(await h.b.cancel(held.reservation)).toBe(true);
      expect(await h.b.cancel(held.reservation)).toBe(false);
      expect((await h.b.reserve("w1", 1)).ok).toBe(true);
    });

    it("an unused reservation is released after the reservation TTL and can no longer commit", async () => {
      await h.a.upsert(listing("w1", 0, 1));
      const held = await h.a.reserve("w1", 1);
      if (!held.ok) throw new Error("refused");
      expect((await h.b.reserve("w1", 1)).ok).toBe(false);
      await h.elapse(CONTRACT_RESERVATION_TTL_MS + EXPIRY_MARGIN_MS);
      await h.a.upsert(listing("w1", 0, 1));
      expect(await h.a.commit(held.reservation)).toBe(false);
      expect((await h.b.reserve("w1", 1)).ok).toBe(true);
    });
  });
}

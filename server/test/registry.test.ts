import { describe, expect, it } from "vitest";
import { InMemoryRegistry, pickWorld, type WorldListing } from "../src/registry/index.js";

function listing(id: string, population: number, capacity: number, extra: Partial<WorldListing> = {}): WorldListing {
  return { id, game: "quest", population, capacity, address: "", updatedAt: 0, ...extra };
}

describe("pickWorld", () => {
  it("fills worlds in order: the first world with room, however full the others are", () => {
    const picked = pickWorld([listing("c", 20, 100), listing("a", 100, 100), listing("b", 90, 100)]);
    expect(picked?.id).toBe("b");
  });

  it("orders ids with their numbers as numbers (quest-2 before quest-10)", () => {
    expect(pickWorld([listing("quest-10", 0, 10), listing("quest-2", 5, 10)])?.id).toBe("quest-2");
  });

  it("never picks a full world, and picks none when all are full (edge)", () => {
    expect(pickWorld([listing("a", 100, 100), listing("b", 99, 100)])?.id).toBe("b");
    expect(pickWorld([listing("a", 100, 100)])).toBeUndefined();
    expect(pickWorld([])).toBeUndefined();
  });

  it("picks the lowest id among worlds with room, whatever the order", () => {
    expect(pickWorld([listing("b", 1, 10), listing("a", 1, 10)])?.id).toBe("a");
  });
});

describe("InMemoryRegistry", () => {
  it("lists live listings, filtered by game", async () => {
    const registry = new InMemoryRegistry({ clock: () => 0 });
    await registry.upsert(listing("a", 0, 10));
    await registry.upsert(listing("b", 0, 10, { game: "dots" }));
    expect((await registry.list()).map((l) => l.id)).toEqual(["a", "b"]);
    expect((await registry.list("dots")).map((l) => l.id)).toEqual(["b"]);
  });

  it("replaces a listing on upsert (the heartbeat) and drops it on remove", async () => {
    const registry = new InMemoryRegistry({ clock: () => 0 });
    await registry.upsert(listing("a", 0, 10));
    await registry.upsert(listing("a", 7, 10));
    expect((await registry.list()).map((l) => l.population)).toEqual([7]);
    await registry.remove("a");
    expect(await registry.list()).toEqual([]);
  });

  it("ignores listings whose heartbeat is older than the TTL (a dead process)", async () => {
    let now = 0;
    const registry = new InMemoryRegistry({ ttlMs: 5000, clock: () => now });
    await registry.upsert(listing("a", 0, 10, { updatedAt: 0 }));
    now = 5000;
    expect(await registry.list()).toHaveLength(1);
    now = 5001;
    expect(await registry.list()).toEqual([]);
  });
});

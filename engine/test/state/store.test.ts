import { describe, expect, it } from "vitest";
import { EntityStore, FIRST_ENTITY_ID, type ReadonlyIdList, type ReadonlyMaskedIdList } from "../../src/state/index.js";
import { gameSchema } from "./helpers.js";

const X = 1;
const Y = 2;
const HP = 4;
const NAME = 32;

function ids(list: ReadonlyIdList): number[] {
  return Array.from(list.ids.subarray(0, list.count));
}

function changes(list: ReadonlyMaskedIdList): [number, number][] {
  return ids(list).map((id, i) => [id, list.masks[i]]);
}

describe("EntityStore ids", () => {
  it("hands out ids from 1 upward", () => {
    const store = new EntityStore(gameSchema);
    expect([store.spawn("mob").id, store.spawn("item").id, store.spawn("marker").id]).toEqual([
      FIRST_ENTITY_ID,
      FIRST_ENTITY_ID + 1,
      FIRST_ENTITY_ID + 2,
    ]);
  });

  it("reuses freed ids lowest first", () => {
    const store = new EntityStore(gameSchema);
    const spawned = Array.from({ length: 6 }, () => store.spawn("marker"));
    store.despawn(spawned[4]);
    store.despawn(spawned[1].id);
    store.despawn(spawned[3]);
    expect([store.spawn("marker").id, store.spawn("marker").id, store.spawn("marker").id, store.spawn("marker").id]).toEqual([
      2, 4, 5, 7,
    ]);
  });

  it("tracks size, get, has and iteration over live entities", () => {
    const store = new EntityStore(gameSchema);
    const a = store.spawn("mob");
    const b = store.spawn("item");
    store.despawn(a);
    expect(store.size).toBe(1);
    expect(store.has(a.id)).toBe(false);
    expect(store.get(a.id)).toBeUndefined();
    expect(store.get(b.id)).toBe(b);
    expect([...store]).toEqual([b]);
    expect(a.alive).toBe(false);
  });

  it("ignores a despawn of an unknown id, and of a stale entity whose id was reused", () => {
    const store = new EntityStore(gameSchema);
    const old = store.spawn("mob");
    store.despawn(old);
    const reused = store.spawn("mob");
    expect(reused.id).toBe(old.id);
    store.despawn(old);
    store.despawn(999);
    expect(store.get(reused.id)).toBe(reused);
  });
});

describe("EntityStore commit and change tracking", () => {
  it("starts at tick 0 and counts commits from 1", () => {
    const store = new EntityStore(gameSchema);
    expect(store.tick).toBe(0);
    expect(store.commit()).toBe(1);
    expect(store.commit()).toBe(2);
    expect(store.tick).toBe(2);
  });

  it("continues from startTick (tick counter far from 0)", () => {
    const store = new EntityStore(gameSchema, { startTick: 2 ** 40 });
    expect(store.commit()).toBe(2 ** 40 + 1);
  });

  it("records spawns with their spawn tick, without marking their fields as changed", () => {
    const store = new EntityStore(gameSchema);
    const mob = store.spawn("mob", { x: 5, hp: 3 });
    expect(mob.spawnTick).toBe(1);
    store.commit();
    expect(ids(store.spawnedThisTick)).toEqual([mob.id]);
    expect(store.changedThisTick.count).toBe(0);
  });

  it("records the mask of the fields written since the last commit", () => {
    const store = new EntityStore(gameSchema);
    const mob = store.spawn("mob");
    const item = store.spawn("item");
    store.commit();
    mob.x = 1;
    mob.hp = 7;
    item.y = 2;
    mob.name = "grr";
    store.commit();
    expect(changes(store.changedThisTick)).toEqual([
      [mob.id, X | HP | NAME],
      [item.id, Y],
    ]);
    store.commit();
    expect(store.changedThisTick.count).toBe(0);
  });

  it("marks nothing for a sub-quantum change", () => {
    const store = new EntityStore(gameSchema);
    const mob = store.spawn("mob", { x: 10 });
    store.commit();
    mob.x = 10 + 1 / 64; // a quarter step: quantizes back to 160
    mob.x = 10 - 1 / 64;
    store.commit();
    expect(store.changedThisTick.count).toBe(0);
  });

  it("marks nothing for a write reverted within the tick", () => {
    const store = new EntityStore(gameSchema);
    const mob = store.spawn("mob", { x: 10, name: "a" });
    store.commit();
    mob.x = 11;
    mob.name = "b";
    mob.x = 10;
    mob.name = "a";
    mob.hp = 1;
    store.commit();
    expect(changes(store.changedThisTick)).toEqual([[mob.id, HP]]);
  });

  it("leaves no trace of an entity spawned and despawned in the same tick", () => {
    const store = new EntityStore(gameSchema);
    const ghost = store.spawn("mob");
    ghost.x = 3;
    store.despawn(ghost);
    store.commit();
    expect(store.spawnedThisTick.count).toBe(0);
    expect(store.despawnedThisTick.count).toBe(0);
    expect(store.changedThisTick.count).toBe(0);
    expect(store.committedEntity(ghost.id)).toBeUndefined();
  });

  it("records despawn then respawn of the same id in one tick as both", () => {
    const store = new EntityStore(gameSchema);
    const old = store.spawn("mob");
    store.commit();
    old.x = 4;
    store.despawn(old);
    const reborn = store.spawn("item");
    expect(reborn.id).toBe(old.id);
    store.commit();
    expect(ids(store.despawnedThisTick)).toEqual([old.id]);
    expect(ids(store.spawnedThisTick)).toEqual([reborn.id]);
    expect(store.changedThisTick.count).toBe(0);
    expect(store.committedEntity(old.id)).toBe(reborn);
  });

  it("keeps writes to a despawned entity out of the history", () => {
    const store = new EntityStore(gameSchema);
    const mob = store.spawn("mob");
    store.commit();
    store.despawn(mob);
    mob.x = 9;
    store.commit();
    expect(store.changedThisTick.count).toBe(0);
    expect(ids(store.despawnedThisTick)).toEqual([mob.id]);
  });

  it("shows encoders the committed world until the next commit", () => {
    const store = new EntityStore(gameSchema);
    const mob = store.spawn("mob");
    store.commit();
    store.despawn(mob);
    const fresh = store.spawn("item");
    expect(store.committedEntity(mob.id)).toBe(mob);
    expect(store.committedEntity(fresh.id + 1)).toBeUndefined();
    store.commit();
    expect(store.committedEntity(mob.id)).toBe(fresh);
  });

  it("keeps the changes of the last historyTicks ticks and evicts older ones", () => {
    const store = new EntityStore(gameSchema, { historyTicks: 3 });
    const mob = store.spawn("mob");
    for (let tick = 1; tick <= 5; tick++) {
      mob.hp = tick;
      store.commit();
    }
    expect(store.changesAt(2)).toBeUndefined();
    expect([3, 4, 5].map((tick) => store.changesAt(tick)?.tick)).toEqual([3, 4, 5]);
    expect(changes(store.changesAt(4)!.changed)).toEqual([[mob.id, HP]]);
    expect(store.changesAt(6)).toBeUndefined();
  });

  it("grows its change lists past their initial capacity", () => {
    const store = new EntityStore(gameSchema);
    const items = Array.from({ length: 300 }, () => store.spawn("item"));
    store.commit();
    items.forEach((item, i) => {
      item.count = i + 1;
    });
    store.commit();
    expect(store.changedThisTick.count).toBe(300);
    expect(ids(store.changedThisTick)).toEqual(items.map((item) => item.id));
  });

  it("rejects an unknown field in spawn's init without using up an id", () => {
    const store = new EntityStore(gameSchema);
    expect(() => store.spawn("marker", { nope: 1 } as object)).toThrow(/no field "nope"/);
    expect(store.spawn("marker").id).toBe(FIRST_ENTITY_ID);
    expect(store.size).toBe(1);
  });

  it("rejects a history of less than one tick", () => {
    expect(() => new EntityStore(gameSchema, { historyTicks: 0 })).toThrow(RangeError);
  });
});

import { describe, expect, it } from "vitest";
import { ByteWriter } from "../../src/binary/writer.js";
import { Rng } from "../../src/util/rng.js";
import {
  createClientView,
  DeltaMode,
  deltaModeFor,
  defineSchema,
  EntityStore,
  encodeDelta,
  t,
  UPDATE_HEAD_FORMS,
  UpdateForm,
  writeEnter,
  updateForm,
  writeUpdate,
  writeUpdateHead,
  writeUpdatePayload,
} from "../../src/state/index.js";
import { expectApplied, gameSchema, mirrorState, storeState, TestClient } from "./helpers.js";

describe("deltaModeFor", () => {
  const store = new EntityStore(gameSchema, { historyTicks: 4 });
  for (let i = 0; i < 10; i++) store.commit();

  it("is RELATIVE from the previous tick", () => {
    expect(deltaModeFor(store, 9)).toBe(DeltaMode.RELATIVE);
  });

  it("is ABSOLUTE from a baseline still in the ring, the current tick included", () => {
    expect([6, 7, 8, 10].map((baseline) => deltaModeFor(store, baseline))).toEqual([1, 1, 1, 1]);
  });

  it("is FULL from -1, from a baseline older than the ring, and from a future baseline", () => {
    expect([-1, 0, 5, 11].map((baseline) => deltaModeFor(store, baseline))).toEqual([2, 2, 2, 2]);
  });

  it("is FULL from a baseline before the store's startTick", () => {
    const restored = new EntityStore(gameSchema, { startTick: 100 });
    restored.commit();
    expect(deltaModeFor(restored, 99)).toBe(DeltaMode.FULL);
    expect(deltaModeFor(restored, 100)).toBe(DeltaMode.RELATIVE);
  });
});

describe("encodeDelta", () => {
  it("sends a FULL snapshot with every entity to a client without a baseline", () => {
    const store = new EntityStore(gameSchema);
    store.spawn("mob", { x: 12.5, y: 7, hp: 40, mood: "flee", awake: true, name: "Zoë 🐀", heading: -90 });
    store.spawn("item", { x: 1, y: 2, count: 4_000_000_000 });
    store.spawn("marker");
    store.commit();
    const client = new TestClient(gameSchema);
    const body = client.encode(store);
    expect(body[0]).toBe(DeltaMode.FULL);
    const result = expectApplied(client.mirror.apply(body, store.tick));
    expect(result.spawned).toEqual([1, 2, 3]);
    expect(mirrorState(client.mirror)).toEqual(storeState(store));
    expect(client.view.baseline).toBe(1);
    expect([...client.view.known]).toEqual([1, 2, 3]);
  });

  it("sends only the changed fields of a client keeping up, fixed fields as deltas", () => {
    const store = new EntityStore(gameSchema);
    const mob = store.spawn("mob", { x: 100, y: 100 });
    store.spawn("item");
    store.commit();
    const client = new TestClient(gameSchema);
    client.sync(store);
    mob.x = 100 + 3 / 16;
    store.commit();
    const body = client.encode(store);
    // mode, age, 1 update {id * 4 + MASK, mask, zigzag(+3)}, 0 leaves, 0 enters
    expect(Array.from(body)).toEqual([DeltaMode.RELATIVE, 1, 1, mob.id * UPDATE_HEAD_FORMS + UpdateForm.MASK, 1, 6, 0, 0]);
    const result = expectApplied(client.mirror.apply(body, store.tick));
    expect(result.updatedIds).toEqual([mob.id]);
    expect(result.updatedMasks).toEqual([1]);
    expect(client.mirror.get(mob.id)?.values).toMatchObject({ x: 100 + 3 / 16, y: 100 });
  });

  it("codes a small move of exactly the fixed fields as FIXED_SMALL: no mask, a byte a field", () => {
    const store = new EntityStore(gameSchema);
    const mob = store.spawn("mob", { x: 100, y: 100 });
    store.commit();
    const client = new TestClient(gameSchema);
    client.sync(store);
    mob.x = 100 + 127 / 16;
    mob.y = 100 - 128 / 16;
    store.commit();
    const body = client.encode(store);
    // mode, age, 1 update {id * 4 + FIXED_SMALL, +127, -128 as a byte}, 0 leaves, 0 enters
    expect(Array.from(body)).toEqual([DeltaMode.RELATIVE, 1, 1, mob.id * UPDATE_HEAD_FORMS + UpdateForm.FIXED_SMALL, 127, 0x80, 0, 0]);
    const result = expectApplied(client.mirror.apply(body, store.tick));
    expect(result.updatedMasks).toEqual([gameSchema.type("mob").fixedMask]);
    expect(client.mirror.get(mob.id)?.values).toMatchObject({ x: 100 + 127 / 16, y: 100 - 128 / 16 });
  });

  it("codes a larger move of the fixed fields as FIXED with zigzag varints", () => {
    const store = new EntityStore(gameSchema);
    const mob = store.spawn("mob", { x: 100, y: 100 });
    store.commit();
    const client = new TestClient(gameSchema);
    client.sync(store);
    mob.x = 100 + 128 / 16;
    mob.y = 100 - 1 / 16;
    store.commit();
    const body = client.encode(store);
    // mode, age, 1 update {id * 4 + FIXED, zigzag(+128) in two bytes, zigzag(-1)}, 0 leaves, 0 enters
    expect(Array.from(body)).toEqual([DeltaMode.RELATIVE, 1, 1, mob.id * UPDATE_HEAD_FORMS + UpdateForm.FIXED, 0x80, 2, 1, 0, 0]);
    expectApplied(client.mirror.apply(body, store.tick));
    expect(client.mirror.get(mob.id)?.values).toMatchObject({ x: 108, y: 100 - 1 / 16 });
  });

  it("encodes a tick without changes as a 5-byte body (empty delta)", () => {
    const store = new EntityStore(gameSchema);
    store.spawn("mob");
    store.commit();
    const client = new TestClient(gameSchema);
    client.sync(store);
    store.commit();
    const body = client.encode(store);
    expect(Array.from(body)).toEqual([DeltaMode.RELATIVE, 1, 0, 0, 0]);
    expectApplied(client.mirror.apply(body, store.tick));
    expect(mirrorState(client.mirror)).toEqual(storeState(store));
  });

  it("ORs masks over the missed ticks and sends absolute values from an older baseline", () => {
    const store = new EntityStore(gameSchema);
    const mob = store.spawn("mob", { x: 10, y: 10 });
    const item = store.spawn("item");
    store.commit();
    const client = new TestClient(gameSchema);
    client.sync(store);
    mob.x = 11;
    store.commit();
    mob.hp = 5;
    item.count = 2;
    store.commit();
    mob.x = 12;
    store.commit();
    const body = client.encode(store);
    expect(body[0]).toBe(DeltaMode.ABSOLUTE);
    expect(body[1]).toBe(3);
    const result = expectApplied(client.mirror.apply(body, store.tick));
    expect(result.updatedIds).toEqual([mob.id, item.id]);
    expect(result.updatedMasks).toEqual([1 | 4, 4]);
    expect(mirrorState(client.mirror)).toEqual(storeState(store));
  });

  it("falls back to FULL when the baseline is older than the ring, forgetting what left meanwhile", () => {
    const store = new EntityStore(gameSchema, { historyTicks: 2 });
    const mob = store.spawn("mob");
    const doomed = store.spawn("item");
    store.commit();
    const client = new TestClient(gameSchema);
    client.sync(store);
    store.despawn(doomed);
    mob.hp = 3;
    store.commit();
    store.commit();
    store.commit();
    const body = client.encode(store);
    expect(body[0]).toBe(DeltaMode.FULL);
    const result = expectApplied(client.mirror.apply(body, store.tick));
    expect(result.despawned).toEqual([doomed.id]);
    expect(result.spawned).toEqual([]);
    expect(result.updatedIds).toEqual([mob.id]);
    expect(mirrorState(client.mirror)).toEqual(storeState(store));
  });

  it("sends a despawn and respawn of one id in one tick as leave + enter", () => {
    const store = new EntityStore(gameSchema);
    const old = store.spawn("mob", { hp: 1 });
    store.commit();
    const client = new TestClient(gameSchema);
    client.sync(store);
    store.despawn(old);
    const reborn = store.spawn("mob", { hp: 2 });
    expect(reborn.id).toBe(old.id);
    store.commit();
    const result = client.sync(store);
    expect(result.despawned).toEqual([old.id]);
    expect(result.spawned).toEqual([old.id]);
    expect(result.updatedIds).toEqual([]);
    expect(client.mirror.get(old.id)?.values).toMatchObject({ hp: 2 });
  });

  it("sends leave + enter for an id despawned and reused across the ticks a client missed", () => {
    const store = new EntityStore(gameSchema);
    const old = store.spawn("mob");
    store.commit();
    const client = new TestClient(gameSchema);
    client.sync(store);
    store.despawn(old);
    store.commit();
    const reborn = store.spawn("item", { count: 7 });
    reborn.count = 8;
    store.commit();
    reborn.count = 9;
    store.commit();
    const result = client.sync(store);
    expect(result.despawned).toEqual([old.id]);
    expect(result.spawned).toEqual([old.id]);
    expect(client.mirror.get(old.id)).toMatchObject({ type: "item", values: { count: 9 } });
  });

  it("never tells a client about an entity spawned and despawned between its snapshots", () => {
    const store = new EntityStore(gameSchema);
    store.commit();
    const client = new TestClient(gameSchema);
    client.sync(store);
    const blip = store.spawn("mob");
    store.commit();
    store.despawn(blip);
    store.commit();
    const body = client.encode(store);
    expect(Array.from(body)).toEqual([DeltaMode.ABSOLUTE, 2, 0, 0, 0]);
  });

  it("enters entities coming into view and leaves those going out of view", () => {
    const store = new EntityStore(gameSchema);
    const [a, b, c] = [store.spawn("mob"), store.spawn("mob"), store.spawn("mob")];
    store.commit();
    const client = new TestClient(gameSchema);
    client.sync(store, [a.id, b.id]);
    expect([...client.mirror.ids()].sort()).toEqual([a.id, b.id]);
    a.x = 5;
    c.x = 6;
    store.commit();
    const result = client.sync(store, [b.id, c.id]);
    expect(result.despawned).toEqual([a.id]);
    expect(result.spawned).toEqual([c.id]);
    expect(mirrorState(client.mirror)).toEqual(storeState(store, [b.id, c.id]));
  });

  it("ignores visible ids of no committed entity and duplicates", () => {
    const store = new EntityStore(gameSchema);
    const mob = store.spawn("mob");
    store.commit();
    const pending = store.spawn("item");
    const client = new TestClient(gameSchema);
    const result = client.sync(store, [mob.id, mob.id, pending.id, 0, -1, 1.5, 10_000]);
    expect(result.spawned).toEqual([mob.id]);
    expect([...client.view.known]).toEqual([mob.id]);
  });

  it("sends committed values, not writes made after the commit", () => {
    const store = new EntityStore(gameSchema);
    const mob = store.spawn("mob", { hp: 1 });
    store.commit();
    mob.hp = 2;
    const late = store.spawn("mob");
    const client = new TestClient(gameSchema);
    client.sync(store);
    expect(client.mirror.get(mob.id)?.values).toMatchObject({ hp: 1 });
    expect(client.mirror.has(late.id)).toBe(false);
  });

  it("works with tick numbers far from 0", () => {
    const start = 2 ** 40;
    const store = new EntityStore(gameSchema, { startTick: start });
    const mob = store.spawn("mob");
    store.commit();
    const client = new TestClient(gameSchema);
    client.sync(store);
    mob.x = 1;
    store.commit();
    store.commit();
    mob.x = 2;
    store.commit();
    const catchUp = client.sync(store);
    expect(catchUp.mode).toBe(DeltaMode.ABSOLUTE);
    mob.x = 3;
    store.commit();
    expect(client.sync(store).mode).toBe(DeltaMode.RELATIVE);
    expect(client.mirror.tick).toBe(start + 5);
    expect(mirrorState(client.mirror)).toEqual(storeState(store));
  });

  it("round-trips strings, enums, bools and full-width integers", () => {
    const store = new EntityStore(gameSchema);
    const mob = store.spawn("mob");
    const item = store.spawn("item");
    store.commit();
    const client = new TestClient(gameSchema);
    client.sync(store);
    const cases = [
      { name: "", mood: "chase", awake: true, heading: -32768, count: 0xffffffff },
      { name: "日本語テキスト", mood: "flee", awake: false, heading: 32767, count: 0 },
      { name: "𝄞𝄞𝄞𝄞𝄞𝄞", mood: "idle", awake: true, heading: 0, count: 128 },
    ] as const;
    for (const values of cases) {
      mob.name = values.name;
      mob.mood = values.mood;
      mob.awake = values.awake;
      mob.heading = values.heading;
      item.count = values.count;
      store.commit();
      client.sync(store);
      expect(mirrorState(client.mirror)).toEqual(storeState(store));
    }
  });

  it("round-trips a 32-field type, including the field on bit 31", () => {
    const fields = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`f${i}`, t.int(8)]));
    const schema = defineSchema({ wide: fields });
    const store = new EntityStore(schema);
    const wide = store.spawn("wide") as unknown as Record<string, number>;
    store.commit();
    const client = new TestClient(schema);
    client.sync(store);
    wide.f31 = -7;
    wide.f0 = 3;
    store.commit();
    const result = client.sync(store);
    expect(result.updatedMasks).toEqual([(2 ** 31 + 1) >>> 0]);
    expect(mirrorState(client.mirror)).toEqual(storeState(store));
  });

  it("appends to the writer instead of overwriting it", () => {
    const store = new EntityStore(gameSchema);
    store.commit();
    const w = new ByteWriter();
    w.u8(0xee);
    encodeDelta(store, createClientView(), null, w);
    expect(Array.from(w.view())).toEqual([0xee, DeltaMode.FULL, 0, 0, 0, 0]);
  });
});

describe("update heads", () => {
  it("names entries in increasing id order by their gap from the previous id", () => {
    const store = new EntityStore(gameSchema);
    const mobs = Array.from({ length: 40 }, (_, i) => store.spawn("mob", { x: 100 + i, y: 100 }));
    store.commit();
    const client = new TestClient(gameSchema);
    client.sync(store);
    // Changed in descending id order: the body still lists them ascending.
    for (const index of [39, 20, 3]) {
      mobs[index].x += 1 / 16;
      mobs[index].y += 1 / 16;
    }
    store.commit();
    const body = client.encode(store);
    const small = UpdateForm.FIXED_SMALL;
    const [a, b, c] = [mobs[3].id, mobs[20].id, mobs[39].id];
    expect(Array.from(body.subarray(0, 3))).toEqual([DeltaMode.RELATIVE, 1, 3]);
    expect(body[3]).toBe(a * UPDATE_HEAD_FORMS + small);
    expect(body[6]).toBe((b - a) * UPDATE_HEAD_FORMS + small);
    expect(body[9]).toBe((c - b) * UPDATE_HEAD_FORMS + small);
    expectApplied(client.mirror.apply(body, store.tick));
    expect(mirrorState(client.mirror)).toEqual(storeState(store));
  });

  it("assembles from payloads encoded once the same body as encodeDelta's", () => {
    const store = new EntityStore(gameSchema);
    const mobs = Array.from({ length: 6 }, (_, i) => store.spawn("mob", { x: i, y: i }));
    store.commit();
    const reference = new TestClient(gameSchema);
    reference.sync(store);
    mobs.forEach((mob, i) => {
      mob.x += i / 16;
      mob.hp = i % 2;
    });
    store.commit();
    const expected = reference.encode(store);

    // Payloads encoded once (as a server shares them between clients), heads per client.
    const changed = store.changedThisTick;
    const entries = Array.from({ length: changed.count }, (_, i) => {
      const entity = store.committedEntity(changed.ids[i])!;
      const form = updateForm(entity, changed.masks[i], true);
      const payload = new ByteWriter();
      writeUpdatePayload(payload, entity, changed.masks[i], true, form);
      return { id: entity.id, form, payload: payload.view() };
    });
    entries.sort((x, y) => x.id - y.id);
    const w = new ByteWriter();
    w.u8(DeltaMode.RELATIVE);
    w.varuint(1);
    w.varuint(entries.length);
    let previousId = 0;
    for (const entry of entries) {
      writeUpdateHead(w, entry.id, previousId, entry.form);
      w.raw(entry.payload);
      previousId = entry.id;
    }
    w.varuint(0);
    w.varuint(0);
    expect(Array.from(w.view())).toEqual(Array.from(expected));
    expect(() => writeUpdateHead(w, 5, 5, UpdateForm.FIXED)).toThrow(RangeError);
  });
});

describe("update size", () => {
  it("spends at most 8 bytes on a RELATIVE update of an entity moving up to 3 units a tick", () => {
    const schema = defineSchema({
      mob: { x: t.fixed(1 / 16, { min: 0, max: 4000 }), y: t.fixed(1 / 16, { min: 0, max: 4000 }), hp: t.uint(8) },
    });
    const rng = new Rng(7);
    const store = new EntityStore(schema);
    const mobs = Array.from({ length: 100 }, () => store.spawn("mob", { x: rng.range(100, 3900), y: rng.range(100, 3900) }));
    store.commit();
    const client = new TestClient(schema);
    client.sync(store);
    const w = new ByteWriter();
    for (let tick = 0; tick < 20; tick++) {
      for (const mob of mobs) {
        mob.x += rng.range(-3, 3);
        mob.y += rng.range(-3, 3);
      }
      store.commit();
      const changed = store.changedThisTick;
      for (let i = 0; i < changed.count; i++) {
        w.reset();
        writeUpdate(w, store.committedEntity(changed.ids[i])!, changed.masks[i], true, 0);
        expect(w.length).toBeLessThanOrEqual(8);
      }
      const body = client.encode(store);
      const header = 5; // mode, age, update count (1 byte below 128), leave and enter counts
      expect((body.length - header) / changed.count).toBeLessThanOrEqual(8);
      expectApplied(client.mirror.apply(body, store.tick));
    }
    expect(mirrorState(client.mirror)).toEqual(storeState(store));
  });
});

describe("writers refuse misuse", () => {
  const store = new EntityStore(gameSchema);
  const mob = store.spawn("mob");
  store.commit();
  mob.x = 3;
  store.commit();
  const w = new ByteWriter();

  it("rejects an empty mask and bits beyond the type's fields", () => {
    expect(() => writeUpdate(w, mob, 0, false, 0)).toThrow(RangeError);
    expect(() => writeUpdate(w, mob, 1 << 7, false, 0)).toThrow(RangeError);
  });

  it("rejects a relative update of fields outside the entity's last change", () => {
    expect(() => writeUpdate(w, mob, 0b11, true, 0)).toThrow(/relative/);
    expect(() => writeUpdate(w, mob, 0b11, false, 0)).not.toThrow();
  });

  it("writes an enter as id, type id and every field", () => {
    const item = store.spawn("item", { x: 1, y: 2, count: 300 });
    store.commit();
    w.reset();
    writeEnter(w, item);
    expect(Array.from(w.view())).toEqual([item.id, 1, 32, 64, 0xac, 0x02]);
  });
});

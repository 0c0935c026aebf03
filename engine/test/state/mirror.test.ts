import fc from "fast-check";
import { describe, expect, expectTypeOf, it } from "vitest";
import { ByteWriter } from "../../src/binary/writer.js";
import { MAX_ENTITY_ID } from "../../src/state/entity-id.js";
import { DeltaMode, EntityStore, SnapshotMirror, UPDATE_HEAD_FORMS, UpdateForm } from "../../src/state/index.js";
import { expectApplied, gameSchema, mirrorState, storeState, TestClient } from "./helpers.js";

const MOB = 0;
const ITEM = 1;

/** A mirror at tick 1 holding mob 1 (x = y = 10, name "rat") and item 2. */
function setup() {
  const store = new EntityStore(gameSchema);
  const mob = store.spawn("mob", { x: 10, y: 10, name: "rat" });
  const item = store.spawn("item", { count: 5 });
  store.commit();
  const client = new TestClient(gameSchema);
  client.sync(store);
  return { store, mob, item, client, mirror: client.mirror };
}

function bytes(write: (w: ByteWriter) => void): Uint8Array {
  const w = new ByteWriter();
  write(w);
  return w.copy();
}

/** A body for tick 2 from tick 1 with the given sections. */
function relative(updates: (w: ByteWriter) => void, updateCount = 1): Uint8Array {
  return bytes((w) => {
    w.u8(DeltaMode.RELATIVE);
    w.varuint(1);
    w.varuint(updateCount);
    updates(w);
    w.varuint(0);
    w.varuint(0);
  });
}

/** A RELATIVE body for tick 2 whose only content is one enter written by `enter`. */
function entering(enter: (w: ByteWriter) => void): Uint8Array {
  return bytes((w) => {
    w.u8(DeltaMode.RELATIVE);
    w.varuint(1);
    w.varuint(0);
    w.varuint(0);
    w.varuint(1);
    enter(w);
  });
}

/** Writes an update head with an explicit mask (form MASK), `gap` ids after the previous entry's. */
function updateHead(w: ByteWriter, gap: number, mask: number): void {
  w.varuint(gap * UPDATE_HEAD_FORMS + UpdateForm.MASK);
  w.varuint(mask);
}

/** Writes an item enter: id, type, x, y, count. */
function itemEnter(w: ByteWriter, id: number, count = 1): void {
  w.varuint(id);
  w.varuint(ITEM);
  w.varint(0);
  w.varint(0);
  w.varuint(count);
}

/** Writes a mob enter with every field given as raw wire values. */
function mobEnter(w: ByteWriter, id: number, fields: { hp?: number; mood?: number; awake?: number; name?: string } = {}) {
  w.varuint(id);
  w.varuint(MOB);
  w.varint(16);
  w.varint(16);
  w.varuint(fields.hp ?? 1);
  w.varuint(fields.mood ?? 0);
  w.u8(fields.awake ?? 0);
  w.string(fields.name ?? "");
  w.varint(0);
}

function expectFailure(mirror: SnapshotMirror<typeof gameSchema>, body: Uint8Array, reason: string, tick = 2): void {
  const before = mirrorState(mirror);
  const beforeTick = mirror.tick;
  const result = mirror.apply(body, tick);
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.reason).toBe(reason);
  expect(mirror.tick).toBe(beforeTick);
  expect(mirrorState(mirror)).toEqual(before);
}

describe("SnapshotMirror refuses bad bodies and stays unchanged", () => {
  it("fails cleanly at every truncation point of a valid body", () => {
    const { store, mob, item, client, mirror } = setup();
    mob.x = 11;
    mob.name = "big rat";
    store.despawn(item);
    store.spawn("mob", { mood: "chase", name: "𝄞 clef", heading: -3 });
    store.spawn("item", { count: 70000 });
    store.commit();
    const body = client.encode(store);
    for (let length = 0; length < body.length; length++) {
      expectFailure(mirror, body.subarray(0, length), "malformed");
    }
    expectApplied(mirror.apply(body, store.tick));
    expect(mirrorState(mirror)).toEqual(storeState(store));
  });

  it("fails cleanly at every truncation point of a FULL body", () => {
    const { store, mirror } = setup();
    const body = new TestClient(gameSchema).encode(store);
    for (let length = 0; length < body.length; length++) {
      expectFailure(mirror, body.subarray(0, length), "malformed", 1);
    }
  });

  it("refuses bytes after the body", () => {
    const { store, client, mirror } = setup();
    store.commit();
    const body = client.encode(store);
    expectFailure(mirror, Uint8Array.of(...body, 0), "malformed");
  });

  it("refuses an unknown mode and baseline ages that contradict the mode", () => {
    const { mirror } = setup();
    expectFailure(mirror, Uint8Array.of(3, 1, 0, 0, 0), "malformed");
    expectFailure(mirror, Uint8Array.of(DeltaMode.RELATIVE, 2, 0, 0, 0), "malformed", 3);
    expectFailure(mirror, Uint8Array.of(DeltaMode.FULL, 1, 0, 0, 0), "malformed");
  });

  it("refuses a delta whose baseline is not the tick it holds", () => {
    const { mirror } = setup();
    expectFailure(mirror, Uint8Array.of(DeltaMode.RELATIVE, 1, 0, 0, 0), "baseline-mismatch", 3);
    expectFailure(mirror, Uint8Array.of(DeltaMode.ABSOLUTE, 3, 0, 0, 0), "baseline-mismatch", 5);
    const fresh = new SnapshotMirror(gameSchema);
    expectFailure(fresh, Uint8Array.of(DeltaMode.ABSOLUTE, 0, 0, 0, 0), "baseline-mismatch", 0);
  });

  it("refuses counts larger than the remaining bytes", () => {
    const { mirror } = setup();
    expectFailure(mirror, Uint8Array.of(DeltaMode.RELATIVE, 1, 0x80, 0x80, 0x01, 1, 1, 2), "malformed");
    expectFailure(mirror, Uint8Array.of(DeltaMode.RELATIVE, 1, 0, 0, 5, 1, 2), "malformed");
  });

  it("refuses an update or a leave for an id it does not hold (desync)", () => {
    const { mirror } = setup();
    expectFailure(mirror, relative((w) => {
      updateHead(w, 9, 1);
      w.u8(2);
    }), "unknown-entity");
    expectFailure(mirror, Uint8Array.of(DeltaMode.RELATIVE, 1, 0, 1, 9, 0), "unknown-entity");
  });

  it("refuses a second leave of the same id", () => {
    const { mirror } = setup();
    expectFailure(mirror, Uint8Array.of(DeltaMode.RELATIVE, 1, 0, 2, 1, 1, 0), "unknown-entity");
  });

  it("refuses a second update of the same id, an empty mask and bits beyond the type", () => {
    const { mirror } = setup();
    // The second entry's gap 0 names entity 2 again.
    const twice = relative((w) => {
      for (const gap of [2, 0]) {
        updateHead(w, gap, 4);
        w.varuint(1);
      }
    }, 2);
    expectFailure(mirror, twice, "malformed");
    expectFailure(mirror, relative((w) => updateHead(w, 2, 0)), "malformed");
    expectFailure(mirror, relative((w) => {
      updateHead(w, 2, 8);
      w.varuint(0);
    }), "malformed");
  });

  it("reads an update head of form FIXED as the type's fixed fields, with no mask byte", () => {
    const { mirror } = setup();
    const result = expectApplied(mirror.apply(relative((w) => {
      w.varuint(1 * UPDATE_HEAD_FORMS + UpdateForm.FIXED);
      w.varint(16);
      w.varint(-16);
    }), 2));
    expect(result.updatedMasks).toEqual([gameSchema.type("mob").fixedMask]);
    expect(mirror.get(1)?.values).toMatchObject({ x: 11, y: 9 });
  });

  it("reads form FIXED_SMALL as one signed byte of delta per fixed field", () => {
    const { mirror } = setup();
    const result = expectApplied(mirror.apply(relative((w) => {
      w.varuint(1 * UPDATE_HEAD_FORMS + UpdateForm.FIXED_SMALL);
      w.u8(127);
      w.u8(0x80); // -128
    }), 2));
    expect(result.updatedMasks).toEqual([gameSchema.type("mob").fixedMask]);
    expect(mirror.get(1)?.values).toMatchObject({ x: 10 + 127 / 16, y: 10 - 128 / 16 });
  });

  it("refuses form FIXED_SMALL outside RELATIVE snapshots, and the unused form 3", () => {
    const { mirror } = setup();
    const absolute = bytes((w) => {
      w.u8(DeltaMode.ABSOLUTE);
      w.varuint(1);
      w.varuint(1);
      w.varuint(1 * UPDATE_HEAD_FORMS + UpdateForm.FIXED_SMALL);
      w.u8(1);
      w.u8(1);
      w.varuint(0);
      w.varuint(0);
    });
    expectFailure(mirror, absolute, "malformed", 2);
    expectFailure(mirror, relative((w) => {
      w.varuint(1 * UPDATE_HEAD_FORMS + 3);
      w.u8(1);
      w.u8(1);
    }), "malformed");
  });

  it("refuses the fixed-mask code for a type without fixed fields (empty mask)", () => {
    const { store, client } = setup();
    const marker = store.spawn("marker", {});
    store.commit();
    expectApplied(client.mirror.apply(client.encode(store), store.tick));
    const body = bytes((w) => {
      w.u8(DeltaMode.RELATIVE);
      w.varuint(1);
      w.varuint(1);
      w.varuint(marker.id * UPDATE_HEAD_FORMS + UpdateForm.FIXED);
      w.varuint(0);
      w.varuint(0);
    });
    expectFailure(client.mirror, body, "malformed", store.tick + 1);
  });

  it("refuses ids 0 and above MAX_ENTITY_ID", () => {
    const { mirror } = setup();
    expectFailure(mirror, entering((w) => itemEnter(w, 0)), "malformed");
    expectFailure(mirror, entering((w) => itemEnter(w, MAX_ENTITY_ID + 1)), "malformed");
  });

  it("refuses the same id entering twice in one body", () => {
    const { mirror } = setup();
    const body = bytes((w) => {
      w.u8(DeltaMode.RELATIVE);
      w.varuint(1);
      w.varuint(0);
      w.varuint(0);
      w.varuint(2);
      itemEnter(w, 7);
      itemEnter(w, 7);
    });
    expectFailure(mirror, body, "malformed");
  });

  it("refuses an unknown type id", () => {
    const { mirror } = setup();
    expectFailure(mirror, entering((w) => {
      w.varuint(7);
      w.varuint(3);
    }), "unknown-type");
  });

  it("refuses values outside their field: enum index, bool byte, integer width, string length", () => {
    const { mirror } = setup();
    expectFailure(mirror, entering((w) => mobEnter(w, 7, { mood: 3 })), "out-of-range");
    expectFailure(mirror, entering((w) => mobEnter(w, 7, { awake: 2 })), "out-of-range");
    expectFailure(mirror, entering((w) => mobEnter(w, 7, { hp: 256 })), "out-of-range");
    expectFailure(mirror, entering((w) => mobEnter(w, 7, { name: "thirteen char" })), "out-of-range");
    expectFailure(mirror, entering((w) => itemEnter(w, 7, 2 ** 32)), "out-of-range");
  });

  it("refuses a string longer than its byte bound, and invalid UTF-8", () => {
    const { mirror } = setup();
    expectFailure(mirror, entering((w) => mobEnter(w, 7, { name: "x".repeat(37) })), "malformed");
    const invalid = entering((w) => mobEnter(w, 7, { name: "ab" }));
    const at = invalid.indexOf(0x61);
    invalid[at] = 0xff;
    expectFailure(mirror, invalid, "malformed");
  });

  it("refuses fixed values outside the range, absolute or after a relative delta", () => {
    const { mirror } = setup();
    const tooFar = entering((w) => {
      w.varuint(7);
      w.varuint(ITEM);
      w.varint(4001 * 16);
      w.varint(0);
      w.varuint(0);
    });
    expectFailure(mirror, tooFar, "out-of-range");
    // mob 1 is at x = 10 (160 steps): a delta of -161 goes below 0.
    expectFailure(mirror, relative((w) => {
      updateHead(w, 1, 1);
      w.varint(-161);
    }), "out-of-range");
    expectApplied(mirror.apply(relative((w) => {
      updateHead(w, 1, 1);
      w.varint(-160);
    }), 2));
    expect(mirror.get(1)?.values).toMatchObject({ x: 0 });
  });

  it("never throws on random bytes and keeps its state on failure", () => {
    const { mirror } = setup();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 4 }), (body, tick) => {
        const before = mirrorState(mirror);
        const beforeTick = mirror.tick;
        const result = mirror.apply(body, tick);
        if (!result.ok) {
          expect(mirrorState(mirror)).toEqual(before);
          expect(mirror.tick).toBe(beforeTick);
        }
      }),
    );
  });
});

describe("SnapshotMirror against corrupted bodies (property)", () => {
  it("either applies a body with one byte changed or fails leaving the mirror unchanged, never throwing", () => {
    const { store, mob, item, client } = setup();
    mob.x = 12;
    mob.name = "renamed";
    store.despawn(item);
    store.spawn("mob", { mood: "flee", name: "𝄞" });
    store.commit();
    const body = client.encode(store);
    fc.assert(
      fc.property(fc.nat(body.length - 1), fc.integer({ min: 0, max: 255 }), (at, value) => {
        const { mirror } = setup();
        const before = mirrorState(mirror);
        const corrupted = body.slice();
        corrupted[at] = value;
        const result = mirror.apply(corrupted, store.tick);
        if (!result.ok) {
          expect(mirrorState(mirror)).toEqual(before);
          expect(mirror.tick).toBe(1);
        } else {
          expect(mirror.tick).toBe(store.tick);
        }
      }),
    );
  });
});

describe("SnapshotMirror lifecycle", () => {
  it("replaces an entity entered over a held id: despawned and spawned, its update not reported", () => {
    const { mirror } = setup();
    const body = bytes((w) => {
      w.u8(DeltaMode.RELATIVE);
      w.varuint(1);
      w.varuint(1);
      updateHead(w, 2, 4); // item 2: count = 6
      w.varuint(6);
      w.varuint(0);
      w.varuint(1);
      mobEnter(w, 2, { hp: 9 });
    });
    const result = expectApplied(mirror.apply(body, 2));
    expect(result.despawned).toEqual([2]);
    expect(result.spawned).toEqual([2]);
    expect(result.updatedIds).toEqual([]);
    expect(mirror.get(2)).toMatchObject({ type: "mob", typeId: MOB, values: { hp: 9 } });
  });

  it("diffs a FULL snapshot against what it held: only real spawns and despawns", () => {
    const { store, mob, item, mirror } = setup();
    mob.hp = 4;
    store.despawn(item);
    const stranger = store.spawn("mob");
    store.commit();
    const newcomer = store.spawn("item");
    store.commit();
    const result = expectApplied(mirror.apply(new TestClient(gameSchema).encode(store), store.tick));
    expect(result.mode).toBe(DeltaMode.FULL);
    // Id 2 went from an item to a mob: a different entity.
    expect(stranger.id).toBe(item.id);
    expect([...result.despawned]).toEqual([item.id]);
    expect([...result.spawned].sort()).toEqual([stranger.id, newcomer.id].sort());
    expect(result.updatedIds).toEqual([mob.id]);
    expect(result.updatedMasks).toEqual([4]);
    expect(mirrorState(mirror)).toEqual(storeState(store));
  });

  it("reports nothing for a FULL snapshot of the state it already holds", () => {
    const { store, mirror } = setup();
    const result = expectApplied(mirror.apply(new TestClient(gameSchema).encode(store), store.tick));
    expect([result.spawned, result.despawned, result.updatedIds]).toEqual([[], [], []]);
  });

  it("gives typed, dequantized values", () => {
    const { mirror } = setup();
    const entity = mirror.get(1);
    expect(entity).toMatchObject({ id: 1, type: "mob", typeId: MOB, values: { x: 10, y: 10, name: "rat", mood: "idle" } });
    if (entity?.type === "mob") {
      expectTypeOf(entity.values.mood).toEqualTypeOf<"idle" | "chase" | "flee">();
      expectTypeOf(entity.values.awake).toEqualTypeOf<boolean>();
    }
    expect(mirror.size).toBe(2);
    expect([...mirror.ids()]).toEqual([1, 2]);
  });

  it("mirrors applying in turn (one decode scratch for the process) each hold their own state, a refused body included", () => {
    const store = new EntityStore(gameSchema);
    const mob = store.spawn("mob", { x: 10, y: 10, name: "rat", mood: "idle" });
    const far = store.spawn("item", { x: 900, count: 2 });
    store.commit();
    const near = new TestClient(gameSchema);
    const all = new TestClient(gameSchema);
    near.sync(store, [mob.id]);
    all.sync(store);
    for (let tick = 0; tick < 5; tick++) {
      mob.x += 1;
      mob.mood = tick % 2 === 0 ? "chase" : "flee";
      far.count += 1;
      store.commit();
      const update = near.sync(store, [mob.id]);
      expect([...update.updatedIds]).toEqual([mob.id]);
      // A body the other mirror refuses between two applies changes neither.
      expect(all.mirror.apply(new Uint8Array([DeltaMode.RELATIVE, 1, 1, 99]), store.tick).ok).toBe(false);
      all.sync(store);
    }
    expect(mirrorState(near.mirror)).toEqual(storeState(store, [mob.id]));
    expect(mirrorState(all.mirror)).toEqual(storeState(store));
    expect(near.mirror.get(mob.id)?.values).toMatchObject({ x: 15, mood: "chase" });
    expect(all.mirror.get(far.id)?.values).toMatchObject({ count: 7 });
  });
});

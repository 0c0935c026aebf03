import { describe, expect, expectTypeOf, it } from "vitest";
import {
  defineSchema,
  type Entity,
  EntityStore,
  MAX_FIELDS_PER_TYPE,
  SnapshotMirror,
  t,
} from "../../src/state/index.js";
import { type GameSchema, gameSchema } from "./helpers.js";

describe("defineSchema", () => {
  it("numbers types in declaration order and fields by bit in field order", () => {
    expect(gameSchema.types.map((type) => [type.name, type.typeId])).toEqual([
      ["mob", 0],
      ["item", 1],
      ["marker", 2],
    ]);
    const mob = gameSchema.type("mob");
    expect(mob.fields.map((field) => [field.name, field.index, field.bit])).toEqual([
      ["x", 0, 1],
      ["y", 1, 2],
      ["hp", 2, 4],
      ["mood", 3, 8],
      ["awake", 4, 16],
      ["name", 5, 32],
      ["heading", 6, 64],
    ]);
    expect(mob.fullMask).toBe(0b1111111);
  });

  it.each(["id", "type"])("rejects the reserved field name %s", (name) => {
    expect(() => defineSchema({ mob: { [name]: t.uint(8) } })).toThrow(/reserved/);
  });

  it("rejects field names starting with an underscore (internal slots)", () => {
    expect(() => defineSchema({ mob: { _values: t.uint(8) } })).toThrow(/identifier/);
  });

  it("accepts 32 fields, with the last one on bit 31, and rejects a 33rd", () => {
    const fields = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}`, t.bool()]));
    const wide = defineSchema({ wide: fields(MAX_FIELDS_PER_TYPE) }).type("wide");
    expect(wide.fields[31].bit).toBe(2 ** 31);
    expect(wide.fullMask).toBe(0xffffffff);
    expect(() => defineSchema({ wide: fields(MAX_FIELDS_PER_TYPE + 1) })).toThrow(/at most 32/);
  });

  it("rejects invalid field types", () => {
    expect(() => t.uint(12 as 8)).toThrow(TypeError);
    expect(() => t.enum([])).toThrow(TypeError);
    expect(() => t.enum(["a", "a"])).toThrow(/unique/);
    expect(() => t.string(0)).toThrow(TypeError);
    expect(() => t.fixed(0, { min: 0, max: 1 })).toThrow(TypeError);
    expect(() => t.fixed(1, { min: 2, max: 1 })).toThrow(TypeError);
    expect(() => t.fixed(1e-9, { min: 0, max: 1e6 })).toThrow(/steps/);
  });

  it("throws for an unknown type name", () => {
    expect(() => gameSchema.type("dragon")).toThrow(/unknown entity type/);
  });
});

describe("typed entities", () => {
  it("infer field value types from the schema", () => {
    const store = new EntityStore(gameSchema);
    const mob = store.spawn("mob", { x: 1, mood: "chase", name: "rat" });
    expectTypeOf(mob.type).toEqualTypeOf<"mob">();
    expectTypeOf(mob.x).toEqualTypeOf<number>();
    expectTypeOf(mob.mood).toEqualTypeOf<"idle" | "chase" | "flee">();
    expectTypeOf(mob.awake).toEqualTypeOf<boolean>();
    expectTypeOf(mob.name).toEqualTypeOf<string>();
    expectTypeOf(store.get(mob.id)).toEqualTypeOf<Entity<GameSchema> | undefined>();
    const any = store.get(mob.id);
    if (any?.type === "item") expectTypeOf(any.count).toEqualTypeOf<number>();
    // @ts-expect-error: items have no hp
    expect(() => store.spawn("item", { hp: 3 })).toThrow(/no field "hp"/);
    // @ts-expect-error: not one of the enum values
    expect(() => store.spawn("mob", { mood: "sleep" })).toThrow(TypeError);
    expect(mob.mood).toBe("chase");
  });

  it("let framework code take a store or mirror of any schema", () => {
    const store = new EntityStore(gameSchema);
    const anyStore: EntityStore = store;
    const anyMirror: SnapshotMirror = new SnapshotMirror(gameSchema);
    expect(anyStore.schema).toBe(gameSchema);
    expect(anyMirror.schema).toBe(gameSchema);
  });
});

describe("quantization", () => {
  const store = new EntityStore(gameSchema);

  it("rounds fixed values to the nearest step and reads back q * resolution", () => {
    const mob = store.spawn("mob");
    mob.x = 10.03; // 160.48 steps
    expect(mob.x).toBe(160 / 16);
    mob.x = 10.04; // 160.64 steps
    expect(mob.x).toBe(161 / 16);
  });

  it("clamps fixed values to the range, infinities included", () => {
    const mob = store.spawn("mob");
    mob.x = -5;
    expect(mob.x).toBe(0);
    mob.x = 5000;
    expect(mob.x).toBe(4000);
    mob.y = Number.POSITIVE_INFINITY;
    expect(mob.y).toBe(4000);
  });

  it("keeps a fixed range end that is not a multiple of the step inside the range", () => {
    const schema = defineSchema({ dot: { v: t.fixed(0.25, { min: -0.3, max: 0.9 }) } });
    const dot = new EntityStore(schema).spawn("dot");
    dot.v = -1;
    expect(dot.v).toBe(-0.25);
    dot.v = 1;
    expect(dot.v).toBe(0.75);
  });

  it("counts a range end a float hair below a step as that step (0.3 / 0.1)", () => {
    const schema = defineSchema({ dot: { v: t.fixed(0.1, { min: 0, max: 0.3 }) } });
    const dot = new EntityStore(schema).spawn("dot");
    dot.v = 0.3;
    expect(dot.v).toBeCloseTo(0.3, 12);
  });

  it("starts fixed fields at 0 clamped into the range", () => {
    const schema = defineSchema({ dot: { v: t.fixed(1, { min: 5, max: 9 }) } });
    expect(new EntityStore(schema).spawn("dot").v).toBe(5);
  });

  it("rounds and clamps integers to their width", () => {
    const mob = store.spawn("mob");
    mob.hp = 300;
    expect(mob.hp).toBe(255);
    mob.hp = -4;
    expect(mob.hp).toBe(0);
    mob.hp = 7.6;
    expect(mob.hp).toBe(8);
    mob.heading = -40000;
    expect(mob.heading).toBe(-32768);
    mob.heading = 40000;
    expect(mob.heading).toBe(32767);
  });

  it("folds -0 into 0", () => {
    const mob = store.spawn("mob", { heading: 5, x: 1 });
    mob.heading = -0.2;
    expect(Object.is(mob.heading, 0)).toBe(true);
    const signed = new EntityStore(defineSchema({ dot: { v: t.fixed(1, { min: -5, max: 5 }) } })).spawn("dot", { v: 2 });
    signed.v = -0.3;
    expect(Object.is(signed.v, 0)).toBe(true);
  });

  it("rejects NaN with a TypeError and keeps the old value", () => {
    const mob = store.spawn("mob", { hp: 9, x: 3 });
    expect(() => {
      mob.hp = Number.NaN;
    }).toThrow(TypeError);
    expect(() => {
      mob.x = Number.NaN;
    }).toThrow(TypeError);
    expect(mob.hp).toBe(9);
    expect(mob.x).toBe(3);
  });

  it("rejects a value that is not in the enum", () => {
    const mob = store.spawn("mob");
    expect(() => {
      (mob as { mood: string }).mood = "asleep";
    }).toThrow(/idle \| chase \| flee/);
    expect(mob.mood).toBe("idle");
  });

  it("stores booleans as themselves", () => {
    const mob = store.spawn("mob");
    expect(mob.awake).toBe(false);
    mob.awake = true;
    expect(mob.awake).toBe(true);
  });

  it("truncates strings to maxLength UTF-16 code units", () => {
    const mob = store.spawn("mob");
    mob.name = "abcdefghijklmnop";
    expect(mob.name).toBe("abcdefghijkl");
  });

  it("does not split a surrogate pair when truncating (edge: pair across the limit)", () => {
    const mob = store.spawn("mob");
    mob.name = "abcdefghijk\u{1F600}z"; // the emoji takes code units 12 and 13
    expect(mob.name).toBe("abcdefghijk");
  });

  it("replaces lone surrogates with U+FFFD, as UTF-8 would", () => {
    const mob = store.spawn("mob");
    mob.name = "a\ud800b\udc00\u{1F600}";
    expect(mob.name).toBe("a\ufffdb\ufffd\u{1F600}");
  });
});

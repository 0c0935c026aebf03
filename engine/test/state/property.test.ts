import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ApplyResult,
  createClientView,
  defineSchema,
  EntityStore,
  encodeDelta,
  type FieldType,
  t,
} from "../../src/state/index.js";
import { type EntityState, expectApplied, mirrorState, storeState, TestClient } from "./helpers.js";

const wideFields: Record<string, FieldType> = {};
for (let i = 0; i < 32; i++) {
  wideFields[`f${i}`] = [t.fixed(0.5, { min: -20, max: 20 }), t.int(8), t.bool(), t.uint(16)][i % 4];
}

const schema = defineSchema({
  mob: {
    x: t.fixed(1 / 16, { min: 0, max: 4000 }),
    y: t.fixed(1 / 8, { min: -100, max: 100 }),
    hp: t.uint(8),
    mood: t.enum(["idle", "chase", "flee"]),
    awake: t.bool(),
    name: t.string(6),
    heading: t.int(16),
  },
  item: { count: t.uint(32), tag: t.string(3), z: t.int(8) },
  marker: {},
  wide: wideFields,
});
const typeNames = schema.types.map((type) => type.name) as ("mob" | "item" | "marker" | "wide")[];

/** One value drawn for every kind of field; the field picks the part it needs. */
const rawValue = fc.record({
  num: fc.oneof(
    fc.integer({ min: -5, max: 300 }),
    fc.double({ min: -150, max: 4100, noNaN: true }),
    fc.double({ noNaN: true }),
  ),
  // Includes lone surrogates and astral characters.
  str: fc.string({
    maxLength: 8,
    unit: fc.oneof(fc.constantFrom("a", "é", "\u{1F600}", "\ud800", "\udc00"), fc.string({ unit: "binary", maxLength: 1 })),
  }),
  bool: fc.boolean(),
  pick: fc.nat(),
});
type RawValue = typeof rawValue extends fc.Arbitrary<infer V> ? V : never;

const operation = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("spawn" as const), type: fc.nat(3), init: fc.array(rawValue, { maxLength: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("despawn" as const), target: fc.nat() }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("write" as const), target: fc.nat(), field: fc.nat(31), value: rawValue }) },
);
type Operation = typeof operation extends fc.Arbitrary<infer V> ? V : never;

const clientAction = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("receive" as const),
      // null: sees everything; otherwise a pseudo-random subset plus ids of no committed entity.
      visibility: fc.option(
        fc.record({ salt: fc.nat(), every: fc.integer({ min: 2, max: 4 }), extra: fc.array(fc.integer({ min: -1, max: 80 }), { maxLength: 3 }) }),
      ),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: "skip" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "reconnect" as const }) },
);

const scenario = fc.record({
  historyTicks: fc.integer({ min: 1, max: 5 }),
  startTick: fc.oneof(fc.constant(0), fc.constant(2 ** 40)),
  ticks: fc.array(
    fc.record({
      operations: fc.array(operation, { maxLength: 12 }),
      // Applied after the commit, before encoding: must not leak into this tick's deltas.
      lateOperations: fc.array(operation, { maxLength: 3 }),
      clients: fc.tuple(clientAction, clientAction, clientAction),
    }),
    { minLength: 1, maxLength: 25 },
  ),
});

function valueFor(type: FieldType, raw: RawValue): unknown {
  switch (type.kind) {
    case "bool":
      return raw.bool;
    case "enum":
      return type.values[raw.pick % type.values.length];
    case "string":
      return raw.str;
    default:
      return raw.num;
  }
}

function run(store: EntityStore<typeof schema>, op: Operation): void {
  const live = [...store];
  if (op.kind === "spawn") {
    const type = schema.type(typeNames[op.type]);
    const init: Record<string, unknown> = {};
    op.init.slice(0, type.fields.length).forEach((raw, i) => {
      init[type.fields[i].name] = valueFor(type.fields[i].type, raw);
    });
    store.spawn(typeNames[op.type], init);
    return;
  }
  if (live.length === 0) return;
  const target = live[op.target % live.length];
  if (op.kind === "despawn") {
    store.despawn(target);
    return;
  }
  const fields = schema.type(target.type).fields;
  if (fields.length === 0) return;
  const field = fields[op.field % fields.length];
  (target as unknown as Record<string, unknown>)[field.name] = valueFor(field.type, op.value);
}

/** Checks that the lifecycle events of one apply account for every difference between states. */
function checkLifecycle(before: EntityState[], after: EntityState[], result: ApplyResult, rendered: Set<number>): void {
  for (const id of result.despawned) rendered.delete(id);
  for (const id of result.spawned) rendered.add(id);
  expect([...rendered].sort((a, b) => a - b)).toEqual(after.map((entity) => entity.id));

  const previous = new Map(before.map((entity) => [entity.id, entity]));
  const spawned = new Set(result.spawned);
  for (const entity of after) {
    const old = previous.get(entity.id);
    if (old === undefined || old.type !== entity.type) {
      expect(spawned.has(entity.id)).toBe(true);
      continue;
    }
    if (spawned.has(entity.id)) continue;
    const index = result.updatedIds.indexOf(entity.id);
    const mask = index === -1 ? 0 : result.updatedMasks[index];
    schema.type(entity.type).fields.forEach((field) => {
      if (!Object.is(old.values[field.name], entity.values[field.name])) expect(mask & field.bit).not.toBe(0);
    });
  }
}

describe("snapshot deltas (property)", () => {
  it("reproduce the server's committed state of the visible entities, over any sequence of ticks and baselines", () => {
    fc.assert(
      fc.property(scenario, ({ historyTicks, startTick, ticks }) => {
        const store = new EntityStore(schema, { historyTicks, startTick });
        const clients = [0, 1, 2].map(() => ({
          client: new TestClient(schema),
          rendered: new Set<number>(),
        }));
        for (const tick of ticks) {
          for (const op of tick.operations) run(store, op);
          store.commit();
          const expected = storeState(store);
          const committedIds = new Set(expected.map((entity) => entity.id));
          for (const op of tick.lateOperations) run(store, op);

          tick.clients.forEach((action, i) => {
            const state = clients[i];
            const { client, rendered } = state;
            if (action.kind === "skip") return;
            let visible: number[] | null = null;
            if (action.kind === "reconnect") client.view = createClientView();
            else if (action.visibility !== null) {
              const { salt, every, extra } = action.visibility;
              visible = [...committedIds].filter((id) => ((id * 2654435761 + salt) >>> 0) % every !== 0).concat(extra);
            }
            const before = mirrorState(client.mirror);
            client.writer.reset();
            encodeDelta(store, client.view, visible, client.writer);
            const result = expectApplied(client.mirror.apply(client.writer.view(), store.tick));
            const after = mirrorState(client.mirror);
            const seen = visible === null ? committedIds : new Set(visible.filter((id) => committedIds.has(id)));
            expect(after).toEqual(expected.filter((entity) => seen.has(entity.id)));
            expect(client.mirror.tick).toBe(store.tick);
            checkLifecycle(before, after, result, rendered);
          });
        }
      }),
      { numRuns: 200 },
    );
  });
});

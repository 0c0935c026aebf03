import { ByteWriter } from "../../src/binary/writer.js";
import {
  type ApplyResult,
  type ClientView,
  createClientView,
  type DecodeFailure,
  defineSchema,
  type EntityStore,
  encodeDelta,
  type Schema,
  SnapshotMirror,
  t,
} from "../../src/state/index.js";

/** A small game: moving mobs, items with labels, and a field-less marker. */
export const gameSchema = defineSchema({
  mob: {
    x: t.fixed(1 / 16, { min: 0, max: 4000 }),
    y: t.fixed(1 / 16, { min: 0, max: 4000 }),
    hp: t.uint(8),
    mood: t.enum(["idle", "chase", "flee"]),
    awake: t.bool(),
    name: t.string(12),
    heading: t.int(16),
  },
  item: {
    x: t.fixed(1 / 16, { min: 0, max: 4000 }),
    y: t.fixed(1 / 16, { min: 0, max: 4000 }),
    count: t.uint(32),
  },
  marker: {},
});
export type GameSchema = typeof gameSchema;

export interface EntityState {
  id: number;
  type: string;
  values: Record<string, unknown>;
}

/** The store's entities (read through the getters) sorted by id, optionally only `ids`. */
export function storeState(store: EntityStore, ids?: Iterable<number>): EntityState[] {
  const only = ids === undefined ? null : new Set(ids);
  const states: EntityState[] = [];
  for (const entity of store) {
    if (only !== null && !only.has(entity.id)) continue;
    const values: Record<string, unknown> = {};
    for (const field of store.schema.type(entity.type).fields) {
      values[field.name] = (entity as unknown as Record<string, unknown>)[field.name];
    }
    states.push({ id: entity.id, type: entity.type, values });
  }
  return states.sort((a, b) => a.id - b.id);
}

export function mirrorState(mirror: SnapshotMirror): EntityState[] {
  return [...mirror]
    .map((entity) => ({ id: entity.id, type: entity.type, values: { ...entity.values } }))
    .sort((a, b) => a.id - b.id);
}

/** Throws with the failure's message when `result` is a failure, for readable test errors. */
export function expectApplied(result: ApplyResult | DecodeFailure): ApplyResult {
  if (!result.ok) throw new Error(`apply failed: ${result.reason}: ${result.message}`);
  return result;
}

/** A client: what the server tracks (view) and what the client holds (mirror). */
export class TestClient<S extends Schema> {
  view: ClientView = createClientView();
  readonly mirror: SnapshotMirror<S>;
  readonly writer = new ByteWriter();

  constructor(schema: S) {
    this.mirror = new SnapshotMirror(schema);
  }

  /** Encodes what the client lacks and returns the body bytes (a copy). */
  encode(store: EntityStore<S>, visible: Iterable<number> | null = null): Uint8Array {
    this.writer.reset();
    encodeDelta(store, this.view, visible, this.writer);
    return this.writer.copy();
  }

  /** Encodes and applies in one step; throws if the mirror refuses the body. */
  sync(store: EntityStore<S>, visible: Iterable<number> | null = null): ApplyResult {
    return expectApplied(this.mirror.apply(this.encode(store, visible), store.tick));
  }
}

import { ByteReader, DecodeError } from "../binary/reader.js";
import { DeltaMode, UPDATE_HEAD_FORMS, UpdateForm } from "./delta.js";
import { type FieldDef, Wire } from "./fields.js";
import { FIRST_ENTITY_ID, MAX_ENTITY_ID } from "./ids.js";
import { ensureLength } from "../util/grow.js";
import type { AnySchema, EntityTypeDef, Fields, Schema, TypeName } from "./schema.js";

/** An entity as the client holds it: dequantized values of the last applied snapshot. */
export type MirrorEntity<S extends Schema = AnySchema, K extends TypeName<S> = TypeName<S>> = {
  [P in K]: {
    readonly id: number;
    readonly type: P;
    readonly typeId: number;
    readonly values: Readonly<Fields<S, P>>;
  };
}[K];

/**
 * Lifecycle of one applied snapshot, for renderers. The arrays are reused: valid until
 * the next `apply`. Handle `despawned` before `spawned`: an id replaced by a new entity
 * (leave + enter of the same id) is in both. `updated` lists entities that kept their
 * identity, with the mask of fields that changed.
 */
export interface ApplyResult {
  readonly ok: true;
  readonly tick: number;
  readonly mode: DeltaMode;
  readonly spawned: readonly number[];
  readonly despawned: readonly number[];
  readonly updatedIds: readonly number[];
  readonly updatedMasks: readonly number[];
}

export type DecodeFailureReason =
  /** Truncated, trailing or ill-formed bytes, or a structure the format forbids. */
  | "malformed"
  /** An enter names a type id the schema does not have. */
  | "unknown-type"
  /** A value outside its field's range (enum index, bool byte, integer width, fixed range, string length). */
  | "out-of-range"
  /** An update or leave names an id the mirror does not hold: the client is out of sync. */
  | "unknown-entity"
  /** The body's baseline is not the tick the mirror holds. */
  | "baseline-mismatch";

export interface DecodeFailure {
  readonly ok: false;
  readonly reason: DecodeFailureReason;
  readonly message: string;
}

class Failure extends Error {
  constructor(
    readonly reason: DecodeFailureReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Where a body is decoded and checked before anything changes. One for the whole process
 * rather than one per mirror: a process holding hundreds of mirrors (a bot swarm) keeps
 * it in cache instead of touching a cold copy for each snapshot.
 */
class DecodeScratch {
  /** Updated records, as decode found them: applying them needs no second lookup. */
  readonly updateRecords: MirrorRecord[] = [];
  readonly updateMasks: number[] = [];
  readonly leaveIds: number[] = [];
  readonly enterIds: number[] = [];
  readonly enterTypes: number[] = [];
  readonly enteredIds = new Set<number>();
  numbers = new Float64Array(256);
  numberCount = 0;
  readonly strings: string[] = [];
  /** Read positions in `numbers` and `strings` while applying. */
  numberCursor = 0;
  stringCursor = 0;

  reset(): void {
    this.updateRecords.length = 0;
    this.updateMasks.length = 0;
    this.leaveIds.length = 0;
    this.enterIds.length = 0;
    this.enterTypes.length = 0;
    // clear() allocates a new table even when the set is empty.
    if (this.enteredIds.size > 0) this.enteredIds.clear();
    this.strings.length = 0;
    this.numberCount = 0;
    this.numberCursor = 0;
    this.stringCursor = 0;
  }
}

class MirrorRecord {
  readonly type: string;
  readonly typeId: number;
  readonly values: Record<string, number | boolean | string>;
  /** Quantized numeric values (strings live in `values`), the base of relative deltas. */
  readonly quantized: Float64Array;
  /** Generation stamps of the current apply: leaving (or replaced), and entered by a FULL body. */
  leaveStamp = 0;
  seenStamp = 0;

  constructor(
    readonly id: number,
    readonly def: EntityTypeDef,
  ) {
    this.type = def.name;
    this.typeId = def.typeId;
    this.quantized = new Float64Array(def.fields.length);
    // Same keys in the same order for every entity of a type: one hidden class.
    const values: Record<string, number | boolean | string> = {};
    for (const field of def.fields) {
      values[field.name] = typeof field.initial === "string" ? field.initial : field.dequantize(field.initial);
    }
    this.values = values;
  }
}

const SCRATCH = new DecodeScratch();

/**
 * The client's copy of the authoritative state, fed with snapshot bodies. A body is
 * fully decoded and checked into scratch arrays before anything changes, so a bad body
 * returns a failure and leaves the mirror as it was.
 */
export class SnapshotMirror<S extends Schema = AnySchema> {
  private currentTick = -1;
  /** In arrival order, for iteration. */
  private readonly entities = new Map<number, MirrorRecord>();
  /**
   * The same records indexed by id (ids are dense small integers): decoding looks up every
   * updated entity, and an array load is cheaper than a hash lookup, which for a process of
   * hundreds of mirrors (a bot swarm) is mostly cache misses.
   */
  private readonly byId: (MirrorRecord | undefined)[] = [];
  private generation = 0;
  /** Shared by every mirror of the process (an apply runs to its end before another starts). */
  private readonly scratch = SCRATCH;
  private readonly result = {
    ok: true as const,
    tick: -1,
    mode: DeltaMode.FULL as DeltaMode,
    spawned: [] as number[],
    despawned: [] as number[],
    updatedIds: [] as number[],
    updatedMasks: [] as number[],
  };

  constructor(readonly schema: S) {}

  /** Tick of the last applied snapshot; -1 before the first. */
  get tick(): number {
    return this.currentTick;
  }

  get size(): number {
    return this.entities.size;
  }

  get(id: number): MirrorEntity<S> | undefined {
    return this.entities.get(id) as MirrorEntity<S> | undefined;
  }

  has(id: number): boolean {
    return this.entities.has(id);
  }

  ids(): IterableIterator<number> {
    return this.entities.keys();
  }

  values(): IterableIterator<MirrorEntity<S>> {
    return this.entities.values() as IterableIterator<MirrorEntity<S>>;
  }

  [Symbol.iterator](): IterableIterator<MirrorEntity<S>> {
    return this.values();
  }

  /** Applies the body of the snapshot of `tick`. Never throws on bad bytes. */
  apply(body: Uint8Array, tick: number): ApplyResult | DecodeFailure {
    this.generation++;
    let mode: DeltaMode;
    try {
      mode = this.decode(body, tick);
    } catch (error) {
      if (error instanceof Failure) return { ok: false, reason: error.reason, message: error.message };
      if (error instanceof DecodeError) return { ok: false, reason: "malformed", message: error.message };
      throw error;
    }
    const result = this.result;
    result.tick = tick;
    result.mode = mode;
    result.spawned.length = 0;
    result.despawned.length = 0;
    result.updatedIds.length = 0;
    result.updatedMasks.length = 0;
    this.applyUpdates();
    for (const id of this.scratch.leaveIds) {
      this.forget(id);
      result.despawned.push(id);
    }
    if (mode === DeltaMode.FULL) this.applyFull();
    else this.applyEnters();
    this.currentTick = tick;
    return result;
  }

  private hold(entity: MirrorRecord): void {
    this.entities.set(entity.id, entity);
    this.byId[entity.id] = entity;
  }

  private forget(id: number): void {
    this.entities.delete(id);
    this.byId[id] = undefined;
  }

  /** Decodes and checks the whole body into scratch; changes nothing in the mirror. */
  private decode(body: Uint8Array, tick: number): DeltaMode {
    const reader = new ByteReader(body);
    const generation = this.generation;
    this.scratch.reset();

    const mode = reader.u8();
    if (mode !== DeltaMode.RELATIVE && mode !== DeltaMode.ABSOLUTE && mode !== DeltaMode.FULL) {
      throw new Failure("malformed", `unknown snapshot mode ${mode}`);
    }
    if (!Number.isSafeInteger(tick) || tick < 0) throw new Failure("malformed", `bad snapshot tick ${tick}`);
    const age = reader.varuint();
    if (mode === DeltaMode.FULL && age !== 0) throw new Failure("malformed", "a FULL snapshot has baseline age 0");
    if (mode === DeltaMode.RELATIVE && age !== 1) throw new Failure("malformed", "a RELATIVE snapshot has baseline age 1");
    if (mode !== DeltaMode.FULL && (this.currentTick < 0 || tick - age !== this.currentTick)) {
      throw new Failure("baseline-mismatch", `delta from tick ${tick - age}, mirror holds ${this.currentTick}`);
    }

    const updateCount = reader.count(MAX_ENTITY_ID);
    if (mode === DeltaMode.FULL && updateCount !== 0) throw new Failure("malformed", "a FULL snapshot has no updates");
    let previousId = 0;
    for (let i = 0; i < updateCount; i++) {
      const head = reader.varuint();
      const gap = Math.floor(head / UPDATE_HEAD_FORMS);
      // Ids strictly increase, so an entity cannot be updated twice in one body.
      if (gap === 0) throw new Failure("malformed", `update ids do not increase after ${previousId}`);
      const id = checkedId(previousId + gap);
      previousId = id;
      const form = head % UPDATE_HEAD_FORMS;
      const entity = this.byId[id];
      if (entity === undefined) throw new Failure("unknown-entity", `update for unknown entity ${id}`);
      if (form === UpdateForm.FIXED_SMALL && mode !== DeltaMode.RELATIVE) {
        throw new Failure("malformed", `byte deltas for entity ${id} outside a RELATIVE snapshot`);
      }
      if (form > UpdateForm.FIXED_SMALL) throw new Failure("malformed", `unknown update form ${form} for entity ${id}`);
      const mask = form === UpdateForm.MASK ? reader.varuint() : entity.def.fixedMask;
      if (mask === 0 || mask > entity.def.fullMask) {
        throw new Failure("malformed", `mask ${mask} does not fit "${entity.type}"`);
      }
      this.scratch.updateRecords.push(entity);
      this.scratch.updateMasks.push(mask);
      if (form === UpdateForm.FIXED_SMALL) this.readSmallDeltas(reader, entity.def, mask, entity.quantized);
      else this.readValues(reader, entity.def, mask, mode === DeltaMode.RELATIVE ? entity.quantized : null);
    }

    const leaveCount = reader.count(MAX_ENTITY_ID);
    if (mode === DeltaMode.FULL && leaveCount !== 0) throw new Failure("malformed", "a FULL snapshot has no leaves");
    for (let i = 0; i < leaveCount; i++) {
      const id = readId(reader);
      const entity = this.byId[id];
      if (entity === undefined || entity.leaveStamp === generation) {
        throw new Failure("unknown-entity", `leave for unknown entity ${id}`);
      }
      entity.leaveStamp = generation;
      this.scratch.leaveIds.push(id);
    }

    const enterCount = reader.count(MAX_ENTITY_ID);
    const types = this.schema.types;
    for (let i = 0; i < enterCount; i++) {
      const id = readId(reader);
      if (this.scratch.enteredIds.has(id)) throw new Failure("malformed", `entity ${id} enters twice`);
      this.scratch.enteredIds.add(id);
      const typeId = reader.varuint();
      const def = types[typeId];
      if (def === undefined) throw new Failure("unknown-type", `unknown entity type id ${typeId}`);
      // An enter over a held id that did not leave replaces it: its updates are void.
      const held = this.byId[id];
      if (held !== undefined) held.leaveStamp = generation;
      this.scratch.enterIds.push(id);
      this.scratch.enterTypes.push(typeId);
      this.readValues(reader, def, def.fullMask, null);
    }
    if (reader.remaining !== 0) throw new Failure("malformed", `${reader.remaining} bytes after the body`);
    return mode;
  }

  /** Reads FIXED_SMALL values: one signed byte of delta from `base` per fixed field of `mask`. */
  private readSmallDeltas(reader: ByteReader, def: EntityTypeDef, mask: number, base: Float64Array): void {
    const fields = def.fields;
    for (let rest = mask; rest !== 0; rest &= rest - 1) {
      const index = 31 - Math.clz32(rest & -rest);
      const q = base[index] + ((reader.u8() << 24) >> 24);
      if (q < fields[index].qmin || q > fields[index].qmax) throw outOfRange(fields[index], q);
      this.pushNumber(q);
    }
  }

  private pushNumber(q: number): void {
    if (this.scratch.numberCount === this.scratch.numbers.length) this.scratch.numbers = ensureLength(this.scratch.numbers, this.scratch.numberCount + 1);
    this.scratch.numbers[this.scratch.numberCount++] = q;
  }

  /** Reads the values of `mask`; with `base`, fixed fields are deltas from it. */
  private readValues(reader: ByteReader, def: EntityTypeDef, mask: number, base: Float64Array | null): void {
    const fields = def.fields;
    for (let rest = mask; rest !== 0; rest &= rest - 1) {
      const index = 31 - Math.clz32(rest & -rest);
      const field = fields[index];
      let q: number;
      switch (field.wire) {
        case Wire.STRING: {
          const value = reader.string(field.maxBytes);
          if (value.length > (field.type as { maxLength: number }).maxLength) throw outOfRange(field, value);
          this.scratch.strings.push(value);
          continue;
        }
        case Wire.VARUINT:
          q = reader.varuint();
          break;
        case Wire.VARINT:
          q = reader.varint();
          break;
        case Wire.BOOL:
          q = reader.u8();
          break;
        default:
          q = base === null ? reader.varint() : base[index] + reader.varint();
      }
      if (q < field.qmin || q > field.qmax) throw outOfRange(field, q);
      this.pushNumber(q);
    }
  }

  /** Copies the next decoded values of `mask` into `entity`. */
  private copyValues(entity: MirrorRecord, mask: number): void {
    const fields = entity.def.fields;
    const values = entity.values;
    for (let rest = mask; rest !== 0; rest &= rest - 1) {
      const index = 31 - Math.clz32(rest & -rest);
      const field = fields[index];
      if (field.wire === Wire.STRING) {
        values[field.name] = this.scratch.strings[this.scratch.stringCursor++];
      } else {
        const q = this.scratch.numbers[this.scratch.numberCursor++];
        entity.quantized[index] = q;
        values[field.name] = dequantize(field, q);
      }
    }
  }

  /** Like copyValues over every field, returning the mask of fields whose value changed. */
  private copyAllValuesDiffing(entity: MirrorRecord): number {
    const values = entity.values;
    let mask = 0;
    for (const field of entity.def.fields) {
      if (field.wire === Wire.STRING) {
        const value = this.scratch.strings[this.scratch.stringCursor++];
        if (values[field.name] !== value) mask = (mask | field.bit) >>> 0;
        values[field.name] = value;
      } else {
        const q = this.scratch.numbers[this.scratch.numberCursor++];
        if (entity.quantized[field.index] !== q) mask = (mask | field.bit) >>> 0;
        entity.quantized[field.index] = q;
        values[field.name] = dequantize(field, q);
      }
    }
    return mask;
  }

  private applyUpdates(): void {
    const { result, generation } = this;
    const { updateRecords, updateMasks } = this.scratch;
    for (let i = 0; i < updateRecords.length; i++) {
      const entity = updateRecords[i];
      this.copyValues(entity, updateMasks[i]);
      if (entity.leaveStamp === generation) continue;
      result.updatedIds.push(entity.id);
      result.updatedMasks.push(updateMasks[i]);
    }
    // Another mirror's apply is next to use the scratch: hold on to none of this one's records.
    updateRecords.length = 0;
  }

  private applyEnters(): void {
    const { result, entities } = this;
    const { enterIds, enterTypes } = this.scratch;
    const types = this.schema.types;
    for (let i = 0; i < enterIds.length; i++) {
      const id = enterIds[i];
      if (entities.has(id)) result.despawned.push(id);
      const entity = new MirrorRecord(id, types[enterTypes[i]]);
      this.copyValues(entity, entity.def.fullMask);
      this.hold(entity);
      result.spawned.push(id);
    }
  }

  /** A FULL body: entities held under the same id and type are diffed, the rest replaced. */
  private applyFull(): void {
    const { result, entities, generation } = this;
    const { enterIds, enterTypes } = this.scratch;
    const types = this.schema.types;
    for (let i = 0; i < enterIds.length; i++) {
      const id = enterIds[i];
      const def = types[enterTypes[i]];
      const held = entities.get(id);
      if (held !== undefined && held.def === def) {
        const mask = this.copyAllValuesDiffing(held);
        held.seenStamp = generation;
        if (mask !== 0) {
          result.updatedIds.push(id);
          result.updatedMasks.push(mask);
        }
        continue;
      }
      if (held !== undefined) result.despawned.push(id);
      const entity = new MirrorRecord(id, def);
      this.copyValues(entity, def.fullMask);
      entity.seenStamp = generation;
      this.hold(entity);
      result.spawned.push(id);
    }
    for (const entity of entities.values()) {
      if (entity.seenStamp === generation) continue;
      this.forget(entity.id);
      result.despawned.push(entity.id);
    }
  }
}

/**
 * `field.dequantize(q)` without the call through each field's own closure: one call site
 * reaching many closures is slow, and this runs per changed value of every snapshot.
 */
function dequantize(field: FieldDef, q: number): number | boolean | string {
  switch (field.wire) {
    case Wire.FIXED:
      return q * field.resolution;
    case Wire.BOOL:
      return q === 1;
    case Wire.VARINT:
      return q;
    default:
      return field.type.kind === "enum" ? field.type.values[q] : q;
  }
}

function readId(reader: ByteReader): number {
  return checkedId(reader.varuint());
}

function checkedId(id: number): number {
  if (id < FIRST_ENTITY_ID || id > MAX_ENTITY_ID) throw new Failure("malformed", `entity id ${id} out of range`);
  return id;
}

function outOfRange(field: FieldDef, value: number | string): Failure {
  return new Failure("out-of-range", `field "${field.name}" value ${JSON.stringify(value)} out of range`);
}

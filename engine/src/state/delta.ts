/**
 * Snapshot deltas: what a client lacks to go from the state it holds (its baseline) to
 * the store's last committed tick. The body travels in a msgpack bin field:
 *
 * ```
 * u8      mode         0 RELATIVE: baseline is tick-1; fixed fields in updates are
 *                        zigzag deltas of the quantized value
 *                      1 ABSOLUTE: an older baseline still in the history ring; fixed
 *                        fields are zigzag absolute values
 *                      2 FULL: reset; the receiver forgets every entity not entered
 * varuint baselineAge  tick - baseline (1 for RELATIVE, 0 for FULL)
 * varuint updateCount, then { varuint head, [varuint mask], values of set bits in field order }
 *                        in increasing id order; head = gap * 4 + form, gap = id minus
 *                        the previous entry's id (the first entry's: its id), so ~60
 *                        entities seen out of a few thousand cost a byte of head each;
 *                        0 MASK: a varuint mask follows, then its values
 *                        1 FIXED: the mask is the type's fixedMask (a moving entity),
 *                          values as usual
 *                        2 FIXED_SMALL: RELATIVE only; fixedMask, and every value is a
 *                          delta in -128..127 sent as one byte (two's complement)
 * varuint leaveCount,  then { varuint id }
 * varuint enterCount,  then { varuint id, varuint typeId, every field value }
 * ```
 * Values: uint, enum → varuint; int → zigzag varint; bool → u8 0/1;
 * string → length-prefixed UTF-8; fixed → zigzag varint (delta in RELATIVE updates,
 * absolute elsewhere, always absolute in enters). FIXED_SMALL exists because a zigzag
 * byte holds only -64..63: a player crossing 6 units a tick at 1/16 would take two.
 *
 * The receiver applies updates, then leaves, then enters. So a despawn and respawn of
 * one id within a tick arrives as leave + enter. Servers sharing work between clients
 * encode an entry's payload once (`updateForm`, `writeUpdatePayload`) and write each
 * client's heads (`writeUpdateHead`) in its own id order.
 */
import type { ByteWriter } from "../binary/writer.js";
import { asRecord, type EntityRecord } from "./entity.js";
import { Wire } from "./fields.js";
import { IdSet } from "./id-set.js";
import type { EntityBase, Schema } from "./schema.js";
import type { EntityStore } from "./store.js";
import { grownLength } from "../util/grow.js";

/** The low bits of an update head (head = id * UPDATE_HEAD_FORMS + form). */
export const UpdateForm = {
  MASK: 0,
  FIXED: 1,
  FIXED_SMALL: 2,
} as const;
export type UpdateForm = (typeof UpdateForm)[keyof typeof UpdateForm];
export const UPDATE_HEAD_FORMS = 4;
const SMALL_DELTA_MIN = -128;
const SMALL_DELTA_MAX = 127;

export const DeltaMode = {
  RELATIVE: 0,
  ABSOLUTE: 1,
  FULL: 2,
} as const;
export type DeltaMode = (typeof DeltaMode)[keyof typeof DeltaMode];

/** What one client holds: the tick of its state and the ids in it. */
export interface ClientView {
  /** Tick of the state the client holds; -1 before its first snapshot. */
  baseline: number;
  /** Ids the client holds as of `baseline`. */
  known: IdSet;
}

export function createClientView(): ClientView {
  return { baseline: -1, known: new IdSet() };
}

/** The mode a delta from `baseline` to the store's tick must use. */
export function deltaModeFor<S extends Schema>(store: EntityStore<S>, baseline: number): DeltaMode {
  const tick = store.tick;
  if (baseline < store.startTick || baseline > tick || tick - baseline > store.historyTicks) return DeltaMode.FULL;
  return baseline === tick - 1 ? DeltaMode.RELATIVE : DeltaMode.ABSOLUTE;
}

/**
 * The form of an update entry for the committed values of the fields in `mask`. With
 * `relative`, fixed fields are sent as the difference from the previous committed value,
 * so `mask` must be (a subset of) the entity's change in the last committed tick, as
 * listed in `store.changedThisTick`.
 */
export function updateForm(entity: EntityBase, mask: number, relative: boolean): UpdateForm {
  const record = asRecord(entity);
  const def = record._def;
  if (mask === 0 || (mask & ~def.fullMask) !== 0) throw new RangeError(`mask ${mask} does not fit "${def.name}"`);
  if (relative && (mask & ~record._changedMask) !== 0) {
    throw new RangeError(`relative update of ${entity.id} names fields it did not change in its last change`);
  }
  if (mask !== def.fixedMask) return UpdateForm.MASK;
  return relative && smallDeltas(record, mask) ? UpdateForm.FIXED_SMALL : UpdateForm.FIXED;
}

/** An entry's head: its id's gap from the previous entry's (ids strictly increase) and its form. */
export function writeUpdateHead(w: ByteWriter, id: number, previousId: number, form: UpdateForm): void {
  if (!(id > previousId)) throw new RangeError(`update ids must increase: ${id} after ${previousId}`);
  w.varuint((id - previousId) * UPDATE_HEAD_FORMS + form);
}

/** An entry's payload, after its head: the mask (form MASK) and the values. */
export function writeUpdatePayload(w: ByteWriter, entity: EntityBase, mask: number, relative: boolean, form: UpdateForm): void {
  const record = asRecord(entity);
  if (form === UpdateForm.FIXED_SMALL) {
    writeSmallDeltas(w, record, mask);
    return;
  }
  if (form === UpdateForm.MASK) w.varuint(mask);
  writeValues(w, record, mask, relative);
}

/** One whole update entry (see updateForm), after the entry for `previousId` (0 for the first). */
export function writeUpdate(w: ByteWriter, entity: EntityBase, mask: number, relative: boolean, previousId: number): void {
  const form = updateForm(entity, mask, relative);
  writeUpdateHead(w, entity.id, previousId, form);
  writeUpdatePayload(w, entity, mask, relative, form);
}

/** Whether every fixed field of `mask` moved by a delta that fits one signed byte. */
function smallDeltas(record: EntityRecord, mask: number): boolean {
  const count = record._def.fields.length;
  const values = record._values;
  for (let rest = mask; rest !== 0; rest &= rest - 1) {
    const index = 31 - Math.clz32(rest & -rest);
    const delta = values[count + index] - values[count * 2 + index];
    if (delta < SMALL_DELTA_MIN || delta > SMALL_DELTA_MAX) return false;
  }
  return true;
}

function writeSmallDeltas(w: ByteWriter, record: EntityRecord, mask: number): void {
  const count = record._def.fields.length;
  const values = record._values;
  for (let rest = mask; rest !== 0; rest &= rest - 1) {
    const index = 31 - Math.clz32(rest & -rest);
    w.u8((values[count + index] - values[count * 2 + index]) & 0xff);
  }
}

/** One enter entry: id, type id and every committed field value. */
export function writeEnter(w: ByteWriter, entity: EntityBase): void {
  const record = asRecord(entity);
  w.varuint(record.id);
  w.varuint(record.typeId);
  writeValues(w, record, record._def.fullMask, false);
}

function writeValues(w: ByteWriter, record: EntityRecord, mask: number, relative: boolean): void {
  const fields = record._def.fields;
  const count = fields.length;
  const values = record._values;
  for (let rest = mask; rest !== 0; rest &= rest - 1) {
    const index = 31 - Math.clz32(rest & -rest);
    const committed = values[count + index];
    switch (fields[index].wire) {
      case Wire.VARUINT:
        w.varuint(committed);
        break;
      case Wire.VARINT:
        w.varint(committed);
        break;
      case Wire.BOOL:
        w.u8(committed);
        break;
      case Wire.FIXED:
        w.varint(relative ? committed - values[count * 2 + index] : committed);
        break;
      case Wire.STRING:
        w.string(record._strings[count + index]);
        break;
    }
  }
}

/** Per-id scratch shared by every encodeDelta call (JS runs one at a time). */
const scratch = {
  generation: 0,
  /** `visibleStamp[id] === generation` marks a visible committed entity. */
  visibleStamp: new Uint32Array(1024),
  /** OR of ring masks per id for ABSOLUTE deltas; zeroed again after use. */
  accumulated: new Uint32Array(1024),
  visible: [] as number[],
  touched: [] as number[],
  updateIds: [] as number[],
  /** Mask of each id in updateIds (stale elsewhere). */
  maskById: new Uint32Array(1024),
  leaves: [] as number[],
  /** The view's ids, in increasing order (copied out: no iterator per call). */
  held: [] as number[],
};

function beginScratch(idCapacity: number): number {
  if (scratch.visibleStamp.length < idCapacity) {
    const length = grownLength(scratch.visibleStamp.length, idCapacity);
    scratch.visibleStamp = new Uint32Array(length);
    scratch.accumulated = new Uint32Array(length);
    scratch.maskById = new Uint32Array(length);
    scratch.generation = 0;
  }
  if (scratch.generation === 0xffffffff) {
    scratch.visibleStamp.fill(0);
    scratch.generation = 0;
  }
  scratch.visible.length = 0;
  scratch.touched.length = 0;
  scratch.updateIds.length = 0;
  scratch.leaves.length = 0;
  scratch.held.length = 0;
  return ++scratch.generation;
}

/**
 * Appends to `w` the body that brings a client holding `view` to the store's last
 * committed tick, restricted to the `visible` ids (null: every entity; ids of no
 * committed entity are ignored), and advances the view as if it were delivered.
 * - mode: RELATIVE from tick-1, ABSOLUTE from a baseline still in the history ring
 *   (masks OR-ed over the ticks since), FULL otherwise or from -1;
 * - updates: known, visible entities that existed at the baseline and changed since;
 * - leaves: known ids no longer visible, despawned, or respawned since the baseline;
 * - enters: visible ids not known (after leaves), with every field.
 */
export function encodeDelta<S extends Schema>(
  store: EntityStore<S>,
  view: ClientView,
  visible: Iterable<number> | null,
  w: ByteWriter,
): void {
  const tick = store.tick;
  const baseline = view.baseline;
  const known = view.known;
  const mode = deltaModeFor(store, baseline);
  const generation = beginScratch(store.idCapacity);
  const { visibleStamp, visible: visibleIds } = scratch;

  if (visible === null) {
    for (let id = 0; id < store.idCapacity; id++) {
      if (store.committedEntity(id) === undefined) continue;
      visibleStamp[id] = generation;
      visibleIds.push(id);
    }
  } else {
    for (const id of visible) {
      if (store.committedEntity(id) === undefined || visibleStamp[id] === generation) continue;
      visibleStamp[id] = generation;
      visibleIds.push(id);
    }
  }

  w.u8(mode);
  if (mode === DeltaMode.FULL) {
    w.varuint(0);
    w.varuint(0);
    w.varuint(0);
    w.varuint(visibleIds.length);
    known.clear();
    for (const id of visibleIds) {
      writeEnter(w, store.committedEntity(id) as EntityBase);
      known.add(id);
    }
    view.baseline = tick;
    return;
  }

  w.varuint(tick - baseline);
  if (mode === DeltaMode.RELATIVE) collectRelativeUpdates(store, known, generation);
  else collectAbsoluteUpdates(store, baseline, known, generation);
  const { updateIds, maskById } = scratch;
  // Systems mostly change entities in id order: then there is nothing to sort.
  if (!isAscending(updateIds)) updateIds.sort(ascending);
  w.varuint(updateIds.length);
  let previousId = 0;
  for (const id of updateIds) {
    writeUpdate(w, store.committedEntity(id) as EntityBase, maskById[id], mode === DeltaMode.RELATIVE, previousId);
    previousId = id;
  }

  const { leaves, held } = scratch;
  known.appendTo(held);
  for (const id of held) {
    const entity = store.committedEntity(id);
    if (entity === undefined || visibleStamp[id] !== generation || entity.spawnTick > baseline) leaves.push(id);
  }
  w.varuint(leaves.length);
  for (const id of leaves) {
    w.varuint(id);
    known.delete(id);
  }

  let enterCount = 0;
  for (const id of visibleIds) if (!known.has(id)) enterCount++;
  w.varuint(enterCount);
  for (const id of visibleIds) {
    if (known.has(id)) continue;
    writeEnter(w, store.committedEntity(id) as EntityBase);
    known.add(id);
  }
  view.baseline = tick;
}

const ascending = (a: number, b: number): number => a - b;

function isAscending(ids: readonly number[]): boolean {
  for (let i = 1; i < ids.length; i++) if (ids[i] < ids[i - 1]) return false;
  return true;
}

/** Whether the client holds `id` as the very entity that is committed under it now. */
function holdsSameEntity<S extends Schema>(store: EntityStore<S>, id: number, known: IdSet, baseline: number): boolean {
  const entity = store.committedEntity(id);
  return entity !== undefined && entity.spawnTick <= baseline && known.has(id);
}

function collectRelativeUpdates<S extends Schema>(store: EntityStore<S>, known: IdSet, generation: number): void {
  const changed = store.changedThisTick;
  const baseline = store.tick - 1;
  for (let i = 0; i < changed.count; i++) {
    const id = changed.ids[i];
    if (scratch.visibleStamp[id] !== generation || !holdsSameEntity(store, id, known, baseline)) continue;
    scratch.updateIds.push(id);
    scratch.maskById[id] = changed.masks[i];
  }
}

function collectAbsoluteUpdates<S extends Schema>(
  store: EntityStore<S>,
  baseline: number,
  known: IdSet,
  generation: number,
): void {
  const { accumulated, touched } = scratch;
  for (let tick = baseline + 1; tick <= store.tick; tick++) {
    // deltaModeFor chose ABSOLUTE, so every tick since the baseline is in the ring.
    const changed = store.changesAt(tick)!.changed;
    for (let i = 0; i < changed.count; i++) {
      const id = changed.ids[i];
      if (accumulated[id] === 0) touched.push(id);
      accumulated[id] = (accumulated[id] | changed.masks[i]) >>> 0;
    }
  }
  for (const id of touched) {
    const mask = accumulated[id];
    accumulated[id] = 0;
    if (scratch.visibleStamp[id] !== generation || !holdsSameEntity(store, id, known, baseline)) continue;
    scratch.updateIds.push(id);
    scratch.maskById[id] = mask;
  }
}

/**
 * This tick's change arena: what every client keeping up shares, encoded once a tick.
 * - the RELATIVE update payload of each entity that changed, in one arena, with the
 *   changed ids marked in a bitmap; a client's updates are what it holds AND that bitmap,
 *   word by word, so they come in increasing id order, each a head of its own (id gap,
 *   delta.ts) and the arena's payload;
 * - the Enter entry of each entity a client starts to see, encoded on first use.
 */
import type { EntityBase, EntityStore, Schema } from "@tickwire/engine";
import {
  ByteWriter,
  ensureLength,
  ensureScratchLength,
  type IdSet,
  UPDATE_HEAD_FORMS,
  updateForm,
  writeEnter,
  writeUpdatePayload,
} from "@tickwire/engine/wire";

/** Below this many bytes a byte loop beats `subarray` + `set` (which allocates a view). */
const SMALL_COPY_BYTES = 64;
/** An update head's varuint: (id gap * 4 + form) < 2^23 takes at most 4 bytes. */
const MAX_HEAD_BYTES = 4;
/** Numbers an id in entryById: arena start, arena end, form. */
const ENTRY_STRIDE = 3;
const NONE = -1;

export class ChangeArena<S extends Schema> {
  /** This tick's RELATIVE update payloads of the changed entities, in one arena. */
  private readonly entries = new ByteWriter(16 * 1024);
  /** The ids with an update entry this tick, as a bitmap (ANDed with what each client holds). */
  private changedBits = new Uint32Array(64);
  /**
   * This tick's update entry of each changed entity, ENTRY_STRIDE numbers an id: arena
   * start, arena end, form. By id, not by entry: writeUpdates reads one place an entity.
   */
  private entryById = new Int32Array(ENTRY_STRIDE * 1024);

  // Enter entries, encoded once per tick per entity on first use.
  private readonly enters = new ByteWriter(4 * 1024);
  private entersTick = NONE;
  private enterStamp = new Int32Array(256).fill(NONE);
  private enterStart = new Int32Array(256);
  private enterEnd = new Int32Array(256);

  constructor(private readonly store: EntityStore<S>) {}

  /** Call right after `store.commit()`: encodes this tick's updates once. */
  encode(): void {
    const changed = this.store.changedThisTick;
    const w = this.entries.reset();
    const idCapacity = this.store.idCapacity;
    if (this.changedBits.length * 32 < idCapacity) {
      this.changedBits = ensureScratchLength(this.changedBits, Math.ceil(idCapacity / 32));
    } else {
      this.changedBits.fill(0);
    }
    if (this.entryById.length < ENTRY_STRIDE * idCapacity) {
      this.entryById = ensureScratchLength(this.entryById, ENTRY_STRIDE * idCapacity);
    }
    const { changedBits, entryById } = this;
    for (let i = 0; i < changed.count; i++) {
      const entity = this.store.committedEntity(changed.ids[i]) as EntityBase;
      const id = entity.id;
      const form = updateForm(entity, changed.masks[i], true);
      const entry = ENTRY_STRIDE * id;
      entryById[entry] = w.length;
      writeUpdatePayload(w, entity, changed.masks[i], true, form);
      entryById[entry + 1] = w.length;
      entryById[entry + 2] = form;
      changedBits[id >>> 5] |= 1 << (id & 31);
    }
  }

  /**
   * The updates of a client keeping up: every entity it held at tick-1 (`known`, before
   * this tick's leaves and enters) that changed, by increasing id — a word-wise AND of
   * two bitmaps — each a head of its own (id gap) and the shared payload.
   */
  writeUpdates(known: IdSet, out: ByteWriter): void {
    const held = known.bitmap;
    const changedBits = this.changedBits;
    const words = Math.min(held.length, changedBits.length);
    let count = 0;
    for (let word = 0; word < words; word++) {
      const bits = held[word] & changedBits[word];
      if (bits !== 0) count += bitCount(bits);
    }
    out.varuint(count);
    const { entryById } = this;
    const arena = this.entries.bytes;
    // Heads are written inline: this loop runs for every entry of every client.
    out.ensure(count * MAX_HEAD_BYTES + this.entries.length);
    const bytes = out.bytes;
    let at = out.length;
    let previousId = 0;
    for (let word = 0; word < words; word++) {
      for (let bits = held[word] & changedBits[word]; bits !== 0; bits &= bits - 1) {
        const id = word * 32 + 31 - Math.clz32(bits & -bits);
        const entry = ENTRY_STRIDE * id;
        let head = (id - previousId) * UPDATE_HEAD_FORMS + entryById[entry + 2];
        while (head >= 0x80) {
          bytes[at++] = (head & 0x7f) | 0x80;
          head >>>= 7;
        }
        bytes[at++] = head;
        const end = entryById[entry + 1];
        for (let b = entryById[entry]; b < end; b++) bytes[at++] = arena[b];
        previousId = id;
      }
    }
    out.length = at;
  }

  /** Appends entity `id`'s Enter entry, encoded once this tick. */
  writeEnter(id: number, out: ByteWriter): void {
    const tick = this.store.tick;
    if (id >= this.enterStamp.length) {
      this.enterStamp = ensureLength(this.enterStamp, id + 1, NONE);
      this.enterStart = ensureLength(this.enterStart, this.enterStamp.length);
      this.enterEnd = ensureLength(this.enterEnd, this.enterStamp.length);
    }
    if (this.entersTick !== tick) {
      this.entersTick = tick;
      this.enters.reset();
    }
    if (this.enterStamp[id] !== tick) {
      this.enterStamp[id] = tick;
      this.enterStart[id] = this.enters.length;
      writeEnter(this.enters, this.store.committedEntity(id) as EntityBase);
      this.enterEnd[id] = this.enters.length;
    }
    copyInto(out, this.enters.bytes, this.enterStart[id], this.enterEnd[id]);
  }
}

/** Set bits of a 32-bit word. */
function bitCount(word: number): number {
  let bits = word - ((word >>> 1) & 0x55555555);
  bits = (bits & 0x33333333) + ((bits >>> 2) & 0x33333333);
  return Math.imul((bits + (bits >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** `w.raw` without a subarray allocation for the small copies that dominate here. */
export function copyInto(w: ByteWriter, source: Uint8Array, start: number, end: number): void {
  const count = end - start;
  if (count > SMALL_COPY_BYTES) {
    w.raw(source, start, end);
    return;
  }
  w.ensure(count);
  const bytes = w.bytes;
  let at = w.length;
  for (let i = start; i < end; i++) bytes[at++] = source[i];
  w.length = at;
}

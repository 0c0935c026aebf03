import { ensureLength } from "../util/grow.js";

const INITIAL_LIST_CAPACITY = 64;

/** Ids in a reusable flat array: only the first `count` entries are meaningful. */
export interface ReadonlyIdList {
  readonly count: number;
  readonly ids: Uint32Array;
}

/** (id, mask) pairs in reusable flat arrays: only the first `count` entries are meaningful. */
export interface ReadonlyMaskedIdList extends ReadonlyIdList {
  readonly masks: Uint32Array;
}

export class IdList implements ReadonlyIdList {
  count = 0;
  ids: Uint32Array = new Uint32Array(INITIAL_LIST_CAPACITY);

  push(id: number): void {
    if (this.count === this.ids.length) this.ids = ensureLength(this.ids, this.count + 1);
    this.ids[this.count++] = id;
  }
}

export class MaskedIdList implements ReadonlyMaskedIdList {
  count = 0;
  ids: Uint32Array = new Uint32Array(INITIAL_LIST_CAPACITY);
  masks: Uint32Array = new Uint32Array(INITIAL_LIST_CAPACITY);

  push(id: number, mask: number): void {
    if (this.count === this.ids.length) {
      this.ids = ensureLength(this.ids, this.count + 1);
      this.masks = ensureLength(this.masks, this.count + 1);
    }
    this.ids[this.count] = id;
    this.masks[this.count++] = mask;
  }
}

/** What one committed tick changed. */
export interface TickChanges {
  readonly tick: number;
  /** Entities alive before and after the tick with at least one committed field change. */
  readonly changed: ReadonlyMaskedIdList;
  readonly spawned: ReadonlyIdList;
  readonly despawned: ReadonlyIdList;
}

class TickRecord implements TickChanges {
  tick = -1;
  readonly changed = new MaskedIdList();
  readonly spawned = new IdList();
  readonly despawned = new IdList();
}

/**
 * The changes of the last `capacity` committed ticks. Slots and their arrays are
 * recycled, so steady-state commits allocate nothing.
 */
export class HistoryRing {
  private readonly slots: TickRecord[];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`history needs at least one tick, got ${capacity}`);
    }
    this.slots = Array.from({ length: capacity }, () => new TickRecord());
  }

  /** Empties the slot for `tick` (evicting `tick - capacity`) and returns it for filling. */
  begin(tick: number): TickRecord {
    const slot = this.slots[tick % this.capacity];
    slot.tick = tick;
    slot.changed.count = 0;
    slot.spawned.count = 0;
    slot.despawned.count = 0;
    return slot;
  }

  /** The record of `tick`, or undefined when it was never recorded or has been evicted. */
  at(tick: number): TickChanges | undefined {
    if (tick < 0) return undefined;
    const slot = this.slots[tick % this.capacity];
    return slot.tick === tick ? slot : undefined;
  }
}

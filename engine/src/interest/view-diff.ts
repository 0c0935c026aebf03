import { capacityFor, invalidEntityId, isEntityId } from "./entity-id.js";

/**
 * Membership stamps are 16-bit: two bytes per id per viewer. Once the generation counter
 * reaches the top (about 55 minutes at 20 Hz) the stamps are rewritten from the visible
 * set, a cost of one pass over the array.
 */
const MAX_GENERATION = 0xffff;

/** Ids a viewer can track before its stamp array first grows. */
const DEFAULT_ID_CAPACITY = 1024;

/**
 * Ids in `ids[0..count)`. Entries past `count` are left over from earlier updates: the
 * arrays are reused, because shrinking a JS array to an exact length makes V8 reallocate
 * it on the next growth.
 */
export interface IdList {
  readonly ids: readonly number[];
  readonly count: number;
}

export interface InterestChanges {
  /** Ids visible now that were not visible after the previous update. */
  readonly entered: IdList;
  /** Ids visible after the previous update that are not visible now. */
  readonly left: IdList;
}

/**
 * One viewer's visible set between ticks. Membership is a generation-stamped array indexed
 * by id: an id is visible when its stamp equals the current generation and was visible
 * last update when it equals the previous one, so an update costs O(visible now + visible
 * before) with no Set or Map built per tick.
 *
 * It sees ids only: an id that is despawned and reused for a new entity within one tick
 * stays visible here, so the snapshot layer must send such a respawn as an enter.
 */
export class ViewerInterest {
  private stamps: Uint16Array;
  private generation = 1;
  private visible: number[] = [];
  private visibleCount = 0;
  private spare: number[] = [];
  private readonly entered = { ids: [] as number[], count: 0 };
  private readonly left = { ids: [] as number[], count: 0 };
  private readonly changes: InterestChanges = { entered: this.entered, left: this.left };

  constructor(opts: { idCapacity?: number } = {}) {
    this.stamps = new Uint16Array(Math.max(1, opts.idCapacity ?? DEFAULT_ID_CAPACITY));
  }

  /** Number of ids visible after the last update. */
  get size(): number {
    return this.visibleCount;
  }

  has(id: number): boolean {
    return id < this.stamps.length && this.stamps[id] === this.generation;
  }

  /**
   * Replaces the visible set with the first `count` ids of `visibleNow` (duplicates are
   * ignored) and returns what entered and left; the result is reused by the next call.
   * An invalid id throws and leaves the viewer as it was.
   */
  update(visibleNow: ArrayLike<number>, count: number): InterestChanges {
    if (!(Number.isInteger(count) && count >= 0 && count <= visibleNow.length)) {
      throw new RangeError(`count must be an integer in [0, ${visibleNow.length}], got ${count}`);
    }
    if (this.generation === MAX_GENERATION) this.restamp();

    let stamps = this.stamps;
    const before = this.generation;
    const now = ++this.generation;
    const next = this.spare;
    const entered = this.entered.ids;
    let nextCount = 0;
    let enteredCount = 0;
    for (let i = 0; i < count; i++) {
      const id = visibleNow[i];
      if (!isEntityId(id) || id >= stamps.length) {
        if (!isEntityId(id)) {
          this.rollBack(before, nextCount, enteredCount);
          throw invalidEntityId(id);
        }
        this.grow(id);
        stamps = this.stamps;
      }
      const stamp = stamps[id];
      if (stamp === now) continue;
      if (stamp !== before) entered[enteredCount++] = id;
      stamps[id] = now;
      next[nextCount++] = id;
    }

    const previous = this.visible;
    const left = this.left.ids;
    let leftCount = 0;
    for (let i = 0; i < this.visibleCount; i++) {
      const id = previous[i];
      if (stamps[id] !== now) left[leftCount++] = id;
    }

    this.entered.count = enteredCount;
    this.left.count = leftCount;
    this.spare = previous;
    this.visible = next;
    this.visibleCount = nextCount;
    return this.changes;
  }

  /** Forgets the visible set: the next update reports every id as entered. */
  clear(): void {
    this.visibleCount = 0;
    if (this.generation === MAX_GENERATION) this.restamp();
    // A fresh generation matches no stamp, so nothing is visible now or "before".
    this.generation++;
  }

  /** Undoes the stamps of an update stopped part-way by an invalid id. */
  private rollBack(before: number, stampedCount: number, enteredCount: number): void {
    const stamps = this.stamps;
    for (let i = 0; i < stampedCount; i++) stamps[this.spare[i]] = before;
    // 0 is never a live generation, so these read as not visible before.
    for (let i = 0; i < enteredCount; i++) stamps[this.entered.ids[i]] = 0;
    this.generation = before;
  }

  private restamp(): void {
    this.stamps.fill(0);
    for (let i = 0; i < this.visibleCount; i++) this.stamps[this.visible[i]] = 1;
    this.generation = 1;
  }

  private grow(id: number): void {
    const stamps = new Uint16Array(capacityFor(id, this.stamps.length));
    stamps.set(this.stamps);
    this.stamps = stamps;
  }
}

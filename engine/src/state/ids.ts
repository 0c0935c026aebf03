import { MAX_ENTITY_ID } from "./entity-id.js";

/** Ids start at 1 so a game can use 0 for "no entity". */
export const FIRST_ENTITY_ID = 1;
// One id bound for the whole engine (interest grids index typed arrays by id), so a
// store never hands out an id the grid refuses; every id fits 3 varint bytes.
export { MAX_ENTITY_ID };

/**
 * Hands out small integer ids, reusing freed ones lowest-first (a binary min-heap), so
 * ids stay near the live count and their varints stay short.
 */
export class IdAllocator {
  private readonly free: number[] = [];
  private next = FIRST_ENTITY_ID;

  /** One more than the largest id ever handed out: bounds arrays indexed by id. */
  get capacity(): number {
    return this.next;
  }

  allocate(): number {
    const free = this.free;
    if (free.length === 0) {
      if (this.next > MAX_ENTITY_ID) throw new RangeError(`more than ${MAX_ENTITY_ID} live entities`);
      return this.next++;
    }
    const lowest = free[0];
    const last = free.pop() as number;
    if (free.length > 0) this.siftDown(last);
    return lowest;
  }

  release(id: number): void {
    const free = this.free;
    let index = free.length;
    free.push(id);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (free[parent] <= id) break;
      free[index] = free[parent];
      index = parent;
    }
    free[index] = id;
  }

  /** Places `id` from the root down, restoring heap order. */
  private siftDown(id: number): void {
    const free = this.free;
    const length = free.length;
    let index = 0;
    for (;;) {
      let child = index * 2 + 1;
      if (child >= length) break;
      if (child + 1 < length && free[child + 1] < free[child]) child++;
      if (free[child] >= id) break;
      free[index] = free[child];
      index = child;
    }
    free[index] = id;
  }
}

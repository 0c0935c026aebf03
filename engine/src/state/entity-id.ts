/**
 * Entity ids are dense, reused small integers, so the store and interest structures index typed arrays
 * by id. A million is far above any world's population; the cap turns a stray id into
 * an error instead of a huge allocation. It is 2^20 − 1 so that one mask checks an id.
 */
export const MAX_ENTITY_ID = (1 << 20) - 1;

/** True for an integer in [0, MAX_ENTITY_ID]: masking changes anything else, NaN included. */
export function isEntityId(id: number): boolean {
  return (id & MAX_ENTITY_ID) === id;
}

export function assertEntityId(id: number): void {
  if (!isEntityId(id)) throw new RangeError(`entity id must be an integer in [0, ${MAX_ENTITY_ID}], got ${id}`);
}

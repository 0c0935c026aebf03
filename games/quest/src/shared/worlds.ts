/**
 * Quest's world instances: several per process ("quest-1", "quest-2"…), each with its own
 * players, filled in order like BrowserQuest's, so players meet instead of spreading thin.
 */

export const WORLD_ID_PREFIX = "quest-";
/** BrowserQuest's cap per world. */
export const DEFAULT_WORLD_CAPACITY = 200;

export function worldId(index: number): string {
  return `${WORLD_ID_PREFIX}${index + 1}`;
}

/** A world as `/healthz` lists it. */
export interface WorldListing {
  id: string;
  population: number;
  capacity: number;
}

function order(id: string): number {
  const n = Number(id.slice(WORLD_ID_PREFIX.length));
  return id.startsWith(WORLD_ID_PREFIX) && Number.isInteger(n) ? n : Number.POSITIVE_INFINITY;
}

/** The world a newcomer joins: the first, in number order, with room; null when all are full. */
export function chooseWorld(worlds: readonly WorldListing[]): string | null {
  const open = worlds.filter((w) => w.population < w.capacity).sort((a, b) => order(a.id) - order(b.id) || (a.id < b.id ? -1 : 1));
  return open[0]?.id ?? null;
}

/**
 * Quest's world instances: several per process ("quest-1", "quest-2"…), each with its own
 * players, filled in order like BrowserQuest's (the framework's `/matchmake` answers the first world
 * with room), so players meet instead of spreading thin.
 */

export const WORLD_ID_PREFIX = "quest-";
/** BrowserQuest's cap per world. */
export const DEFAULT_WORLD_CAPACITY = 200;

export function worldId(index: number): string {
  return `${WORLD_ID_PREFIX}${index + 1}`;
}

/** A world's id when many processes share one registry: unique per process ("quest-a1b2c3-1"). */
export function processWorldId(processId: string, index: number): string {
  return `${WORLD_ID_PREFIX}${processId}-${index + 1}`;
}

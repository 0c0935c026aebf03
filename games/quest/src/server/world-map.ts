/** Loads the map the server and the client share, refusing (MapError) one that fails validation. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MapError, type MobArea, parseMap, type QuestMap } from "../shared/map.js";

/** `src/server/` and `dist/server/` are both two folders below the package root. */
export const WORLD_MAP_PATH = fileURLToPath(new URL("../../assets/map/world.json", import.meta.url));

export function loadWorldMap(path = WORLD_MAP_PATH): QuestMap {
  return parseMap(JSON.parse(readFileSync(path, "utf8")));
}

/** Tiles of an area a mob can stand on: what bounds its count. */
function openTiles(map: QuestMap, area: MobArea): number {
  let open = 0;
  for (let ty = area.rect.ty; ty < area.rect.ty + area.rect.h; ty++)
    for (let tx = area.rect.tx; tx < area.rect.tx + area.rect.w; tx++) if (!map.blocked(tx, ty) && !map.portalAt(tx, ty)) open++;
  return open;
}

/**
 * The map with exactly `total` mobs (`QUEST_MOBS_PER_WORLD`, benchmarks): each area keeps its
 * share of the map's own count (largest remainders first, never more than its open tiles),
 * so the crowd is where the map puts mobs. Refuses a total the areas have no room for.
 */
export function withMobCount(map: QuestMap, total: number): QuestMap {
  if (!Number.isInteger(total) || total < 0) throw new MapError(`a mob count must be a non-negative integer, got ${total}`);
  const room = map.mobAreas.map((area) => openTiles(map, area));
  const capacity = room.reduce((sum, open) => sum + open, 0);
  if (total > capacity) throw new MapError(`the map's mob areas have room for ${capacity} mobs, not ${total}`);
  const own = map.mobAreas.reduce((sum, area) => sum + area.count, 0);
  const wanted = map.mobAreas.map((area) => (area.count * total) / own);
  const counts = wanted.map((share, i) => Math.min(room[i], Math.floor(share)));
  let left = total - counts.reduce((sum, count) => sum + count, 0);
  // Hand out the rest one at a time, largest unmet share first; full areas are passed over.
  while (left > 0) {
    let best = -1;
    for (let i = 0; i < counts.length; i++) if (counts[i] < room[i] && (best < 0 || wanted[i] - counts[i] > wanted[best] - counts[best])) best = i;
    counts[best]++;
    left--;
  }
  return { ...map, mobAreas: map.mobAreas.map((area, i) => ({ ...area, count: counts[i] })) };
}

/** The map as the rules see it, parsed (and validated) once from the Tiled JSON the loader fetched. */
import type * as Phaser from "phaser";
import { parseMap, type QuestMap } from "../shared/map.js";
import { KEYS } from "./assets.js";

let parsed: { data: unknown; map: QuestMap } | null = null;

export function questMap(scene: Phaser.Scene): QuestMap {
  const data: unknown = scene.cache.tilemap.get(KEYS.map).data;
  if (parsed === null || parsed.data !== data) parsed = { data, map: parseMap(data) };
  return parsed.map;
}

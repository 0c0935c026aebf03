/** Loads the map the server and the client share, refusing (MapError) one that fails validation. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseMap, type QuestMap } from "../shared/map.js";

/** `src/server/` and `dist/server/` are both two folders below the package root. */
export const WORLD_MAP_PATH = fileURLToPath(new URL("../../assets/map/world.json", import.meta.url));

export function loadWorldMap(path = WORLD_MAP_PATH): QuestMap {
  return parseMap(JSON.parse(readFileSync(path, "utf8")));
}

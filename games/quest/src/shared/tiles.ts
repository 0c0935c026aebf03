/**
 * The tile catalogue: the one list that the map generator, the map validator, the art
 * script and the client agree on. A tile's index here is its position in the tile set image
 * (`assets/tiles.png`, TILESET_COLUMNS tiles a row, TILE_SIZE px each); in the Tiled map its
 * gid is index + 1 (gid 0 = empty).
 *
 * Layers of the map: `ground` (terrain, every cell set), `objects` (things standing on the
 * ground: trees' trunks, rocks, walls; drawn below players), `above` (tree crowns and roofs:
 * drawn over players, never collide). A cell is blocked when any of its tiles `collides`.
 */

export const TILE_SIZE = 16;
export const TILESET_COLUMNS = 16;

export type Zone = "village" | "forest" | "beach" | "cave" | "meadow";

export interface TileInfo {
  readonly name: string;
  /** A player cannot stand on a cell holding this tile. */
  readonly collides: boolean;
  /** Animation: indices of its frames (this tile first) and ms per frame. */
  readonly frames?: readonly number[];
  readonly frameMs?: number;
}

function tile(name: string, collides = false, frames?: number[], frameMs?: number): TileInfo {
  return frames ? { name, collides, frames, frameMs } : { name, collides };
}

/** Row-major: index = row × 16 + column. Unused slots are "empty" and must not be placed. */
export const TILES: readonly TileInfo[] = buildCatalogue();

function buildCatalogue(): TileInfo[] {
  const list: TileInfo[] = [];
  const put = (index: number, info: TileInfo) => {
    while (list.length < index) list.push(tile("empty"));
    list[index] = info;
  };
  // Row 0: walkable ground.
  put(0, tile("grass"));
  put(1, tile("grass_flowers", false, [1, 2], 600)); // foliage that sways
  put(2, tile("grass_flowers_b"));
  put(3, tile("forest_floor"));
  put(4, tile("sand"));
  put(5, tile("path"));
  put(6, tile("plaza"));
  put(7, tile("cave_floor"));
  put(8, tile("wood_floor"));
  put(9, tile("bridge"));
  put(10, tile("shallow", false)); // wet sand at the water's edge
  put(11, tile("tall_grass"));
  // Row 1: water, animated (4 frames); deep water blocks.
  put(16, tile("water", true, [16, 17, 18, 19], 250));
  put(17, tile("water_b", true));
  put(18, tile("water_c", true));
  put(19, tile("water_d", true));
  // Row 2: standing things that block.
  put(32, tile("tree_trunk_l", true));
  put(33, tile("tree_trunk_r", true));
  put(34, tile("pine_trunk_l", true));
  put(35, tile("pine_trunk_r", true));
  put(36, tile("palm_trunk", true));
  put(37, tile("rock", true));
  put(38, tile("bush", true));
  put(39, tile("fence", true));
  put(40, tile("cave_wall", true));
  put(41, tile("house_wall", true));
  put(42, tile("house_window", true));
  put(43, tile("sign", true));
  put(44, tile("stalagmite", true));
  put(45, tile("well", true));
  put(46, tile("crate", true));
  put(47, tile("cliff", true));
  // Row 3: crowns and roofs, drawn over players (layer `above`).
  put(48, tile("tree_crown_tl"));
  put(49, tile("tree_crown_tr"));
  put(50, tile("tree_crown_bl"));
  put(51, tile("tree_crown_br"));
  put(52, tile("pine_crown_tl"));
  put(53, tile("pine_crown_tr"));
  put(54, tile("pine_crown_bl"));
  put(55, tile("pine_crown_br"));
  put(56, tile("palm_crown"));
  put(57, tile("roof_l"));
  put(58, tile("roof_m"));
  put(59, tile("roof_r"));
  put(60, tile("roof_top"));
  // Row 4: passages (walkable; a portal object on them teleports).
  put(64, tile("door"));
  put(65, tile("cave_entrance"));
  put(66, tile("cave_exit"));
  put(67, tile("stairs"));
  put(68, tile("lava", true, [68, 69], 400));
  put(69, tile("lava_b", true));
  put(70, tile("torch", true, [70, 71], 200));
  put(71, tile("torch_b", true));
  // Row 4 (cont.): house furniture.
  put(72, tile("table", true));
  put(73, tile("bed", true));
  put(74, tile("shelf", true));
  put(75, tile("rug"));
  return list;
}

const BY_NAME = new Map(TILES.map((info, index) => [info.name, index]));

/** Index of a tile by name; throws on a name the catalogue lacks (a typo in a generator). */
export function tileIndex(name: string): number {
  const index = BY_NAME.get(name);
  if (index === undefined || name === "empty") throw new Error(`unknown tile "${name}"`);
  return index;
}

/** Whether a gid (index + 1, 0 = empty) names a placeable tile of the catalogue. */
export function isKnownGid(gid: number): boolean {
  const info = TILES[gid - 1];
  return gid === 0 || (info !== undefined && info.name !== "empty");
}

/**
 * The subset of Tiled's JSON map format (1.10) that Quest's map uses: what the generator
 * writes and what `parseMap` reads. Field names are Tiled's.
 */

export const TILED_VERSION = "1.10.2";
export const TILED_FORMAT_VERSION = "1.10";

/** Tile layers, bottom to top: terrain, things standing on it, crowns and roofs over players. */
export const TILE_LAYERS = ["ground", "objects", "above"] as const;
export type TileLayerName = (typeof TILE_LAYERS)[number];
/** Object layers: areas and points the game reads. */
export const OBJECT_LAYERS = ["zones", "checkpoints", "portals", "spawn", "signs", "mobs", "chests", "npcs"] as const;
export type ObjectLayerName = (typeof OBJECT_LAYERS)[number];

/** Gids above this carry Tiled's flip/rotation flags, which Quest's map never uses. */
export const MAX_PLAIN_GID = 0x1fffffff;

export interface TiledProperty {
  name: string;
  type: "string" | "int" | "bool";
  value: string | number | boolean;
}

export interface TiledObject {
  id: number;
  name: string;
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  rotation: number;
  visible: boolean;
  properties?: TiledProperty[];
}

export interface TiledTileLayer {
  id: number;
  name: string;
  type: "tilelayer";
  width: number;
  height: number;
  x: number;
  y: number;
  opacity: number;
  visible: boolean;
  data: number[];
}

export interface TiledObjectLayer {
  id: number;
  name: string;
  type: "objectgroup";
  draworder: "topdown";
  x: number;
  y: number;
  opacity: number;
  visible: boolean;
  objects: TiledObject[];
}

export interface TiledTileset {
  firstgid: number;
  name: string;
  image: string;
  imagewidth: number;
  imageheight: number;
  tilewidth: number;
  tileheight: number;
  tilecount: number;
  columns: number;
  margin: number;
  spacing: number;
  tiles: { id: number; animation: { tileid: number; duration: number }[] }[];
}

export interface TiledMap {
  type: "map";
  version: string;
  tiledversion: string;
  orientation: "orthogonal";
  renderorder: "right-down";
  width: number;
  height: number;
  tilewidth: number;
  tileheight: number;
  infinite: false;
  compressionlevel: number;
  nextlayerid: number;
  nextobjectid: number;
  layers: (TiledTileLayer | TiledObjectLayer)[];
  tilesets: TiledTileset[];
  properties?: TiledProperty[];
}

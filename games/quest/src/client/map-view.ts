/** The Tiled map as Phaser layers, the draw order of everything in the world, and the zoom rule. */
import type * as Phaser from "phaser";
import { KEYS, TILESET_NAME } from "./assets.js";
import { TILE_SIZE } from "../shared/tiles.js";

/** Draw order: ground and standing things, then players sorted by their feet, then crowns and roofs, then labels. */
export const DEPTH = {
  ground: 0,
  objects: 1,
  marker: 2,
  /** Players: this plus their y in px, so lower players overlap higher ones. */
  players: 10,
  above: 100_000,
  labels: 200_000,
  bubbles: 300_000,
} as const;

/**
 * Tiles that should fit on screen at least: BrowserQuest showed 30 × 14; a little less keeps
 * 16 px art big enough to read on a laptop. The zoom is the largest whole number that fits them.
 */
const MIN_VIEW_TILES_X = 20;
const MIN_VIEW_TILES_Y = 12;
const MAX_ZOOM = 6;

export function worldZoom(width: number, height: number): number {
  const fit = Math.min(width / (MIN_VIEW_TILES_X * TILE_SIZE), height / (MIN_VIEW_TILES_Y * TILE_SIZE));
  return Math.max(1, Math.min(MAX_ZOOM, Math.floor(fit)));
}

export interface MapLayers {
  tilemap: Phaser.Tilemaps.Tilemap;
  layers: Phaser.GameObjects.GameObject[];
}

export function createMapLayers(scene: Phaser.Scene): MapLayers {
  const tilemap = scene.make.tilemap({ key: KEYS.map });
  const tileset = tilemap.addTilesetImage(TILESET_NAME, KEYS.tiles);
  if (tileset === null) throw new Error(`the map has no tileset named "${TILESET_NAME}"`);
  const layers: Phaser.GameObjects.GameObject[] = [];
  for (const [name, depth] of [
    ["ground", DEPTH.ground],
    ["objects", DEPTH.objects],
    ["above", DEPTH.above],
  ] as const) {
    const layer = tilemap.createLayer(name, tileset, 0, 0);
    if (layer === null) throw new Error(`the map has no tile layer "${name}"`);
    layer.setDepth(depth);
    layers.push(layer);
  }
  return { tilemap, layers };
}

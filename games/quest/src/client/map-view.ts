/** The Tiled map as Phaser layers, the draw order of everything in the world, and the zoom rule. */
import * as Phaser from "phaser";
import { KEYS, TILESET_NAME } from "./assets.js";
import { TILE_SIZE, TILES } from "../shared/tiles.js";

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
  if (scene.game.renderer.type === Phaser.CANVAS) animateOnCanvas(scene, layers as Phaser.Tilemaps.TilemapLayer[]);
  return { tilemap, layers };
}

/**
 * Phaser's WebGL tilemap plays the map's Tiled animations itself; its Canvas renderer does
 * not. There, the animated tiles (found once) get the current frame's index whenever it changes.
 */
function animateOnCanvas(scene: Phaser.Scene, layers: Phaser.Tilemaps.TilemapLayer[]): void {
  const groups: { frames: readonly number[]; frameMs: number; tiles: Phaser.Tilemaps.Tile[]; shown: number }[] = [];
  const byGid = new Map<number, (typeof groups)[number]>();
  TILES.forEach((info, index) => {
    if (info.frames === undefined || info.frameMs === undefined) return;
    const group = { frames: info.frames, frameMs: info.frameMs, tiles: [], shown: 0 };
    groups.push(group);
    byGid.set(index + 1, group);
  });
  for (const layer of layers) {
    layer.forEachTile((tile) => {
      byGid.get(tile.index)?.tiles.push(tile);
    });
  }
  const update = (time: number) => {
    for (const group of groups) {
      const frame = Math.floor(time / group.frameMs) % group.frames.length;
      if (frame === group.shown) continue;
      group.shown = frame;
      for (const tile of group.tiles) tile.index = group.frames[frame] + 1;
    }
  };
  scene.events.on("update", update);
  scene.events.once("shutdown", () => scene.events.off("update", update));
}

/**
 * Generates Quest's world, `assets/map/world.json`: a Tiled map drawn by rules from one seed,
 * so it is reproducible (a test regenerates it and compares with the committed file) and still
 * opens in the Tiled editor. The overworld (176 × 128 tiles) holds a village around a plaza,
 * an oak forest and a pine wood, rocky foothills with a cave mouth, meadows with a river, and
 * a beach with a pier; below it, cut off by rock, lie the cave and the houses' rooms, reached
 * only through their doors.
 *
 * Run: `npm run gen:map -w @tickwire/quest`.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Rng } from "@tickwire/engine";
import type { ItemKind } from "../src/shared/items.js";
import { type PortalKind, parseMap } from "../src/shared/map.js";
import type { MobKind } from "../src/shared/mobs.js";
import type { NpcKind } from "../src/shared/npcs.js";
import {
  OBJECT_LAYERS,
  TILE_LAYERS,
  TILED_FORMAT_VERSION,
  TILED_VERSION,
  type TiledMap,
  type TiledObject,
  type TiledProperty,
} from "../src/shared/tiled.js";
import { TILE_SIZE, TILES, TILESET_COLUMNS, tileIndex, type Zone } from "../src/shared/tiles.js";

export const MAP_SEED = 13;
export const MAP_WIDTH = 176;
export const MAP_HEIGHT = 176;
/** Rows 0..OVERWORLD_HEIGHT-1 are the open world; below is solid rock with rooms cut in it. */
const OVERWORLD_HEIGHT = 128;
export const WORLD_JSON_PATH = fileURLToPath(new URL("../assets/map/world.json", import.meta.url));

type Layer = "ground" | "objects" | "above";
interface Rect {
  tx: number;
  ty: number;
  w: number;
  h: number;
}
interface Point {
  tx: number;
  ty: number;
}

/** Integer hash of a lattice point, for value noise that does not depend on call order. */
function hash2(x: number, y: number, salt: number): number {
  let h = (Math.imul(x, 374761393) + Math.imul(y, 668265263) + Math.imul(salt, 2246822519)) | 0;
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  h ^= h >>> 16;
  return (h >>> 0) / 0x100000000;
}

/** Smooth value noise in [0, 1): blobs about `scale` tiles across. */
function noise(x: number, y: number, scale: number, salt: number): number {
  const fx = x / scale;
  const fy = y / scale;
  const ix = Math.floor(fx);
  const iy = Math.floor(fy);
  const sx = (fx - ix) * (fx - ix) * (3 - 2 * (fx - ix));
  const sy = (fy - iy) * (fy - iy) * (3 - 2 * (fy - iy));
  const top = hash2(ix, iy, salt) * (1 - sx) + hash2(ix + 1, iy, salt) * sx;
  const bottom = hash2(ix, iy + 1, salt) * (1 - sx) + hash2(ix + 1, iy + 1, salt) * sx;
  return top * (1 - sy) + bottom * sy;
}

const gid = (name: string) => tileIndex(name) + 1;

/** The map being drawn: three tile layers and a mask of cells decoration must leave alone. */
class Canvas {
  readonly layers: Record<Layer, Uint16Array>;
  readonly reserved: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    const size = width * height;
    this.layers = { ground: new Uint16Array(size), objects: new Uint16Array(size), above: new Uint16Array(size) };
    this.reserved = new Uint8Array(size);
  }

  inside(x: number, y: number): boolean {
    return x >= 0 && y >= 0 && x < this.width && y < this.height;
  }

  set(layer: Layer, x: number, y: number, name: string | null): void {
    if (!this.inside(x, y)) return;
    this.layers[layer][y * this.width + x] = name === null ? 0 : gid(name);
  }

  get(layer: Layer, x: number, y: number): string | null {
    if (!this.inside(x, y)) return null;
    const value = this.layers[layer][y * this.width + x];
    return value === 0 ? null : TILES[value - 1].name;
  }

  fill(layer: Layer, rect: Rect, name: string | null): void {
    for (let y = rect.ty; y < rect.ty + rect.h; y++) for (let x = rect.tx; x < rect.tx + rect.w; x++) this.set(layer, x, y, name);
  }

  blocked(x: number, y: number): boolean {
    if (!this.inside(x, y)) return true;
    const i = y * this.width + x;
    for (const layer of TILE_LAYERS) {
      const value = this.layers[layer][i];
      if (value !== 0 && TILES[value - 1].collides) return true;
    }
    return false;
  }

  isReserved(x: number, y: number): boolean {
    return !this.inside(x, y) || this.reserved[y * this.width + x] === 1;
  }

  reserve(rect: Rect, margin = 0): void {
    for (let y = rect.ty - margin; y < rect.ty + rect.h + margin; y++)
      for (let x = rect.tx - margin; x < rect.tx + rect.w + margin; x++) if (this.inside(x, y)) this.reserved[y * this.width + x] = 1;
  }

  /** Whether every cell of the rect is free for decoration: inside, unreserved, nothing standing. */
  free(rect: Rect): boolean {
    for (let y = rect.ty; y < rect.ty + rect.h; y++)
      for (let x = rect.tx; x < rect.tx + rect.w; x++) {
        if (this.isReserved(x, y) || this.get("objects", x, y) !== null || this.get("above", x, y) !== null) return false;
        if (this.blocked(x, y)) return false;
      }
    return true;
  }
}

interface ZoneDef {
  name: string;
  kind: Zone;
  rect: Rect;
}
interface PortalDef {
  name: string;
  kind: PortalKind;
  from: Point;
  to: Point;
}

/** Everything the object layers will hold. */
interface Placed {
  zones: ZoneDef[];
  checkpoints: { name: string; at: Point }[];
  portals: PortalDef[];
  spawn: Point;
  signs: { at: Point; text: string }[];
  mobAreas: { name: string; kind: MobKind; count: number; rect: Rect }[];
  chests: { name: string; at: Point; items: ItemKind[]; area?: string }[];
  npcs: { name: string; kind: NpcKind; at: Point }[];
}

// The overworld's zones, a partition of rows 0..127.
const OAKWOOD: Rect = { tx: 0, ty: 0, w: 80, h: 45 };
const PINEWOOD: Rect = { tx: 80, ty: 0, w: 56, h: 45 };
const FOOTHILLS: Rect = { tx: 136, ty: 0, w: 40, h: 45 };
const WEST_MEADOWS: Rect = { tx: 0, ty: 45, w: 55, h: 83 };
const VILLAGE: Rect = { tx: 55, ty: 45, w: 60, h: 56 };
const SOUTH_FIELDS: Rect = { tx: 55, ty: 101, w: 60, h: 27 };
const BEACH: Rect = { tx: 115, ty: 45, w: 61, h: 83 };
const CAVE: Rect = { tx: 0, ty: 128, w: 100, h: 48 };

const PLAZA: Rect = { tx: 78, ty: 66, w: 16, h: 13 };
const SPAWN: Point = { tx: 84, ty: 75 };
const CAVE_MOUTH: Point = { tx: 155, ty: 11 };
const PIER_ROW = 84;

/** Horizontal then vertical runs of `width` path tiles through the waypoints. */
function drawPath(canvas: Canvas, points: Point[], width: number, tile = "path"): void {
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    const rect: Rect = {
      tx: Math.min(a.tx, b.tx),
      ty: Math.min(a.ty, b.ty),
      w: Math.abs(a.tx - b.tx) + width,
      h: Math.abs(a.ty - b.ty) + width,
    };
    for (let y = rect.ty; y < rect.ty + rect.h; y++)
      for (let x = rect.tx; x < rect.tx + rect.w; x++) {
        const ground = canvas.get("ground", x, y);
        canvas.set("ground", x, y, ground === "water" ? "bridge" : tile);
        canvas.set("objects", x, y, null);
        canvas.set("above", x, y, null);
      }
    canvas.reserve(rect, 1);
  }
}

/** A 2-wide tree: a crown of 2 × 2 on `above` over the trunk row and the row behind it. */
function plantTree(canvas: Canvas, x: number, y: number, kind: "tree" | "pine"): boolean {
  if (!canvas.free({ tx: x, ty: y - 1, w: 2, h: 2 })) return false;
  canvas.set("objects", x, y, `${kind}_trunk_l`);
  canvas.set("objects", x + 1, y, `${kind}_trunk_r`);
  canvas.set("above", x, y - 1, `${kind}_crown_tl`);
  canvas.set("above", x + 1, y - 1, `${kind}_crown_tr`);
  canvas.set("above", x, y, `${kind}_crown_bl`);
  canvas.set("above", x + 1, y, `${kind}_crown_br`);
  return true;
}

function placeOne(canvas: Canvas, x: number, y: number, name: string): boolean {
  if (!canvas.free({ tx: x, ty: y, w: 1, h: 1 })) return false;
  canvas.set("objects", x, y, name);
  return true;
}

function forEachCell(rect: Rect, visit: (x: number, y: number) => void): void {
  for (let y = rect.ty; y < rect.ty + rect.h; y++) for (let x = rect.tx; x < rect.tx + rect.w; x++) visit(x, y);
}

/** Cells of the rect in a seeded random order, so decoration is not biased to one corner. */
function shuffledCells(rect: Rect, rng: Rng): Point[] {
  const cells: Point[] = [];
  forEachCell(rect, (tx, ty) => cells.push({ tx, ty }));
  for (let i = cells.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [cells[i], cells[j]] = [cells[j], cells[i]];
  }
  return cells;
}

function distance(a: Point, b: Point): number {
  return Math.hypot(a.tx - b.tx, a.ty - b.ty);
}

// ---------------------------------------------------------------------------------------
// Terrain

function paintTerrain(canvas: Canvas): void {
  canvas.fill("ground", { tx: 0, ty: 0, w: MAP_WIDTH, h: OVERWORLD_HEIGHT }, "grass");
  // Below the overworld: rock everywhere until rooms are cut out.
  const underground: Rect = { tx: 0, ty: OVERWORLD_HEIGHT, w: MAP_WIDTH, h: MAP_HEIGHT - OVERWORLD_HEIGHT };
  canvas.fill("ground", underground, "cave_floor");
  canvas.fill("objects", underground, "cave_wall");

  // Forest floor under the oak wood, its southern edge frayed into the meadow.
  forEachCell({ tx: 0, ty: 0, w: PINEWOOD.tx + PINEWOOD.w, h: 50 }, (x, y) => {
    const edge = 41 + Math.round(noise(x, 0, 6, 1) * 6);
    const inPines = x >= PINEWOOD.tx;
    if (y < edge && (!inPines || noise(x, y, 5, 2) > 0.55)) canvas.set("ground", x, y, "forest_floor");
  });

  paintSea(canvas);
  paintRiver(canvas);
  paintMountain(canvas);

  // The overworld's southern rim: a cliff wherever land meets the rock below.
  for (let x = 0; x < MAP_WIDTH; x++) {
    const y = OVERWORLD_HEIGHT - 1;
    if (canvas.get("ground", x, y) !== "water") canvas.set("objects", x, y, "cliff");
  }
}

function shoreX(y: number): number {
  const bay = y > 112 ? (y - 112) * 2 : 0;
  return 147 + Math.round(3 * Math.sin(y / 9) + 3 * noise(0, y, 7, 3)) - bay;
}

function seaTop(x: number): number {
  return 50 + Math.round(2 * Math.sin(x / 5) + 2 * noise(x, 0, 6, 4));
}

function paintSea(canvas: Canvas): void {
  forEachCell(BEACH, (x, y) => {
    const sandFrom = 120 + Math.round(2 * Math.sin(y / 7) + 2 * noise(0, y, 5, 5));
    const top = seaTop(x);
    if (x >= shoreX(y) && y >= top) canvas.set("ground", x, y, "water");
    else if (x >= sandFrom && y >= top - 4) canvas.set("ground", x, y, "sand");
  });
  // The south bay reaches into the fields' corner.
  forEachCell({ tx: 100, ty: 112, w: 15, h: 16 }, (x, y) => {
    if (x >= shoreX(y)) canvas.set("ground", x, y, "water");
    else if (x >= shoreX(y) - 3) canvas.set("ground", x, y, "sand");
  });
  // Wet sand where the sea laps the beach.
  forEachCell(BEACH, (x, y) => {
    if (canvas.get("ground", x, y) !== "sand") return;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++)
        if (canvas.get("ground", x + dx, y + dy) === "water") {
          canvas.set("ground", x, y, "shallow");
          return;
        }
  });
}

/** A river from a forest pond down through the west meadows to the southern rim. */
function paintRiver(canvas: Canvas): void {
  const pond = { tx: 24, ty: 35 };
  forEachCell({ tx: pond.tx - 6, ty: pond.ty - 5, w: 13, h: 11 }, (x, y) => {
    const r = 4.2 + noise(x, y, 3, 6) * 1.5;
    if (Math.hypot((x - pond.tx) * 0.9, y - pond.ty) < r) canvas.set("ground", x, y, "water");
  });
  for (let y = pond.ty; y < OVERWORLD_HEIGHT; y++) {
    const centre = riverX(y);
    for (let x = centre - 1; x <= centre + 1; x++) canvas.set("ground", x, y, "water");
  }
}

function riverX(y: number): number {
  return 24 + Math.round(5 * Math.sin(y / 11) + 3 * (noise(0, y, 9, 7) - 0.5));
}

/** The foothills' rock face, with the cave mouth in it flanked by torches. */
function paintMountain(canvas: Canvas): void {
  forEachCell({ tx: FOOTHILLS.tx - 6, ty: 0, w: FOOTHILLS.w + 6, h: 14 }, (x, y) => {
    const slope = x < FOOTHILLS.tx ? (FOOTHILLS.tx - x) * 2 : 0;
    const foot = (Math.abs(x - CAVE_MOUTH.tx) <= 3 ? CAVE_MOUTH.ty : 9 + Math.round(3 * noise(x, 0, 4, 8))) - slope;
    if (y <= foot) {
      canvas.set("objects", x, y, "cliff");
      canvas.set("ground", x, y, "grass");
    }
  });
  canvas.set("objects", CAVE_MOUTH.tx, CAVE_MOUTH.ty, "cave_entrance");
  canvas.set("objects", CAVE_MOUTH.tx - 1, CAVE_MOUTH.ty + 1, "torch");
  canvas.set("objects", CAVE_MOUTH.tx + 2, CAVE_MOUTH.ty + 1, "torch");
  canvas.reserve({ tx: CAVE_MOUTH.tx - 2, ty: CAVE_MOUTH.ty, w: 6, h: 4 });
}

// ---------------------------------------------------------------------------------------
// Roads and the village

function paintRoads(canvas: Canvas): void {
  // North from the plaza into the woods, then the forest road west to a clearing and east
  // through the pines to the foothills and up to the cave.
  drawPath(canvas, [{ tx: 85, ty: PLAZA.ty }, { tx: 85, ty: 50 }, { tx: 82, ty: 50 }, { tx: 82, ty: 27 }], 2);
  drawPath(canvas, [{ tx: 30, ty: 26 }, { tx: 60, ty: 26 }, { tx: 60, ty: 27 }, { tx: 82, ty: 27 }], 2);
  drawPath(
    canvas,
    [{ tx: 82, ty: 27 }, { tx: 118, ty: 27 }, { tx: 118, ty: 24 }, { tx: 155, ty: 24 }, { tx: 155, ty: CAVE_MOUTH.ty + 1 }],
    2,
  );
  // West across the river (a bridge) to the meadows' far side.
  drawPath(canvas, [{ tx: PLAZA.tx, ty: 72 }, { tx: 40, ty: 72 }, { tx: 40, ty: 70 }, { tx: 6, ty: 70 }], 2);
  // East to the beach.
  drawPath(canvas, [{ tx: PLAZA.tx + PLAZA.w, ty: 72 }, { tx: 122, ty: 72 }], 2);
  // South into the fields.
  drawPath(canvas, [{ tx: 85, ty: PLAZA.ty + PLAZA.h }, { tx: 85, ty: 108 }, { tx: 90, ty: 108 }, { tx: 90, ty: 116 }], 2);

  // The plaza itself, with a well, flower beds at its corners and benches of bushes.
  canvas.fill("ground", PLAZA, "plaza");
  canvas.reserve(PLAZA, 1);
  canvas.set("objects", 86, 71, "well");
  for (const [x, y] of [
    [PLAZA.tx, PLAZA.ty],
    [PLAZA.tx + PLAZA.w - 2, PLAZA.ty],
    [PLAZA.tx, PLAZA.ty + PLAZA.h - 2],
    [PLAZA.tx + PLAZA.w - 2, PLAZA.ty + PLAZA.h - 2],
  ]) {
    canvas.fill("ground", { tx: x, ty: y, w: 2, h: 2 }, "grass_flowers");
    canvas.set("objects", x + (x === PLAZA.tx ? 0 : 1), y + (y === PLAZA.ty ? 0 : 1), "bush");
  }
}

interface House {
  name: string;
  rect: Rect;
  door: Point;
}

/** Houses around the plaza: 2 rows of roof over 2 rows of wall, a door in the bottom row. */
const HOUSES: House[] = [
  { name: "Miller's house", rect: { tx: 60, ty: 52, w: 7, h: 4 }, door: { tx: 63, ty: 55 } },
  { name: "Weaver's house", rect: { tx: 71, ty: 52, w: 5, h: 4 }, door: { tx: 73, ty: 55 } },
  { name: "The inn", rect: { tx: 95, ty: 51, w: 9, h: 5 }, door: { tx: 99, ty: 55 } },
  { name: "Smithy", rect: { tx: 105, ty: 62, w: 6, h: 4 }, door: { tx: 107, ty: 65 } },
  { name: "Elder's house", rect: { tx: 59, ty: 84, w: 7, h: 4 }, door: { tx: 62, ty: 87 } },
  { name: "Fisher's house", rect: { tx: 97, ty: 84, w: 7, h: 4 }, door: { tx: 100, ty: 87 } },
];

/** Lanes from each door to the nearest road, as waypoints starting below the door. */
const LANES: Point[][] = [
  [{ tx: 63, ty: 56 }, { tx: 63, ty: 72 }],
  [{ tx: 73, ty: 56 }, { tx: 73, ty: 62 }, { tx: 78, ty: 62 }, { tx: 78, ty: 66 }],
  [{ tx: 99, ty: 56 }, { tx: 99, ty: 72 }],
  [{ tx: 107, ty: 66 }, { tx: 107, ty: 72 }],
  [{ tx: 62, ty: 88 }, { tx: 62, ty: 91 }, { tx: 85, ty: 91 }],
  [{ tx: 100, ty: 88 }, { tx: 100, ty: 91 }, { tx: 86, ty: 91 }],
];

function paintHouse(canvas: Canvas, house: House, rng: Rng): void {
  const { tx, ty, w, h } = house.rect;
  const wallTop = ty + h - 2;
  forEachCell(house.rect, (x, y) => {
    canvas.set("ground", x, y, "grass");
    // Walls stand under the whole footprint: the roof hides the upper ones.
    canvas.set("objects", x, y, "house_wall");
    if (y < wallTop) {
      const edge = x === tx ? "roof_l" : x === tx + w - 1 ? "roof_r" : "roof_m";
      canvas.set("above", x, y, y === ty ? "roof_top" : edge);
    }
  });
  for (let x = tx + 1; x < tx + w - 1; x++) {
    if (x !== house.door.tx && Math.abs(x - house.door.tx) % 2 === 0) canvas.set("objects", x, wallTop, "house_window");
    if (x !== house.door.tx && rng.next() < 0.4) canvas.set("objects", x, wallTop + 1, "house_window");
  }
  canvas.set("objects", house.door.tx, house.door.ty, "door");
  canvas.reserve(house.rect, 1);
}

function paintVillage(canvas: Canvas, rng: Rng, placed: Placed): void {
  for (const house of HOUSES) paintHouse(canvas, house, rng);
  for (const lane of LANES) drawPath(canvas, lane, 1);

  // A fenced vegetable garden by the elder's house: rows of crops, a gate at the top.
  const garden: Rect = { tx: 67, ty: 93, w: 12, h: 7 };
  forEachCell(garden, (x, y) => {
    const border = x === garden.tx || y === garden.ty || x === garden.tx + garden.w - 1 || y === garden.ty + garden.h - 1;
    if (border) {
      if (!(y === garden.ty && (x === garden.tx + 5 || x === garden.tx + 6))) canvas.set("objects", x, y, "fence");
    } else canvas.set("ground", x, y, (y - garden.ty) % 2 === 1 ? "tall_grass" : "forest_floor");
  });
  drawPath(canvas, [{ tx: 72, ty: 91 }, { tx: 72, ty: 93 }], 2);
  canvas.reserve(garden, 1);

  // A paddock north-east of the plaza, fenced, with its gate on the lane.
  const paddock: Rect = { tx: 88, ty: 56, w: 6, h: 7 };
  forEachCell(paddock, (x, y) => {
    const border = x === paddock.tx || y === paddock.ty || x === paddock.tx + paddock.w - 1 || y === paddock.ty + paddock.h - 1;
    if (border && !(x === paddock.tx + 2 && y === paddock.ty + paddock.h - 1)) canvas.set("objects", x, y, "fence");
    else if (!border) canvas.set("ground", x, y, "tall_grass");
  });
  canvas.reserve(paddock, 1);

  // Crates stacked by the inn and the fisher's house; oaks shading the village edges.
  for (const [x, y] of [
    [104, 55],
    [104, 54],
    [96, 88],
    [104, 87],
  ])
    canvas.set("objects", x, y, "crate");
  for (const [x, y] of [
    [57, 60],
    [57, 78],
    [68, 64],
    [110, 78],
    [103, 96],
    [58, 96],
    [76, 84],
  ])
    plantTree(canvas, x, y, "tree");

  const signs: [number, number, string][] = [
    [84, 65, "North: the Oakwood, the Pinewood, and the old cave in the foothills."],
    [94, 74, "East: the beach and the pier."],
    [77, 70, "West: the meadows and the river bridge."],
    [87, 79, "South: the fields."],
    [64, 57, "The miller's house."],
    [102, 57, "The Rusty Anchor inn. Rooms, stew, stories."],
  ];
  for (const [x, y, text] of signs) {
    canvas.set("objects", x, y, "sign");
    placed.signs.push({ at: { tx: x, ty: y }, text });
  }
}

// ---------------------------------------------------------------------------------------
// Nature

function paintForests(canvas: Canvas, rng: Rng): void {
  // Clearings: where the forest road ends, and a glade of flowers.
  const clearings = [
    { at: { tx: 31, ty: 25 }, r: 6 },
    { at: { tx: 58, ty: 11 }, r: 5 },
    { at: { tx: 110, ty: 12 }, r: 4 },
  ];
  for (const { at, r } of clearings) {
    forEachCell({ tx: at.tx - r, ty: at.ty - r, w: 2 * r + 1, h: 2 * r + 1 }, (x, y) => {
      if (distance(at, { tx: x, ty: y }) > r) return;
      if (canvas.get("ground", x, y) === "water") return;
      canvas.set("ground", x, y, noise(x, y, 2, 9) > 0.6 ? "grass_flowers" : "grass");
      canvas.reserve({ tx: x, ty: y, w: 1, h: 1 });
    });
  }
  // The pond's bank stays open so the water can be seen.
  canvas.reserve({ tx: 17, ty: 29, w: 15, h: 13 });

  for (const cell of shuffledCells({ tx: 0, ty: 1, w: PINEWOOD.tx + PINEWOOD.w, h: 46 }, rng)) {
    const { tx: x, ty: y } = cell;
    const ground = canvas.get("ground", x, y);
    const pine = x >= PINEWOOD.tx + Math.round(noise(0, y, 5, 10) * 6 - 3);
    const density = pine ? 0.5 : 0.75;
    // Woods thin out towards the meadow.
    const fade = y > 38 ? (y - 38) / 8 : 0;
    if (ground === "water" || rng.next() > density - fade) continue;
    if (noise(x, y, 7, 11) < 0.22) continue; // natural gaps
    plantTree(canvas, x, y, pine ? "pine" : "tree");
  }
  for (const { tx: x, ty: y } of shuffledCells({ tx: 0, ty: 0, w: PINEWOOD.tx + PINEWOOD.w, h: 45 }, rng)) {
    const roll = rng.next();
    if (roll < 0.01) placeOne(canvas, x, y, "rock");
    else if (roll < 0.03) placeOne(canvas, x, y, "bush");
  }
}

function paintFoothills(canvas: Canvas, rng: Rng): void {
  forEachCell(FOOTHILLS, (x, y) => {
    if (canvas.isReserved(x, y) || canvas.get("objects", x, y) !== null) return;
    if (noise(x, y, 4, 12) > 0.62) canvas.set("ground", x, y, "tall_grass");
  });
  for (const { tx: x, ty: y } of shuffledCells(FOOTHILLS, rng)) {
    const roll = rng.next();
    if (roll < 0.04) placeOne(canvas, x, y, "rock");
    else if (roll < 0.055) placeOne(canvas, x, y, "bush");
    else if (roll < 0.065) plantTree(canvas, x, y, "pine");
  }
}

function paintMeadow(canvas: Canvas, rng: Rng, rect: Rect, salt: number): void {
  forEachCell(rect, (x, y) => {
    if (canvas.isReserved(x, y) || canvas.get("ground", x, y) !== "grass") return;
    const flowers = noise(x, y, 6, salt);
    const tall = noise(x, y, 5, salt + 1);
    if (flowers > 0.74) canvas.set("ground", x, y, hash2(x, y, salt) < 0.5 ? "grass_flowers" : "grass_flowers_b");
    else if (tall > 0.66) canvas.set("ground", x, y, "tall_grass");
  });
  for (const { tx: x, ty: y } of shuffledCells(rect, rng)) {
    const roll = rng.next();
    if (roll < 0.006) plantTree(canvas, x, y, "tree");
    else if (roll < 0.012) placeOne(canvas, x, y, "bush");
    else if (roll < 0.016) placeOne(canvas, x, y, "rock");
  }
}

function paintBeach(canvas: Canvas, rng: Rng): void {
  // The pier: two planks wide out over the water, a landing at its end.
  const start = shoreX(PIER_ROW) - 4;
  const end = shoreX(PIER_ROW) + 12;
  const pier: Rect = { tx: start, ty: PIER_ROW, w: end - start, h: 2 };
  const landing: Rect = { tx: end - 1, ty: PIER_ROW - 2, w: 5, h: 6 };
  for (const rect of [pier, landing]) {
    forEachCell(rect, (x, y) => canvas.set("ground", x, y, "bridge"));
    canvas.reserve(rect, 1);
  }
  canvas.set("objects", landing.tx + landing.w - 1, landing.ty, "crate");
  canvas.set("objects", landing.tx + landing.w - 1, landing.ty + landing.h - 1, "crate");
  canvas.set("objects", start, PIER_ROW - 1, "sign");

  for (const { tx: x, ty: y } of shuffledCells(BEACH, rng)) {
    if (canvas.get("ground", x, y) !== "sand" || canvas.get("ground", x, y - 1) !== "sand") continue;
    const roll = rng.next();
    // Palms in groves, rocks here and there.
    const grove = noise(x, y, 6, 50);
    if (roll < 0.09 * grove * grove) {
      if (canvas.free({ tx: x, ty: y - 1, w: 1, h: 2 })) {
        canvas.set("objects", x, y, "palm_trunk");
        canvas.set("above", x, y - 1, "palm_crown");
      }
    } else if (roll > 0.994) placeOne(canvas, x, y, "rock");
  }
}

/** The south fields: a fenced crop field, and a ring of standing stones where the road ends. */
function paintFarm(canvas: Canvas): void {
  const field: Rect = { tx: 60, ty: 105, w: 14, h: 9 };
  forEachCell(field, (x, y) => {
    const border = x === field.tx || y === field.ty || x === field.tx + field.w - 1 || y === field.ty + field.h - 1;
    const gate = x === field.tx + field.w - 1 && (y === field.ty + 4 || y === field.ty + 5);
    if (border) {
      if (!gate) canvas.set("objects", x, y, "fence");
    } else canvas.set("ground", x, y, (x - field.tx) % 3 === 0 ? "forest_floor" : "tall_grass");
  });
  canvas.reserve(field, 1);
  drawPath(canvas, [{ tx: field.tx + field.w, ty: field.ty + 4 }, { tx: 84, ty: field.ty + 4 }], 2);

  const ring = { tx: 90, ty: 121 };
  const radius = 4;
  forEachCell({ tx: ring.tx - radius, ty: ring.ty - radius, w: 2 * radius + 2, h: 2 * radius + 1 }, (x, y) => {
    const d = distance({ tx: x - 0.5, ty: y }, ring);
    if (d < radius - 0.5) canvas.set("ground", x, y, hash2(x, y, 52) < 0.5 ? "grass_flowers" : "grass_flowers_b");
  });
  for (let k = 0; k < 12; k++) {
    const angle = (k / 12) * 2 * Math.PI;
    // The top of the ring stays open where the road comes in.
    if (Math.abs(angle - 1.5 * Math.PI) < 0.6) continue;
    canvas.set("objects", Math.round(ring.tx + 0.5 + radius * Math.cos(angle)), Math.round(ring.ty + radius * Math.sin(angle)), "rock");
  }
  canvas.reserve({ tx: ring.tx - radius - 1, ty: ring.ty - radius - 1, w: 2 * radius + 4, h: 2 * radius + 3 });
}

// ---------------------------------------------------------------------------------------
// Underground: the cave and the houses' rooms

/** Carves the cave with a cellular automaton; returns the exit (a cell with rock above it). */
function carveCave(canvas: Canvas, rng: Rng): Point {
  const area: Rect = { tx: CAVE.tx + 2, ty: CAVE.ty + 2, w: CAVE.w - 4, h: CAVE.h - 4 };
  let wall = new Uint8Array(area.w * area.h);
  const at = (grid: Uint8Array, x: number, y: number) =>
    x < 0 || y < 0 || x >= area.w || y >= area.h ? 1 : grid[y * area.w + x];
  for (let i = 0; i < wall.length; i++) wall[i] = rng.next() < 0.45 ? 1 : 0;
  for (let round = 0; round < 5; round++) {
    const next = new Uint8Array(wall.length);
    for (let y = 0; y < area.h; y++)
      for (let x = 0; x < area.w; x++) {
        let walls = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) walls += at(wall, x + dx, y + dy);
        next[y * area.w + x] = walls >= 5 ? 1 : 0;
      }
    wall = next;
  }
  // Keep only the largest hall system: smaller pockets would be out of reach.
  const component = new Int32Array(wall.length).fill(-1);
  const sizes: number[] = [];
  for (let start = 0; start < wall.length; start++) {
    if (wall[start] || component[start] !== -1) continue;
    const id = sizes.length;
    let size = 0;
    const stack = [start];
    component[start] = id;
    while (stack.length > 0) {
      const cell = stack.pop()!;
      size++;
      const x = cell % area.w;
      const y = (cell - x) / area.w;
      for (const [nx, ny] of [
        [x, y - 1],
        [x, y + 1],
        [x - 1, y],
        [x + 1, y],
      ]) {
        if (at(wall, nx, ny) || component[ny * area.w + nx] !== -1) continue;
        component[ny * area.w + nx] = id;
        stack.push(ny * area.w + nx);
      }
    }
    sizes.push(size);
  }
  const largest = sizes.indexOf(Math.max(...sizes));
  for (let i = 0; i < wall.length; i++)
    if (component[i] === largest) canvas.set("objects", area.tx + (i % area.w), area.ty + Math.floor(i / area.w), null);

  // The exit: the open cell nearest the cave's north-west with rock above and room below.
  let exit: Point | null = null;
  forEachCell(area, (x, y) => {
    if (exit) return;
    if (canvas.blocked(x, y - 1) && !canvas.blocked(x, y) && !canvas.blocked(x, y + 1) && !canvas.blocked(x, y + 2)) exit = { tx: x, ty: y };
  });
  if (!exit) throw new Error("the cave has no place for an exit");
  return exit;
}

function decorateCave(canvas: Canvas, rng: Rng, exit: Point): void {
  canvas.reserve({ tx: exit.tx - 2, ty: exit.ty, w: 5, h: 4 });
  // A lava pool in the deepest open hall, far from the exit.
  let best: Point | null = null;
  forEachCell(CAVE, (x, y) => {
    if (distance({ tx: x, ty: y }, exit) < 50) return;
    let open = true;
    for (let dy = -1; dy <= 5 && open; dy++) for (let dx = -1; dx <= 6 && open; dx++) if (canvas.blocked(x + dx, y + dy)) open = false;
    if (open && (!best || distance({ tx: x, ty: y }, exit) > distance(best, exit))) best = { tx: x, ty: y };
  });
  if (best) {
    const pool = best as Point;
    forEachCell({ tx: pool.tx, ty: pool.ty, w: 6, h: 5 }, (x, y) => {
      const corner = (x === pool.tx || x === pool.tx + 5) && (y === pool.ty || y === pool.ty + 4);
      if (!corner) canvas.set("objects", x, y, "lava");
    });
  }
  for (const { tx: x, ty: y } of shuffledCells(CAVE, rng)) {
    if (canvas.isReserved(x, y) || canvas.blocked(x, y)) continue;
    let openAround = true;
    for (let dy = -1; dy <= 1 && openAround; dy++) for (let dx = -1; dx <= 1 && openAround; dx++) if (canvas.blocked(x + dx, y + dy)) openAround = false;
    const roll = rng.next();
    // A torch against the rock to its north; its sides and the row below stay open.
    const againstWall =
      canvas.get("objects", x, y - 1) === "cave_wall" &&
      [-1, 1].every((dx) => !canvas.blocked(x + dx, y) && !canvas.blocked(x + dx, y + 1)) &&
      !canvas.blocked(x, y + 1);
    if (againstWall && roll < 0.06) canvas.set("objects", x, y, "torch");
    else if (openAround && roll < 0.05) canvas.set("objects", x, y, "stalagmite");
    else if (openAround && roll < 0.06) canvas.set("objects", x, y, "rock");
  }
}

/**
 * Rooms behind the doors: wooden floors in the rock, 3 × 2 of them east of the cave, far
 * enough apart that a room's screen shows no other room.
 */
function carveRooms(canvas: Canvas, rng: Rng, placed: Placed): void {
  HOUSES.forEach((house, i) => {
    const x0 = 108 + (i % 3) * 24;
    const y0 = 132 + Math.floor(i / 3) * 22;
    const room: Rect = { tx: x0, ty: y0, w: 12, h: 10 };
    const inner: Rect = { tx: x0 + 1, ty: y0 + 1, w: 10, h: 8 };
    canvas.fill("ground", room, "wood_floor");
    canvas.fill("objects", room, "house_wall");
    canvas.fill("objects", inner, null);
    for (let x = x0 + 2; x < x0 + 11; x += 3) canvas.set("objects", x, y0, "house_window");
    const exit: Point = { tx: x0 + 5, ty: y0 + 9 };
    canvas.set("objects", exit.tx, exit.ty, "door");
    // Furniture along the back wall and in a far corner, mirrored at random; the way in stays open.
    const flip = rng.next() < 0.5;
    const put = (dx: number, dy: number, name: string) => canvas.set("objects", flip ? x0 + 11 - dx : x0 + dx, y0 + dy, name);
    const rugWidth = rng.int(3, 5);
    canvas.fill("ground", { tx: x0 + 6 - Math.floor(rugWidth / 2), ty: y0 + 4, w: rugWidth, h: 3 }, "rug");
    const beds = house.name === "The inn" ? 4 : rng.int(1, 2);
    for (let b = 0; b < beds; b++) put(1 + 2 * b, 1, "bed");
    const shelves = rng.int(1, 3);
    for (let k = 0; k < shelves; k++) put(2 * beds + 1 + k, 1, "shelf");
    put(rng.int(8, 9), rng.int(3, 4), "table");
    const crates = house.name === "Smithy" ? 5 : rng.int(1, 2);
    for (let c = 0; c < crates; c++) put(10, 8 - c, "crate");
    canvas.reserve(room);

    const inside: Point = { tx: exit.tx, ty: exit.ty - 1 };
    const outside: Point = { tx: house.door.tx, ty: house.door.ty + 1 };
    placed.portals.push({ name: `door of ${house.name}`, kind: "door", from: house.door, to: inside });
    placed.portals.push({ name: `out of ${house.name}`, kind: "door", from: exit, to: outside });
    placed.zones.push({ name: house.name, kind: "village", rect: room });
    placed.checkpoints.push({ name: house.name, at: { tx: exit.tx, ty: exit.ty - 2 } });
  });
}

/** Open cells nothing can reach (boxed in by trunks or rock) are filled, so every open cell is a place to go. */
function fillUnreachable(canvas: Canvas, placed: Placed): void {
  const reached = new Uint8Array(canvas.width * canvas.height);
  const portals = new Map(placed.portals.map((p) => [p.from.ty * canvas.width + p.from.tx, p.to]));
  const queue: number[] = [placed.spawn.ty * canvas.width + placed.spawn.tx];
  reached[queue[0]] = 1;
  while (queue.length > 0) {
    const cell = queue.pop()!;
    const x = cell % canvas.width;
    const y = (cell - x) / canvas.width;
    // A portal's cell leads only where it teleports to.
    const through = portals.get(cell);
    const next: Point[] = through
      ? [through]
      : [
          { tx: x, ty: y - 1 },
          { tx: x, ty: y + 1 },
          { tx: x - 1, ty: y },
          { tx: x + 1, ty: y },
        ];
    for (const n of next) {
      if (canvas.blocked(n.tx, n.ty)) continue;
      const i = n.ty * canvas.width + n.tx;
      if (reached[i]) continue;
      reached[i] = 1;
      queue.push(i);
    }
  }
  forEachCell({ tx: 0, ty: 0, w: canvas.width, h: canvas.height }, (x, y) => {
    if (canvas.blocked(x, y) || reached[y * canvas.width + x]) return;
    const underground = y >= OVERWORLD_HEIGHT;
    canvas.set("objects", x, y, underground ? (canvas.get("ground", x, y) === "wood_floor" ? "crate" : "cave_wall") : "bush");
  });
}

// ---------------------------------------------------------------------------------------

export function generateWorld(seed = MAP_SEED): TiledMap {
  const rng = new Rng(seed);
  const canvas = new Canvas(MAP_WIDTH, MAP_HEIGHT);
  const placed: Placed = { zones: [], checkpoints: [], portals: [], spawn: SPAWN, signs: [], mobAreas: [], chests: [], npcs: [] };

  paintTerrain(canvas);
  paintRoads(canvas);
  paintVillage(canvas, rng, placed);

  const checkpoints: { name: string; at: Point }[] = [
    { name: "Oakwood clearing", at: { tx: 31, ty: 27 } },
    { name: "Pinewood road", at: { tx: 110, ty: 28 } },
    { name: "Cave mouth", at: { tx: 155, ty: 16 } },
    { name: "West meadows", at: { tx: 7, ty: 71 } },
    { name: "Village plaza", at: { tx: 82, ty: 75 } },
    { name: "South fields", at: { tx: 90, ty: 116 } },
    { name: "Beach", at: { tx: shoreX(PIER_ROW) - 6, ty: PIER_ROW } },
  ];
  for (const { at } of checkpoints) canvas.reserve({ tx: at.tx, ty: at.ty, w: 1, h: 1 }, 1);
  canvas.reserve({ tx: SPAWN.tx, ty: SPAWN.ty, w: 1, h: 1 }, 1);

  paintForests(canvas, rng);
  paintFoothills(canvas, rng);
  paintMeadow(canvas, rng, WEST_MEADOWS, 20);
  paintMeadow(canvas, rng, VILLAGE, 30);
  paintFarm(canvas);
  paintMeadow(canvas, rng, SOUTH_FIELDS, 40);
  paintBeach(canvas, rng);
  placed.signs.push({ at: { tx: shoreX(PIER_ROW) - 4, ty: PIER_ROW - 1 }, text: "The pier. Mind the gulls." });

  const caveExit = carveCave(canvas, rng);
  canvas.set("objects", caveExit.tx, caveExit.ty, "cave_exit");
  const caveInside: Point = { tx: caveExit.tx, ty: caveExit.ty + 1 };
  decorateCave(canvas, rng, caveExit);
  placed.portals.push({ name: "cave mouth", kind: "cave", from: CAVE_MOUTH, to: caveInside });
  placed.portals.push({ name: "cave exit", kind: "cave", from: caveExit, to: { tx: CAVE_MOUTH.tx, ty: CAVE_MOUTH.ty + 1 } });
  carveRooms(canvas, rng, placed);

  placed.zones.unshift(
    { name: "Oakwood", kind: "forest", rect: OAKWOOD },
    { name: "Pinewood", kind: "forest", rect: PINEWOOD },
    { name: "Foothills", kind: "meadow", rect: FOOTHILLS },
    { name: "West meadows", kind: "meadow", rect: WEST_MEADOWS },
    { name: "Village", kind: "village", rect: VILLAGE },
    { name: "South fields", kind: "meadow", rect: SOUTH_FIELDS },
    { name: "Beach", kind: "beach", rect: BEACH },
    { name: "Cave", kind: "cave", rect: CAVE },
  );
  placed.checkpoints.unshift(...checkpoints, { name: "Cave", at: { tx: caveInside.tx, ty: caveInside.ty + 1 } });

  fillUnreachable(canvas, placed);
  populate(canvas, new Rng(seed + POPULATION_SALT), placed, caveInside);
  return toTiled(canvas, placed);
}

// ---------------------------------------------------------------------------------------
// Who lives where: mob areas, chests and NPCs, placed on the finished terrain with their own
// random stream, so the terrain does not change when the population does.

const POPULATION_SALT = 1000;
/** Mob areas keep this far (tiles) from checkpoints and the spawn: a player coming back to life is not set upon at once. */
const AREA_CLEARANCE = 8;
/** Random placements tried per mob area before giving up on it. */
const AREA_TRIES = 200;

interface AreaPlan {
  zone: Rect;
  kind: MobKind;
  areas: number;
  count: number;
  size: number;
  /** Item list of a chest that appears when every mob of the first such area is dead. */
  chest?: ItemKind[];
}

const MOB_PLAN: AreaPlan[] = [
  { zone: WEST_MEADOWS, kind: "rat", areas: 5, count: 5, size: 10 },
  { zone: WEST_MEADOWS, kind: "snake", areas: 2, count: 4, size: 12 },
  { zone: SOUTH_FIELDS, kind: "rat", areas: 3, count: 5, size: 10 },
  { zone: BEACH, kind: "crab", areas: 5, count: 5, size: 10, chest: ["armor3", "weapon3", "burger"] },
  { zone: OAKWOOD, kind: "bat", areas: 3, count: 5, size: 10 },
  { zone: OAKWOOD, kind: "goblin", areas: 3, count: 5, size: 10, chest: ["weapon4", "armor3"] },
  { zone: PINEWOOD, kind: "goblin", areas: 2, count: 5, size: 10 },
  { zone: PINEWOOD, kind: "skeleton", areas: 3, count: 5, size: 10 },
  { zone: FOOTHILLS, kind: "ogre", areas: 3, count: 3, size: 10, chest: ["armor4", "weapon5"] },
  { zone: CAVE, kind: "spectre", areas: 3, count: 4, size: 10 },
  { zone: CAVE, kind: "deathknight", areas: 3, count: 4, size: 10, chest: ["armor5", "weapon6"] },
];

function populate(canvas: Canvas, rng: Rng, placed: Placed, caveInside: Point): void {
  const portalCells = new Set(placed.portals.map((p) => p.from.ty * canvas.width + p.from.tx));
  const taken = new Set<number>();
  const open = (x: number, y: number) => canvas.inside(x, y) && !canvas.blocked(x, y) && !portalCells.has(y * canvas.width + x) && !taken.has(y * canvas.width + x);
  const keepOut = [placed.spawn, ...placed.checkpoints.map((c) => c.at), ...placed.portals.map((p) => p.from)];
  const overlaps = (a: Rect, b: Rect) => a.tx < b.tx + b.w && b.tx < a.tx + a.w && a.ty < b.ty + b.h && b.ty < a.ty + a.h;
  const openCells = (rect: Rect): Point[] => {
    const cells: Point[] = [];
    forEachCell(rect, (x, y) => {
      if (open(x, y)) cells.push({ tx: x, ty: y });
    });
    return cells;
  };
  /** A free spot inside `zone` for an area of `size`, with room for twice its mobs. */
  const findArea = (zone: Rect, size: number, count: number): Rect | null => {
    for (let i = 0; i < AREA_TRIES; i++) {
      const rect = { tx: rng.int(zone.tx, zone.tx + zone.w - size), ty: rng.int(zone.ty, zone.ty + zone.h - size), w: size, h: size };
      if (placed.mobAreas.some((a) => overlaps(a.rect, rect))) continue;
      const grown = { tx: rect.tx - AREA_CLEARANCE, ty: rect.ty - AREA_CLEARANCE, w: size + 2 * AREA_CLEARANCE, h: size + 2 * AREA_CLEARANCE };
      if (keepOut.some((p) => overlaps(grown, { ...p, w: 1, h: 1 }))) continue;
      if (openCells(rect).length >= 2 * count) return rect;
    }
    return null;
  };
  const areaChest = (rect: Rect, name: string, items: ItemKind[]) => {
    const at = rng.pick(openCells(rect));
    taken.add(at.ty * canvas.width + at.tx);
    placed.chests.push({ name: `${name} chest`, at, items, area: name });
  };

  for (const plan of MOB_PLAN) {
    for (let i = 0; i < plan.areas; i++) {
      const rect = findArea(plan.zone, plan.size, plan.count);
      if (!rect) continue;
      const name = `${plan.kind} ${placed.mobAreas.filter((a) => a.kind === plan.kind).length + 1}`;
      placed.mobAreas.push({ name, kind: plan.kind, count: plan.count, rect });
      if (plan.chest && i === 0) areaChest(rect, name, plan.chest);
    }
  }
  // The boss keeps the cave's far end: of the places tried, the one farthest from the way in.
  let lair: Rect | null = null;
  for (let i = 0; i < AREA_TRIES / 4; i++) {
    const rect = findArea(CAVE, 8, 1);
    if (rect && (!lair || distance(rect, caveInside) > distance(lair, caveInside))) lair = rect;
  }
  if (lair) {
    placed.mobAreas.push({ name: "boss lair", kind: "boss", count: 1, rect: lair });
    areaChest(lair, "boss lair", ["weapon7", "armor6"]);
  }

  /** The open tile nearest to `near` (ring by ring). */
  const spotNear = (near: Point): Point => {
    for (let r = 0; r < 20; r++)
      for (let dy = -r; dy <= r; dy++)
        for (let dx = -r; dx <= r; dx++) {
          if (Math.max(Math.abs(dx), Math.abs(dy)) !== r) continue;
          const x = near.tx + dx;
          const y = near.ty + dy;
          if (open(x, y) && !keepOut.some((p) => p.tx === x && p.ty === y)) {
            taken.add(y * canvas.width + x);
            return { tx: x, ty: y };
          }
        }
    throw new Error(`no open tile near (${near.tx}, ${near.ty})`);
  };
  const npc = (name: string, kind: NpcKind, near: Point) => placed.npcs.push({ name, kind, at: spotNear(near) });
  npc("Elder Maren", "elder", { tx: PLAZA.tx + 5, ty: PLAZA.ty + 4 });
  npc("Smith Oswin", "smith", { tx: PLAZA.tx + 12, ty: PLAZA.ty + 3 });
  npc("Innkeeper Bree", "innkeeper", { tx: PLAZA.tx + 3, ty: PLAZA.ty + 10 });
  npc("Guard Tam", "guard", { tx: 85, ty: PLAZA.ty - 4 });
  npc("Old Fisher", "fisher", { tx: shoreX(PIER_ROW) - 8, ty: PIER_ROW + 2 });
  npc("Hermit", "hermit", { tx: CAVE_MOUTH.tx - 4, ty: CAVE_MOUTH.ty + 4 });
  npc("Lost miner", "miner", { tx: caveInside.tx + 2, ty: caveInside.ty + 3 });

  const chest = (name: string, items: ItemKind[], near: Point) => placed.chests.push({ name, at: spotNear(near), items });
  chest("Plaza chest", ["flask", "burger"], { tx: PLAZA.tx + 14, ty: PLAZA.ty + 11 });
  chest("Oakwood chest", ["weapon2", "armor2", "flask"], { tx: 31, ty: 24 });
  chest("Pier chest", ["firepotion", "burger"], { tx: shoreX(PIER_ROW) + 10, ty: PIER_ROW });
  chest("Miner's chest", ["weapon4", "armor4", "firepotion"], { tx: caveInside.tx + 4, ty: caveInside.ty + 3 });
}

function tileObject(id: number, name: string, type: string, rect: Rect, properties?: TiledProperty[]): TiledObject {
  const object: TiledObject = {
    id,
    name,
    type,
    x: rect.tx * TILE_SIZE,
    y: rect.ty * TILE_SIZE,
    width: rect.w * TILE_SIZE,
    height: rect.h * TILE_SIZE,
    rotation: 0,
    visible: true,
  };
  if (properties) object.properties = properties;
  return object;
}

function toTiled(canvas: Canvas, placed: Placed): TiledMap {
  let nextObjectId = 1;
  const one = (p: Point): Rect => ({ tx: p.tx, ty: p.ty, w: 1, h: 1 });
  const objects: Record<(typeof OBJECT_LAYERS)[number], TiledObject[]> = {
    zones: placed.zones.map((z) => tileObject(nextObjectId++, z.name, "zone", z.rect, [{ name: "kind", type: "string", value: z.kind }])),
    checkpoints: placed.checkpoints.map((c) => tileObject(nextObjectId++, c.name, "checkpoint", one(c.at))),
    portals: placed.portals.map((p) =>
      tileObject(nextObjectId++, p.name, "portal", one(p.from), [
        { name: "kind", type: "string", value: p.kind },
        { name: "to_x", type: "int", value: p.to.tx },
        { name: "to_y", type: "int", value: p.to.ty },
      ]),
    ),
    spawn: [tileObject(nextObjectId++, "spawn", "spawn", one(placed.spawn))],
    signs: placed.signs.map((s) => tileObject(nextObjectId++, "sign", "sign", one(s.at), [{ name: "text", type: "string", value: s.text }])),
    mobs: placed.mobAreas.map((a) =>
      tileObject(nextObjectId++, a.name, "mobarea", a.rect, [
        { name: "kind", type: "string", value: a.kind },
        { name: "count", type: "int", value: a.count },
      ]),
    ),
    chests: placed.chests.map((c) =>
      tileObject(nextObjectId++, c.name, "chest", one(c.at), [
        { name: "items", type: "string", value: c.items.join(",") },
        ...(c.area ? [{ name: "area", type: "string" as const, value: c.area }] : []),
      ]),
    ),
    npcs: placed.npcs.map((n) => tileObject(nextObjectId++, n.name, "npc", one(n.at), [{ name: "kind", type: "string", value: n.kind }])),
  };
  let layerId = 1;
  const base = { x: 0, y: 0, opacity: 1, visible: true };
  const layers: TiledMap["layers"] = [
    ...TILE_LAYERS.map((name) => ({
      id: layerId++,
      name,
      type: "tilelayer" as const,
      width: canvas.width,
      height: canvas.height,
      ...base,
      data: Array.from(canvas.layers[name]),
    })),
    ...OBJECT_LAYERS.map((name) => ({
      id: layerId++,
      name,
      type: "objectgroup" as const,
      draworder: "topdown" as const,
      ...base,
      objects: objects[name],
    })),
  ];
  const rows = Math.ceil(TILES.length / TILESET_COLUMNS);
  return {
    type: "map",
    version: TILED_FORMAT_VERSION,
    tiledversion: TILED_VERSION,
    orientation: "orthogonal",
    renderorder: "right-down",
    width: canvas.width,
    height: canvas.height,
    tilewidth: TILE_SIZE,
    tileheight: TILE_SIZE,
    infinite: false,
    compressionlevel: -1,
    nextlayerid: layerId,
    nextobjectid: nextObjectId,
    layers,
    tilesets: [
      {
        firstgid: 1,
        name: "tiles",
        image: "../art/tiles.png",
        imagewidth: TILESET_COLUMNS * TILE_SIZE,
        imageheight: rows * TILE_SIZE,
        tilewidth: TILE_SIZE,
        tileheight: TILE_SIZE,
        tilecount: rows * TILESET_COLUMNS,
        columns: TILESET_COLUMNS,
        margin: 0,
        spacing: 0,
        tiles: TILES.flatMap((info, id) =>
          info.frames && info.frameMs
            ? [{ id, animation: info.frames.map((tileid) => ({ tileid, duration: info.frameMs! })) }]
            : [],
        ),
      },
    ],
  };
}

/** The file's text: one line per map row in tile layers, so a diff of the map reads by row. */
export function serializeWorld(map: TiledMap): string {
  const placeholders: string[] = [];
  const text = JSON.stringify(
    map,
    (key, value) => {
      if (key === "data" && Array.isArray(value)) {
        const rows: string[] = [];
        for (let y = 0; y < map.height; y++) rows.push(value.slice(y * map.width, (y + 1) * map.width).join(","));
        placeholders.push(`[\n${rows.join(",\n")}\n]`);
        return `@data${placeholders.length - 1}@`;
      }
      return value;
    },
    1,
  );
  return `${text.replace(/"@data(\d+)@"/g, (_, i) => placeholders[Number(i)])}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const map = generateWorld();
  // Refuse to write a map the game would refuse to load.
  parseMap(map);
  writeFileSync(WORLD_JSON_PATH, serializeWorld(map));
  console.log(`wrote ${WORLD_JSON_PATH} (${map.width} × ${map.height} tiles, seed ${MAP_SEED})`);
}

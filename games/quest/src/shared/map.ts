/**
 * Quest's map as the rules see it: parsed from the Tiled JSON that server and client both
 * load, and validated so that a broken map stops the server at start instead of stranding
 * players (unknown tile ids, a spawn that reaches nothing, a zone without a checkpoint).
 */
import {
  MAX_PLAIN_GID,
  type OBJECT_LAYERS,
  TILE_LAYERS,
  type TiledObject,
  type TiledObjectLayer,
  type TiledTileLayer,
  type TileLayerName,
} from "./tiled.js";
import { isItemKind, type ItemKind } from "./items.js";
import { isMobKind, type MobKind } from "./mobs.js";
import { isNpcKind, type NpcKind } from "./npcs.js";
import { isKnownGid, TILE_SIZE, TILES, type Zone } from "./tiles.js";

/** Largest map side in tiles (the wire schema's position range covers 512). */
const MAX_MAP_SIDE = 512;
export const ZONE_KINDS: readonly Zone[] = ["village", "forest", "beach", "cave", "meadow"];
export const PORTAL_KINDS = ["door", "cave"] as const;
export type PortalKind = (typeof PORTAL_KINDS)[number];

export interface TilePoint {
  tx: number;
  ty: number;
}
export interface TileRect {
  tx: number;
  ty: number;
  w: number;
  h: number;
}
export interface MapZone {
  name: string;
  kind: Zone;
  rect: TileRect;
}
export interface Checkpoint extends TilePoint {
  name: string;
}
export interface Portal {
  name: string;
  kind: PortalKind;
  from: TilePoint;
  to: TilePoint;
}
export interface Sign extends TilePoint {
  text: string;
}

/** Where mobs of one kind live: they spawn on its open tiles and roam inside it. */
export interface MobArea {
  name: string;
  kind: MobKind;
  count: number;
  rect: TileRect;
}
/** A chest: `area` chests appear once every mob of that mob area is dead; the others stand and refill. */
export interface ChestSpot extends TilePoint {
  name: string;
  items: ItemKind[];
  area: string | null;
}
export interface NpcSpot extends TilePoint {
  name: string;
  kind: NpcKind;
}

export interface QuestMap {
  /** Size in tiles. */
  readonly width: number;
  readonly height: number;
  /** Whether a player cannot stand on the tile; outside the map is blocked. */
  blocked(tx: number, ty: number): boolean;
  readonly zones: readonly MapZone[];
  readonly checkpoints: readonly Checkpoint[];
  readonly portals: readonly Portal[];
  readonly signs: readonly Sign[];
  readonly mobAreas: readonly MobArea[];
  readonly chests: readonly ChestSpot[];
  readonly npcs: readonly NpcSpot[];
  readonly spawn: TilePoint;
  /** The first zone whose rect holds the tile (zones do not overlap in the generated map). */
  zoneAt(tx: number, ty: number): MapZone | undefined;
  portalAt(tx: number, ty: number): Portal | undefined;
  /**
   * Which walkable area a tile belongs to: two tiles of one area are joined by a walk that
   * crosses no portal (areas joined only by portals are different: the overworld, the cave,
   * each room). A portal's own tile belongs to the area it is entered from; -1 for blocked
   * tiles. Chat stays inside an area; a walk target outside the walker's is unreachable.
   */
  regionAt(tx: number, ty: number): number;
  /** The gid (catalogue index + 1, 0 = none) of a tile layer at a tile. */
  gid(layer: TileLayerName, tx: number, ty: number): number;
}

/** A map that cannot be played; the message says what and where. */
export class MapError extends Error {
  override name = "MapError";
}

/** Pixel coordinate of the centre of tile `t`: where a player standing on it is. */
export function tileCentre(t: number): number {
  return t * TILE_SIZE + TILE_SIZE / 2;
}

/** The tile holding pixel coordinate `p`. */
export function tileOf(p: number): number {
  return Math.floor(p / TILE_SIZE);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fail(message: string): never {
  throw new MapError(message);
}

function expectInt(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    fail(`${what} must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`);
  return value;
}

/** Parses and validates a Tiled JSON map; throws `MapError` on anything Quest cannot play. */
export function parseMap(json: unknown): QuestMap {
  if (!isRecord(json) || json.type !== "map") fail('not a Tiled map (expected an object with type "map")');
  if (json.orientation !== "orthogonal") fail(`orientation must be "orthogonal", got ${JSON.stringify(json.orientation)}`);
  if (json.infinite !== false) fail("infinite maps are not supported");
  if (json.tilewidth !== TILE_SIZE || json.tileheight !== TILE_SIZE) fail(`tiles must be ${TILE_SIZE} × ${TILE_SIZE} px`);
  const width = expectInt(json.width, "width", 1, MAX_MAP_SIDE);
  const height = expectInt(json.height, "height", 1, MAX_MAP_SIDE);
  const tilesets = json.tilesets;
  if (!Array.isArray(tilesets) || tilesets.length !== 1 || !isRecord(tilesets[0]) || tilesets[0].firstgid !== 1)
    fail('the map needs exactly one tileset ("tiles") with firstgid 1');
  if (!Array.isArray(json.layers)) fail("the map has no layers");
  const layers = json.layers as unknown[];
  const findLayer = (name: string, type: string): Record<string, unknown> | undefined =>
    layers.find((layer): layer is Record<string, unknown> => isRecord(layer) && layer.name === name && layer.type === type);

  const tileLayers = {} as Record<TileLayerName, Uint16Array>;
  for (const name of TILE_LAYERS) {
    const layer = findLayer(name, "tilelayer") as Partial<TiledTileLayer> | undefined;
    if (!layer) fail(`missing tile layer "${name}"`);
    if (layer.width !== width || layer.height !== height || !Array.isArray(layer.data) || layer.data.length !== width * height)
      fail(`tile layer "${name}" must hold ${width} × ${height} tiles`);
    const gids = new Uint16Array(width * height);
    layer.data.forEach((gid, i) => {
      const at = `(${i % width}, ${Math.floor(i / width)})`;
      if (typeof gid !== "number" || !Number.isInteger(gid) || gid < 0 || gid > MAX_PLAIN_GID || !isKnownGid(gid))
        fail(`unknown tile id ${JSON.stringify(gid)} in layer "${name}" at ${at}`);
      if (gid === 0 && name === "ground") fail(`the ground layer has no tile at ${at}`);
      gids[i] = gid;
    });
    tileLayers[name] = gids;
  }

  const blockedCells = new Uint8Array(width * height);
  for (const name of TILE_LAYERS)
    tileLayers[name].forEach((gid, i) => {
      if (gid !== 0 && TILES[gid - 1].collides) blockedCells[i] = 1;
    });
  const inside = (tx: number, ty: number) => tx >= 0 && ty >= 0 && tx < width && ty < height;
  const blocked = (tx: number, ty: number) => !inside(tx, ty) || blockedCells[ty * width + tx] === 1;

  const objectsOf = (name: (typeof OBJECT_LAYERS)[number], required: boolean): TiledObject[] => {
    const layer = findLayer(name, "objectgroup") as Partial<TiledObjectLayer> | undefined;
    if (!layer) return required ? fail(`missing object layer "${name}"`) : [];
    if (!Array.isArray(layer.objects)) fail(`object layer "${name}" has no objects array`);
    return layer.objects.map((object) => (isRecord(object) ? object : fail(`object layer "${name}" holds a non-object`)) as TiledObject);
  };
  const rectOf = (object: TiledObject, what: string): TileRect => {
    const tx = object.x / TILE_SIZE;
    const ty = object.y / TILE_SIZE;
    const w = object.width / TILE_SIZE;
    const h = object.height / TILE_SIZE;
    if (![tx, ty, w, h].every(Number.isInteger) || w < 1 || h < 1)
      fail(`${what} must be aligned to the ${TILE_SIZE} px grid and at least a tile`);
    if (!inside(tx, ty) || !inside(tx + w - 1, ty + h - 1)) fail(`${what} lies outside the map`);
    return { tx, ty, w, h };
  };
  const property = (object: TiledObject, name: string): unknown => object.properties?.find((p) => p.name === name)?.value;
  const walkableTile = (object: TiledObject, what: string): TilePoint => {
    const { tx, ty } = rectOf(object, what);
    if (blocked(tx, ty)) fail(`${what} at (${tx}, ${ty}) is on a blocked tile`);
    return { tx, ty };
  };

  const zones: MapZone[] = objectsOf("zones", true).map((object) => {
    const kind = property(object, "kind");
    if (!ZONE_KINDS.includes(kind as Zone)) fail(`zone "${object.name}" has kind ${JSON.stringify(kind)}, not one of ${ZONE_KINDS.join(", ")}`);
    return { name: String(object.name), kind: kind as Zone, rect: rectOf(object, `zone "${object.name}"`) };
  });
  const checkpoints: Checkpoint[] = objectsOf("checkpoints", true).map((object) => ({
    name: String(object.name),
    ...walkableTile(object, `checkpoint "${object.name}"`),
  }));
  const portals: Portal[] = objectsOf("portals", true).map((object) => {
    const what = `portal "${object.name}"`;
    const kind = property(object, "kind");
    if (!PORTAL_KINDS.includes(kind as PortalKind)) fail(`${what} has kind ${JSON.stringify(kind)}`);
    const to = { tx: expectInt(property(object, "to_x"), `${what} to_x`, 0, width - 1), ty: expectInt(property(object, "to_y"), `${what} to_y`, 0, height - 1) };
    if (blocked(to.tx, to.ty)) fail(`${what} leads to a blocked tile (${to.tx}, ${to.ty})`);
    return { name: String(object.name), kind: kind as PortalKind, from: walkableTile(object, what), to };
  });
  const portalByCell = new Map<number, Portal>();
  for (const portal of portals) {
    const cell = portal.from.ty * width + portal.from.tx;
    if (portalByCell.has(cell)) fail(`two portals on tile (${portal.from.tx}, ${portal.from.ty})`);
    portalByCell.set(cell, portal);
  }
  for (const portal of portals)
    if (portalByCell.has(portal.to.ty * width + portal.to.tx)) fail(`portal "${portal.name}" leads onto another portal`);
  const spawns = objectsOf("spawn", true);
  if (spawns.length !== 1) fail(`the spawn layer must hold exactly one object, it holds ${spawns.length}`);
  const spawn = walkableTile(spawns[0], "the spawn");
  if (portalByCell.has(spawn.ty * width + spawn.tx)) fail("the spawn is on a portal");
  const signs: Sign[] = objectsOf("signs", false).map((object) => ({
    ...rectOf(object, "a sign"),
    text: String(property(object, "text") ?? ""),
  }));

  const mobAreas: MobArea[] = objectsOf("mobs", false).map((object) => {
    const what = `mob area "${object.name}"`;
    const kind = property(object, "kind");
    if (!isMobKind(kind)) fail(`${what} has kind ${JSON.stringify(kind)}`);
    const rect = rectOf(object, what);
    const count = expectInt(property(object, "count"), `${what} count`, 1, rect.w * rect.h);
    let open = 0;
    for (let ty = rect.ty; ty < rect.ty + rect.h; ty++) for (let tx = rect.tx; tx < rect.tx + rect.w; tx++) if (!blocked(tx, ty) && !portalByCell.has(ty * width + tx)) open++;
    if (open < count) fail(`${what} has ${open} open tiles for ${count} mobs`);
    return { name: String(object.name), kind, count, rect };
  });
  const placedTiles = new Set<number>();
  const entityTile = (object: TiledObject, what: string): TilePoint => {
    const at = walkableTile(object, what);
    const cell = at.ty * width + at.tx;
    if (portalByCell.has(cell)) fail(`${what} is on a portal`);
    if (placedTiles.has(cell)) fail(`${what} shares its tile with another chest or NPC`);
    placedTiles.add(cell);
    return at;
  };
  const chests: ChestSpot[] = objectsOf("chests", false).map((object) => {
    const what = `chest "${object.name}"`;
    const items = String(property(object, "items") ?? "").split(",").map((item) => item.trim());
    for (const item of items) if (!isItemKind(item)) fail(`${what} holds an unknown item ${JSON.stringify(item)}`);
    const area = property(object, "area");
    if (area !== undefined && !mobAreas.some((a) => a.name === area)) fail(`${what} waits for an unknown mob area ${JSON.stringify(area)}`);
    return { name: String(object.name), ...entityTile(object, what), items: items as ItemKind[], area: area === undefined ? null : String(area) };
  });
  const npcs: NpcSpot[] = objectsOf("npcs", false).map((object) => {
    const kind = property(object, "kind");
    if (!isNpcKind(kind)) fail(`NPC "${object.name}" has kind ${JSON.stringify(kind)}`);
    return { name: String(object.name), kind, ...entityTile(object, `NPC "${object.name}"`) };
  });

  const map: QuestMap = {
    width,
    height,
    blocked,
    zones,
    checkpoints,
    portals,
    signs,
    mobAreas,
    chests,
    npcs,
    spawn,
    zoneAt: (tx, ty) => zones.find(({ rect }) => tx >= rect.tx && ty >= rect.ty && tx < rect.tx + rect.w && ty < rect.ty + rect.h),
    portalAt: (tx, ty) => (inside(tx, ty) ? portalByCell.get(ty * width + tx) : undefined),
    regionAt: (tx, ty) => (inside(tx, ty) ? regions[ty * width + tx] : -1),
    gid: (layer, tx, ty) => (inside(tx, ty) ? tileLayers[layer][ty * width + tx] : 0),
  };
  const regions = labelRegions(width, height, blockedCells, portalByCell);

  for (const zone of zones)
    if (!checkpoints.some((c) => map.zoneAt(c.tx, c.ty) === zone)) fail(`zone "${zone.name}" has no checkpoint`);
  const reached = reachableFrom(map, spawn);
  for (const checkpoint of checkpoints)
    if (!reached[checkpoint.ty * width + checkpoint.tx])
      fail(`checkpoint "${checkpoint.name}" at (${checkpoint.tx}, ${checkpoint.ty}) is unreachable from the spawn (${spawn.tx}, ${spawn.ty})`);
  return map;
}

/**
 * Labels each walkable cell with its area's number (4-connected, not through portals: a
 * portal's cell takes the area of its first open neighbour); blocked cells get -1.
 */
function labelRegions(width: number, height: number, blockedCells: Uint8Array, portals: ReadonlyMap<number, Portal>): Int32Array {
  const regions = new Int32Array(width * height).fill(-1);
  const neighbours = (cell: number) => {
    const x = cell % width;
    return [cell - width, cell + width, x > 0 ? cell - 1 : -1, x < width - 1 ? cell + 1 : -1].filter(
      (n) => n >= 0 && n < regions.length && !blockedCells[n],
    );
  };
  let next = 0;
  const stack: number[] = [];
  for (let start = 0; start < regions.length; start++) {
    if (blockedCells[start] || portals.has(start) || regions[start] !== -1) continue;
    regions[start] = next;
    stack.push(start);
    while (stack.length > 0) {
      for (const n of neighbours(stack.pop()!)) {
        if (portals.has(n) || regions[n] !== -1) continue;
        regions[n] = next;
        stack.push(n);
      }
    }
    next++;
  }
  for (const cell of portals.keys()) {
    const open = neighbours(cell).find((n) => !portals.has(n));
    regions[cell] = open === undefined ? -1 : regions[open];
  }
  return regions;
}

/**
 * Cells a player starting at `from` can walk to (1 = reachable), through portals: a
 * portal's tile leads only to its destination, since stepping on it teleports.
 */
export function reachableFrom(map: QuestMap, from: TilePoint): Uint8Array {
  const reached = new Uint8Array(map.width * map.height);
  if (map.blocked(from.tx, from.ty)) return reached;
  const stack = [from.ty * map.width + from.tx];
  reached[stack[0]] = 1;
  const visit = (tx: number, ty: number) => {
    if (map.blocked(tx, ty)) return;
    const cell = ty * map.width + tx;
    if (reached[cell]) return;
    reached[cell] = 1;
    stack.push(cell);
  };
  while (stack.length > 0) {
    const cell = stack.pop()!;
    const tx = cell % map.width;
    const ty = (cell - tx) / map.width;
    const portal = map.portalAt(tx, ty);
    if (portal && !(tx === from.tx && ty === from.ty)) {
      visit(portal.to.tx, portal.to.ty);
      continue;
    }
    visit(tx, ty - 1);
    visit(tx, ty + 1);
    visit(tx - 1, ty);
    visit(tx + 1, ty);
  }
  return reached;
}

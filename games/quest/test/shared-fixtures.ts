/**
 * Small maps drawn in ASCII for the shared rules' tests: `.` grass, `#` rock, `~` water,
 * `S` the spawn (grass), `C` a checkpoint (grass), `a`..`z` portal tiles (doors) whose
 * destinations the test gives. One meadow zone covers the map unless the test says otherwise.
 */
import { parseMap, type QuestMap, type TilePoint, type TileRect } from "../src/shared/map.js";
import type { TiledMap, TiledObject } from "../src/shared/tiled.js";
import { TILE_SIZE, tileIndex } from "../src/shared/tiles.js";

export interface AsciiOptions {
  portals?: Record<string, TilePoint>;
  zones?: { name: string; kind: string; rect: TileRect }[];
  /** Mob areas, chests and NPCs (the `mobs`, `chests` and `npcs` object layers). */
  mobs?: { name: string; kind: string; count: number; rect: TileRect }[];
  chests?: { name: string; at: TilePoint; items: string[]; area?: string }[];
  npcs?: { name: string; kind: string; at: TilePoint }[];
}

export function asciiTiled(rows: string[], options: AsciiOptions = {}): TiledMap {
  const height = rows.length;
  const width = rows[0].length;
  const ground: number[] = [];
  const objects: number[] = [];
  const found: { spawn?: TilePoint; checkpoints: TilePoint[]; portals: { key: string; at: TilePoint }[] } = { checkpoints: [], portals: [] };
  rows.forEach((row, ty) => {
    for (let tx = 0; tx < width; tx++) {
      const c = row[tx];
      ground.push(tileIndex(c === "~" ? "water" : "grass") + 1);
      objects.push(c === "#" ? tileIndex("rock") + 1 : /[a-z]/.test(c) ? tileIndex("door") + 1 : 0);
      if (c === "S") found.spawn = { tx, ty };
      if (c === "C") found.checkpoints.push({ tx, ty });
      if (/[a-z]/.test(c)) found.portals.push({ key: c, at: { tx, ty } });
    }
  });
  let id = 1;
  const object = (name: string, type: string, r: TileRect, properties?: TiledObject["properties"]): TiledObject => ({
    id: id++,
    name,
    type,
    x: r.tx * TILE_SIZE,
    y: r.ty * TILE_SIZE,
    width: r.w * TILE_SIZE,
    height: r.h * TILE_SIZE,
    rotation: 0,
    visible: true,
    ...(properties ? { properties } : {}),
  });
  const one = (p: TilePoint): TileRect => ({ ...p, w: 1, h: 1 });
  const spawn = found.spawn ?? { tx: 0, ty: 0 };
  const checkpoints = found.checkpoints.length > 0 ? found.checkpoints : [spawn];
  const zones = options.zones ?? [{ name: "field", kind: "meadow", rect: { tx: 0, ty: 0, w: width, h: height } }];
  const layer = (lid: number, name: string, data: number[]) => ({ id: lid, name, type: "tilelayer" as const, width, height, x: 0, y: 0, opacity: 1, visible: true, data });
  const group = (lid: number, name: string, list: TiledObject[]) => ({
    id: lid,
    name,
    type: "objectgroup" as const,
    draworder: "topdown" as const,
    x: 0,
    y: 0,
    opacity: 1,
    visible: true,
    objects: list,
  });
  return {
    type: "map",
    version: "1.10",
    tiledversion: "1.10.2",
    orientation: "orthogonal",
    renderorder: "right-down",
    width,
    height,
    tilewidth: TILE_SIZE,
    tileheight: TILE_SIZE,
    infinite: false,
    compressionlevel: -1,
    nextlayerid: 11,
    nextobjectid: 1000,
    layers: [
      layer(1, "ground", ground),
      layer(2, "objects", objects),
      layer(3, "above", new Array(width * height).fill(0)),
      group(4, "zones", zones.map((z) => object(z.name, "zone", z.rect, [{ name: "kind", type: "string", value: z.kind }]))),
      group(5, "checkpoints", checkpoints.map((c, i) => object(`cp${i}`, "checkpoint", one(c)))),
      group(
        6,
        "portals",
        found.portals.map(({ key, at }) => {
          const to = options.portals?.[key] ?? at;
          return object(key, "portal", one(at), [
            { name: "kind", type: "string", value: "door" },
            { name: "to_x", type: "int", value: to.tx },
            { name: "to_y", type: "int", value: to.ty },
          ]);
        }),
      ),
      group(7, "spawn", [object("spawn", "spawn", one(spawn))]),
      group(
        8,
        "mobs",
        (options.mobs ?? []).map((m) =>
          object(m.name, "mobarea", m.rect, [
            { name: "kind", type: "string", value: m.kind },
            { name: "count", type: "int", value: m.count },
          ]),
        ),
      ),
      group(
        9,
        "chests",
        (options.chests ?? []).map((c) =>
          object(c.name, "chest", one(c.at), [
            { name: "items", type: "string", value: c.items.join(",") },
            ...(c.area ? [{ name: "area", type: "string" as const, value: c.area }] : []),
          ]),
        ),
      ),
      group(10, "npcs", (options.npcs ?? []).map((n) => object(n.name, "npc", one(n.at), [{ name: "kind", type: "string", value: n.kind }]))),
    ],
    tilesets: [
      {
        firstgid: 1,
        name: "tiles",
        image: "../art/tiles.png",
        imagewidth: 256,
        imageheight: 80,
        tilewidth: TILE_SIZE,
        tileheight: TILE_SIZE,
        tilecount: 80,
        columns: 16,
        margin: 0,
        spacing: 0,
        tiles: [],
      },
    ],
  };
}

export function asciiMap(rows: string[], options: AsciiOptions = {}): QuestMap {
  return parseMap(asciiTiled(rows, options));
}

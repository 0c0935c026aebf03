import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { generateWorld, MAP_SEED, serializeWorld, WORLD_JSON_PATH } from "../scripts/gen-map.js";
import { MapError, parseMap, reachableFrom } from "../src/shared/map.js";
import { findPath } from "../src/shared/path.js";
import type { TiledTileLayer } from "../src/shared/tiled.js";
import { TILES, tileIndex } from "../src/shared/tiles.js";
import { asciiMap, asciiTiled } from "./shared-fixtures.js";

const committed = readFileSync(WORLD_JSON_PATH, "utf8");
const world = parseMap(JSON.parse(committed));

describe("the generated world", () => {
  it("is exactly what the generator makes from its seed (the committed file is reproducible)", () => {
    expect(serializeWorld(generateWorld(MAP_SEED))).toBe(committed);
  });

  it("differs with another seed, so the seed is what makes it", () => {
    expect(serializeWorld(generateWorld(MAP_SEED + 1))).not.toBe(committed);
  });

  it("is a Tiled 1.10 orthogonal map of at least 160 × 160 tiles of 16 px, with an embedded animated tileset", () => {
    const json = JSON.parse(committed);
    expect(json).toMatchObject({ type: "map", orientation: "orthogonal", renderorder: "right-down", infinite: false, tilewidth: 16, tileheight: 16 });
    expect(json.tiledversion).toMatch(/^1\.10/);
    expect(json.width).toBeGreaterThanOrEqual(160);
    expect(json.height).toBeGreaterThanOrEqual(160);
    const ids = json.layers.map((l: { id: number }) => l.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(json.nextlayerid).toBeGreaterThan(Math.max(...ids));
    const objectIds = json.layers.flatMap((l: { objects?: { id: number }[] }) => (l.objects ?? []).map((o) => o.id));
    expect(json.nextobjectid).toBeGreaterThan(Math.max(...objectIds));
    const [tileset] = json.tilesets;
    expect(tileset).toMatchObject({ name: "tiles", image: "../art/tiles.png", columns: 16, firstgid: 1 });
    expect(tileset.tilecount).toBe((tileset.imagewidth / 16) * (tileset.imageheight / 16));
    expect(tileset.tilecount).toBeGreaterThanOrEqual(TILES.length);
    const water = tileset.tiles.find((t: { id: number }) => t.id === tileIndex("water"));
    expect(water.animation.map((f: { tileid: number }) => f.tileid)).toEqual(TILES[tileIndex("water")].frames);
  });

  it("declares the tileset image at the size the art script draws it", () => {
    const png = readFileSync(fileURLToPath(new URL("../assets/art/tiles.png", import.meta.url)));
    const [tileset] = JSON.parse(committed).tilesets;
    // A PNG's IHDR: width and height, big-endian, at bytes 16 and 20.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([tileset.imagewidth, tileset.imageheight]);
  });

  it("has village, forest, beach, cave and meadow zones, each with a checkpoint inside", () => {
    const kinds = new Set(world.zones.map((z) => z.kind));
    expect([...kinds].sort()).toEqual(["beach", "cave", "forest", "meadow", "village"]);
    for (const zone of world.zones) expect(world.checkpoints.some((c) => world.zoneAt(c.tx, c.ty) === zone)).toBe(true);
  });

  it("spawns in the village, and every checkpoint and portal can be walked to from there", () => {
    expect(world.zoneAt(world.spawn.tx, world.spawn.ty)?.kind).toBe("village");
    const reached = reachableFrom(world, world.spawn);
    for (const point of [...world.checkpoints, ...world.portals.map((p) => p.from)]) expect(reached[point.ty * world.width + point.tx]).toBe(1);
  });

  it("reaches the cave and the houses' rooms only through their portals", () => {
    const overworld = world.regionAt(world.spawn.tx, world.spawn.ty);
    const cave = world.zones.find((z) => z.kind === "cave")!;
    const caveCheckpoint = world.checkpoints.find((c) => world.zoneAt(c.tx, c.ty) === cave)!;
    expect(world.regionAt(caveCheckpoint.tx, caveCheckpoint.ty)).not.toBe(overworld);
    const doors = world.portals.filter((p) => p.kind === "door" && world.regionAt(p.from.tx, p.from.ty) === overworld);
    expect(doors.length).toBeGreaterThanOrEqual(4);
    const rooms = new Set(doors.map((d) => world.regionAt(d.to.tx, d.to.ty)));
    expect(rooms.size).toBe(doors.length);
    expect(rooms.has(overworld)).toBe(false);
    const caveMouth = world.portals.find((p) => p.kind === "cave" && world.regionAt(p.from.tx, p.from.ty) === overworld)!;
    expect(world.zoneAt(caveMouth.to.tx, caveMouth.to.ty)).toBe(cave);
    const caveExit = world.portals.find((p) => p.kind === "cave" && p !== caveMouth)!;
    expect(world.regionAt(caveExit.to.tx, caveExit.to.ty)).toBe(overworld);
  });

  it("has mob areas in every zone but the village, the boss in the cave, chests of both sorts and NPCs, all where a player can walk", () => {
    const overworld = world.regionAt(world.spawn.tx, world.spawn.ty);
    const zonesWithMobs = new Set(world.mobAreas.map((a) => world.zoneAt(a.rect.tx, a.rect.ty)?.name));
    for (const zone of ["Oakwood", "Pinewood", "Foothills", "West meadows", "South fields", "Beach", "Cave"]) expect(zonesWithMobs).toContain(zone);
    expect(zonesWithMobs).not.toContain("Village");
    const boss = world.mobAreas.filter((a) => a.kind === "boss");
    expect(boss).toHaveLength(1);
    expect(world.zoneAt(boss[0].rect.tx, boss[0].rect.ty)?.kind).toBe("cave");
    expect(new Set(world.mobAreas.map((a) => a.kind)).size).toBeGreaterThanOrEqual(7);
    // Mobs are kept off the spawn and checkpoints: a player coming back to life is not set upon.
    for (const area of world.mobAreas)
      for (const point of [world.spawn, ...world.checkpoints]) {
        const r = area.rect;
        expect(point.tx >= r.tx - 3 && point.tx < r.tx + r.w + 3 && point.ty >= r.ty - 3 && point.ty < r.ty + r.h + 3).toBe(false);
      }
    expect(world.chests.some((c) => c.area === null)).toBe(true);
    expect(world.chests.some((c) => c.area === "boss lair")).toBe(true);
    expect(world.npcs.length).toBeGreaterThanOrEqual(5);
    const reached = reachableFrom(world, world.spawn);
    for (const spot of [...world.chests, ...world.npcs]) expect(reached[spot.ty * world.width + spot.tx], `${spot.name}`).toBe(1);
    expect(world.npcs.filter((n) => world.regionAt(n.tx, n.ty) === overworld).length).toBeGreaterThanOrEqual(5);
  });
});

describe("map validation", () => {
  const good = ["S..C", "...."];

  it("accepts a small valid map", () => {
    const map = asciiMap(good);
    expect(map.width).toBe(4);
    expect(map.blocked(0, 0)).toBe(false);
    expect(map.blocked(-1, 0)).toBe(true);
    expect(map.blocked(4, 0)).toBe(true);
  });

  it("refuses an unknown tile id, naming the layer and the tile", () => {
    const tiled = asciiTiled(good);
    (tiled.layers[1] as TiledTileLayer).data[5] = 999;
    expect(() => parseMap(tiled)).toThrow(new MapError('unknown tile id 999 in layer "objects" at (1, 1)'));
  });

  it("refuses an empty slot of the catalogue and flipped gids", () => {
    const empty = TILES.findIndex((t) => t.name === "empty") + 1;
    for (const gid of [empty, 0x80000001]) {
      const tiled = asciiTiled(good);
      (tiled.layers[0] as TiledTileLayer).data[0] = gid;
      expect(() => parseMap(tiled)).toThrow(/unknown tile id/);
    }
  });

  it("refuses a spawn walled in, away from its checkpoints", () => {
    expect(() => asciiMap(["S#.C", "##.."])).toThrow(/checkpoint "cp0" at \(3, 0\) is unreachable from the spawn \(0, 0\)/);
  });

  it("refuses a spawn on a blocked tile", () => {
    const tiled = asciiTiled(good);
    (tiled.layers[1] as TiledTileLayer).data[0] = tileIndex("rock") + 1;
    expect(() => parseMap(tiled)).toThrow(/the spawn at \(0, 0\) is on a blocked tile/);
  });

  it("refuses a zone without a checkpoint", () => {
    const zones = [
      { name: "west", kind: "meadow", rect: { tx: 0, ty: 0, w: 2, h: 2 } },
      { name: "east", kind: "forest", rect: { tx: 2, ty: 0, w: 2, h: 2 } },
    ];
    expect(() => asciiMap(["SC..", "...."], { zones })).toThrow(new MapError('zone "east" has no checkpoint'));
  });

  it("refuses a zone of an unknown kind and a portal into rock", () => {
    expect(() => asciiMap(good, { zones: [{ name: "moon", kind: "lunar", rect: { tx: 0, ty: 0, w: 4, h: 2 } }] })).toThrow(/kind "lunar"/);
    expect(() => asciiMap(["S.aC", "...#"], { portals: { a: { tx: 3, ty: 1 } } })).toThrow(/leads to a blocked tile \(3, 1\)/);
  });

  it("refuses mob areas, chests and NPCs that cannot be played: unknown kinds and items, too few open tiles, an unknown area, a blocked or shared tile", () => {
    const field = ["S...", "....", ".##."];
    const area = { name: "rats", kind: "rat", count: 2, rect: { tx: 0, ty: 1, w: 2, h: 1 } };
    expect(asciiMap(field, { mobs: [area] }).mobAreas).toEqual([{ ...area, kind: "rat" }]);
    expect(() => asciiMap(field, { mobs: [{ ...area, kind: "dragon" }] })).toThrow(new MapError('mob area "rats" has kind "dragon"'));
    expect(() => asciiMap(field, { mobs: [{ ...area, count: 2, rect: { tx: 1, ty: 2, w: 2, h: 1 } }] })).toThrow(new MapError('mob area "rats" has 0 open tiles for 2 mobs'));
    const chest = { name: "box", at: { tx: 3, ty: 0 }, items: ["flask"] };
    expect(asciiMap(field, { chests: [chest] }).chests).toEqual([{ name: "box", tx: 3, ty: 0, items: ["flask"], area: null }]);
    expect(() => asciiMap(field, { chests: [{ ...chest, items: ["cake"] }] })).toThrow(new MapError('chest "box" holds an unknown item "cake"'));
    expect(() => asciiMap(field, { chests: [{ ...chest, area: "bats" }] })).toThrow(new MapError('chest "box" waits for an unknown mob area "bats"'));
    expect(() => asciiMap(field, { chests: [{ ...chest, at: { tx: 1, ty: 2 } }] })).toThrow(new MapError('chest "box" at (1, 2) is on a blocked tile'));
    const npc = { name: "Elder", kind: "elder", at: { tx: 3, ty: 0 } };
    expect(() => asciiMap(field, { npcs: [{ ...npc, kind: "wizard" }] })).toThrow(new MapError('NPC "Elder" has kind "wizard"'));
    expect(() => asciiMap(field, { chests: [chest], npcs: [npc] })).toThrow(new MapError('NPC "Elder" shares its tile with another chest or NPC'));
  });

  it("refuses what is not a map at all", () => {
    expect(() => parseMap(null)).toThrow(MapError);
    expect(() => parseMap({ type: "map", orientation: "isometric" })).toThrow(/orthogonal/);
    expect(() => parseMap({ ...asciiTiled(good), layers: [] })).toThrow(/missing tile layer "ground"/);
  });

  it("splits areas at portals: a door in a corridor separates its two sides, and belongs to an open side next to it", () => {
    const map = asciiMap(["S.a.C", "#####"], { portals: { a: { tx: 3, ty: 0 } } });
    expect(map.regionAt(0, 0)).not.toBe(map.regionAt(4, 0));
    expect(map.regionAt(2, 0)).toBe(map.regionAt(0, 0));
    expect(map.regionAt(0, 1)).toBe(-1);
    expect(findPath(map, { tx: 0, ty: 0 }, { tx: 4, ty: 0 })).toBeNull();
  });

  it("follows portals when judging reachability: a checkpoint behind a door counts", () => {
    // The right half is closed off; the door on the left leads into it.
    const map = asciiMap(["S.a#..", "...#.C"], { portals: { a: { tx: 4, ty: 0 } } });
    expect(map.portalAt(2, 0)?.to).toEqual({ tx: 4, ty: 0 });
    expect(map.regionAt(0, 0)).not.toBe(map.regionAt(5, 1));
  });
});

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import {
  ARMOR_TIERS,
  ART_DIR,
  CHARACTER_COLUMNS,
  generateArt,
  ITEM_FRAMES,
  MOB_ART,
  MOB_FRAME,
  NPC_ART,
  WEAPON_FRAME,
  WEAPON_TIERS,
} from "../scripts/gen-art.js";
import { ITEM_KINDS, MAX_ARMOR, MAX_WEAPON } from "../src/shared/items.js";
import { MOB_KINDS } from "../src/shared/mobs.js";
import { NPC_KINDS } from "../src/shared/npcs.js";
import { TILE_SIZE, TILES, TILESET_COLUMNS } from "../src/shared/tiles.js";

/** The RGBA of one frame of a sheet, as a string (to compare frames). */
function frame(sheet: PNG, size: number, index: number): { key: string; opaque: number } {
  const columns = sheet.width / size;
  const x0 = (index % columns) * size;
  const y0 = Math.floor(index / columns) * size;
  const out: number[] = [];
  let opaque = 0;
  for (let y = y0; y < y0 + size; y++)
    for (let x = x0; x < x0 + size; x++) {
      const rgba = sheet.data.readUInt32BE((y * sheet.width + x) * 4);
      out.push(rgba);
      if ((rgba & 0xff) === 0xff) opaque++;
    }
  return { key: out.join(), opaque };
}

describe("gen-art", () => {
  const generated = generateArt();

  it("reproduces every committed file of assets/art byte for byte, and nothing else is there", () => {
    expect(readdirSync(ART_DIR).sort()).toEqual([...generated.keys()].sort());
    for (const [name, data] of generated) expect(readFileSync(join(ART_DIR, name)).equals(data), `${name} differs: run npm run gen:art`).toBe(true);
  });

  it("draws every placeable tile of the catalogue (no blank slot for a named tile)", () => {
    const sheet = PNG.sync.read(generated.get("tiles.png")!);
    expect(sheet.width).toBe(TILESET_COLUMNS * TILE_SIZE);
    TILES.forEach((info, index) => {
      if (info.name === "empty") return;
      const x0 = (index % TILESET_COLUMNS) * TILE_SIZE;
      const y0 = Math.floor(index / TILESET_COLUMNS) * TILE_SIZE;
      let opaque = 0;
      for (let y = y0; y < y0 + TILE_SIZE; y++) for (let x = x0; x < x0 + TILE_SIZE; x++) if (sheet.data[(y * sheet.width + x) * 4 + 3] > 0) opaque++;
      expect(opaque, info.name).toBeGreaterThan(0);
    });
  });

  it("animation frames of a tile differ from each other (the water really moves)", () => {
    const sheet = PNG.sync.read(generated.get("tiles.png")!);
    const pixels = (index: number) => {
      const out: number[] = [];
      const x0 = (index % TILESET_COLUMNS) * TILE_SIZE;
      const y0 = Math.floor(index / TILESET_COLUMNS) * TILE_SIZE;
      for (let y = y0; y < y0 + TILE_SIZE; y++) for (let x = x0; x < x0 + TILE_SIZE; x++) out.push(sheet.data.readUInt32BE((y * sheet.width + x) * 4));
      return out.join();
    };
    for (const info of TILES) {
      if (!info.frames) continue;
      const frames = new Set(info.frames.map(pixels));
      expect(frames.size, info.name).toBe(info.frames.length);
    }
  });

  it("has art for every mob kind, item kind, NPC kind and gear rank of the shared rules, in their wire order", () => {
    expect([...MOB_ART]).toEqual([...MOB_KINDS]);
    expect(ITEM_FRAMES.slice(0, ITEM_KINDS.length)).toEqual([...ITEM_KINDS]);
    expect([...NPC_ART]).toEqual([...NPC_KINDS]);
    expect(WEAPON_TIERS).toBe(MAX_WEAPON);
    expect(ARMOR_TIERS).toBe(MAX_ARMOR - 1);
    const weapons = PNG.sync.read(generated.get("weapons.png")!);
    expect(weapons.height).toBe(MAX_WEAPON * 3 * WEAPON_FRAME);
  });

  it("every mob kind is drawn in every facing, and walks, idles and swings in frames that differ", () => {
    const mobs = PNG.sync.read(generated.get("mobs.png")!);
    expect(mobs.width).toBe(CHARACTER_COLUMNS * MOB_FRAME);
    MOB_ART.forEach((kind, k) => {
      for (let facing = 0; facing < 3; facing++) {
        const first = (k * 3 + facing) * CHARACTER_COLUMNS;
        const frames = Array.from({ length: CHARACTER_COLUMNS }, (_, c) => frame(mobs, MOB_FRAME, first + c));
        for (const f of frames) expect(f.opaque, kind).toBeGreaterThan(20);
        // Walk (0..3) moves, the strike (7) differs from standing (4).
        expect(new Set(frames.slice(0, 4).map((f) => f.key)).size, `${kind} walk`).toBeGreaterThan(1);
        expect(frames[7].key, `${kind} strike`).not.toBe(frames[4].key);
      }
    });
  });
});

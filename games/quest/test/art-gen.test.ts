import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { ART_DIR, generateArt } from "../scripts/gen-art.js";
import { TILE_SIZE, TILES, TILESET_COLUMNS } from "../src/shared/tiles.js";

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
});

/**
 * Draws all of Quest's pixel art with code, into `assets/art/`: the tile set (every tile of
 * `src/shared/tiles.ts` at its index), the character sheet, the target marker, the chat
 * logo, the HUD icons and a small bitmap font (PNG + BMFont XML, which Phaser reads); chat
 * bubbles are drawn by the client in the same ink and warm white.
 * Nothing is copied from anywhere: every pixel comes from the shapes and the palette below.
 * Seeded, so `npm run gen:art` reproduces the committed PNGs byte for byte (test/art-gen.test.ts).
 *
 * Style: 16 px tiles, a 1 px dark outline around standing things and characters, light from
 * the top left (highlights on top/left edges, shade on bottom/right), one palette of 34
 * colours for the whole game.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PNG } from "pngjs";
import { ITEM_KINDS } from "../src/shared/items.js";
import { TILE_SIZE, TILES, TILESET_COLUMNS } from "../src/shared/tiles.js";

/**
 * The palette, chosen per zone: warm browns, terracotta and straw for the village; deep
 * greens for the forest; sand and teal for the beach; cool greys and purples for the cave.
 * The darkest purple is the outline of everything, so sprites sit in every zone.
 */
export const PALETTE = {
  ink: "#1b1626", // outlines, eyes
  shadow: "#2e2438", // deepest shade, cave pits
  night: "#3b3050", // cave floor shade
  cave: "#524869", // cave walls
  stone: "#756e8c", // stone mid
  slate: "#9f99b3", // stone light
  mist: "#cfcadb", // stone highlight
  white: "#fff8e7", // bubbles, sparkles (a warm white)
  forestDeep: "#1f3b2d", // forest shadow
  forest: "#2d5a3c", // forest floor, pine
  leaf: "#3f7d3f", // leaves, grass shade
  grass: "#5fa646", // grass
  grassLight: "#8fcf5c", // grass highlight
  lime: "#c3e67a", // sunlit leaf tips
  bark: "#5a3a2c", // trunks, dark wood
  wood: "#8a5a3a", // planks
  woodLight: "#b98356", // plank highlight
  sandDark: "#c9a063", // path, sand shade
  sand: "#e6c88a", // beach
  sandLight: "#f5e3b3", // sand highlight
  roofDark: "#8e3b32", // roof shade
  roof: "#c2553d", // terracotta roofs
  orange: "#e88a3c", // flame, lava
  gold: "#f6c744", // flame core, flowers, hair
  waterDeep: "#1f4a7a", // deep water
  water: "#2f79a8", // water
  teal: "#3fb0b8", // shallows
  foam: "#9ae6df", // wave highlights
  skin: "#f2c29a",
  skinShade: "#c98a62",
  pink: "#ec7fa8", // flowers
  red: "#d23c3c", // flowers, tunics
  purple: "#7b4fa8", // tunics, cave crystals
  blue: "#3d63c9", // tunics
} as const;
type ColourName = keyof typeof PALETTE;
type Rgba = readonly [number, number, number, number];

const CLEAR: Rgba = [0, 0, 0, 0];
function rgba(name: ColourName, alpha = 255): Rgba {
  const hex = PALETTE[name];
  return [Number.parseInt(hex.slice(1, 3), 16), Number.parseInt(hex.slice(3, 5), 16), Number.parseInt(hex.slice(5, 7), 16), alpha];
}
const C = Object.fromEntries(Object.keys(PALETTE).map((name) => [name, rgba(name as ColourName)])) as Record<ColourName, Rgba>;
/** Soft ground shadow under standing things: the outline colour, translucent. */
const SHADE: Rgba = [0x1b, 0x16, 0x26, 90];

/** mulberry32: a small seeded generator, so every run draws the same pixels. */
function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}
const ART_SEED = 0x9e57;

/** An RGBA image with the few drawing operations the art needs. */
class Img {
  readonly data: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array(width * height * 4);
  }
  inside(x: number, y: number): boolean {
    return x >= 0 && y >= 0 && x < this.width && y < this.height;
  }
  set(x: number, y: number, c: Rgba): void {
    if (!this.inside(x, y)) return;
    const i = (y * this.width + x) * 4;
    if (c[3] === 255 || c[3] === 0) {
      this.data[i] = c[0];
      this.data[i + 1] = c[1];
      this.data[i + 2] = c[2];
      this.data[i + 3] = c[3];
      return;
    }
    // Translucent: blend over what is there (shadows on ground, or alone on transparent).
    const a = c[3] / 255;
    const under = this.data[i + 3] / 255;
    const out = a + under * (1 - a);
    for (let k = 0; k < 3; k++) this.data[i + k] = Math.round((c[k] * a + this.data[i + k] * under * (1 - a)) / out);
    this.data[i + 3] = Math.round(out * 255);
  }
  alpha(x: number, y: number): number {
    return this.inside(x, y) ? this.data[(y * this.width + x) * 4 + 3] : 0;
  }
  same(x: number, y: number, c: Rgba): boolean {
    if (!this.inside(x, y)) return false;
    const i = (y * this.width + x) * 4;
    return this.data[i] === c[0] && this.data[i + 1] === c[1] && this.data[i + 2] === c[2] && this.data[i + 3] === c[3];
  }
  rect(x: number, y: number, w: number, h: number, c: Rgba): void {
    for (let j = y; j < y + h; j++) for (let i = x; i < x + w; i++) this.set(i, j, c);
  }
  /** A filled ellipse in the box (x, y, w, h). */
  ellipse(x: number, y: number, w: number, h: number, c: Rgba): void {
    const cx = x + w / 2;
    const cy = y + h / 2;
    for (let j = y; j < y + h; j++) {
      for (let i = x; i < x + w; i++) {
        const dx = (i + 0.5 - cx) / (w / 2);
        const dy = (j + 0.5 - cy) / (h / 2);
        if (dx * dx + dy * dy <= 1) this.set(i, j, c);
      }
    }
  }
  /** Copies a region of `from` here; `flip` mirrors it horizontally. */
  blit(from: Img, sx: number, sy: number, w: number, h: number, dx: number, dy: number, flip = false): void {
    for (let j = 0; j < h; j++) {
      for (let i = 0; i < w; i++) {
        const fi = ((sy + j) * from.width + sx + (flip ? w - 1 - i : i)) * 4;
        const ti = ((dy + j) * this.width + dx + i) * 4;
        for (let k = 0; k < 4; k++) this.data[ti + k] = from.data[fi + k];
      }
    }
  }
  /** Pastes `from` over this image where `from` is opaque (alpha blended). */
  over(from: Img, dx: number, dy: number): void {
    for (let j = 0; j < from.height; j++) {
      for (let i = 0; i < from.width; i++) {
        const fi = (j * from.width + i) * 4;
        if (from.data[fi + 3] === 0) continue;
        this.set(dx + i, dy + j, [from.data[fi], from.data[fi + 1], from.data[fi + 2], from.data[fi + 3]]);
      }
    }
  }
  /**
   * Outlines every opaque shape in the region: transparent (or translucent shadow) pixels
   * touching an opaque pixel on a side become `c`. One pass, so every sprite gets the same
   * 1 px line.
   */
  outline(x: number, y: number, w: number, h: number, c: Rgba = C.ink): void {
    const solid = (i: number, j: number) =>
      i >= x && j >= y && i < x + w && j < y + h && this.alpha(i, j) === 255 && !this.same(i, j, c);
    const marks: [number, number][] = [];
    for (let j = y; j < y + h; j++) {
      for (let i = x; i < x + w; i++) {
        if (this.alpha(i, j) === 255) continue;
        if (solid(i - 1, j) || solid(i + 1, j) || solid(i, j - 1) || solid(i, j + 1)) marks.push([i, j]);
      }
    }
    for (const [i, j] of marks) {
      this.set(i, j, CLEAR);
      this.set(i, j, c);
    }
  }
  png(): Buffer {
    const png = new PNG({ width: this.width, height: this.height, colorType: 6 });
    Buffer.from(this.data.buffer, this.data.byteOffset, this.data.length).copy(png.data);
    return PNG.sync.write(png, { colorType: 6, deflateLevel: 9 });
  }
}

/** Draws rows of characters, one colour per character ('.' = leave as is). */
function pattern(img: Img, x: number, y: number, rows: readonly string[], colours: Record<string, Rgba>, flip = false): void {
  rows.forEach((row, j) => {
    for (let i = 0; i < row.length; i++) {
      const ch = row[flip ? row.length - 1 - i : i];
      if (ch !== ".") img.set(x + i, y + j, colours[ch]);
    }
  });
}

// ---------------------------------------------------------------------------------------
// Tiles. Each function draws one 16×16 tile into `t` (a fresh transparent image) with a
// generator seeded per tile, so changing one tile does not reshuffle the others.

const S = TILE_SIZE;
type TileDraw = (t: Img, rng: () => number) => void;

/** Sprinkles `count` single pixels of `c` at random spots (kept 1 px off the edges). */
function speckle(t: Img, rng: () => number, count: number, c: Rgba, margin = 1): void {
  for (let n = 0; n < count; n++) t.set(margin + Math.floor(rng() * (S - 2 * margin)), margin + Math.floor(rng() * (S - 2 * margin)), c);
}

/** A grass tuft: a small 'v' with a lit tip, drawn at (x, y) = its base. */
function tuft(t: Img, x: number, y: number, dark: Rgba, light: Rgba): void {
  t.set(x, y, dark);
  t.set(x - 1, y - 1, dark);
  t.set(x + 1, y - 1, dark);
  t.set(x + 1, y - 2, light);
}

function grassBase(t: Img, rng: () => number): void {
  t.rect(0, 0, S, S, C.grass);
  speckle(t, rng, 10, C.grassLight, 0);
  speckle(t, rng, 6, C.leaf, 0);
  for (let n = 0; n < 3; n++) tuft(t, 2 + Math.floor(rng() * 11), 4 + Math.floor(rng() * 10), C.leaf, C.grassLight);
}

/** Flowers at fixed spots; `sway` shifts their heads one pixel for the breeze frame. */
function flowers(t: Img, sway: number, spots: readonly [number, number, Rgba][]): void {
  for (const [x, y, petal] of spots) {
    t.set(x, y + 1, C.leaf);
    t.set(x, y + 2, C.leaf);
    const hx = x + sway;
    t.set(hx - 1, y, petal);
    t.set(hx + 1, y, petal);
    t.set(hx, y - 1, petal);
    t.set(hx, y + 1 - 0, petal);
    t.set(hx, y, C.gold);
    t.set(hx - 1, y - 1, C.white);
  }
}
const FLOWER_SPOTS: readonly [number, number, Rgba][] = [
  [3, 4, C.pink],
  [11, 3, C.white],
  [7, 10, C.red],
  [13, 12, C.pink],
  [3, 12, C.gold],
];

/** Water: deep base, lighter band on top, and short wave crests that drift right by 4 px a frame (16 px period, so tiles join). */
function water(frame: number): TileDraw {
  return (t) => {
    t.rect(0, 0, S, S, C.water);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) if (((x * 5 + y * 11) & 31) === 0) t.set(x, y, C.waterDeep);
    const crests: [number, number, number][] = [
      [1, 3, 5],
      [9, 7, 4],
      [4, 12, 5],
      [13, 14, 3],
    ];
    for (const [x0, y, len] of crests) {
      for (let k = 0; k < len; k++) {
        const x = (x0 + k + frame * 4) & 15;
        t.set(x, y, k === 0 || k === len - 1 ? C.teal : C.foam);
        t.set(x, y + 1, C.waterDeep);
      }
    }
    // A glint that blinks on one frame in four.
    if (frame === 1) t.set(6, 5, C.white);
    if (frame === 3) t.set(12, 10, C.white);
  };
}

function lava(frame: number): TileDraw {
  return (t) => {
    // A dark crust over glowing rivers; the glow drifts a quarter tile a frame (16 px period).
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        const p = (2 * Math.PI) / S;
        const v =
          Math.sin((x + frame * 4) * p) * 0.6 + Math.sin((y + x * 0.0) * p * 2 + frame * 1.3) * 0.5 + Math.cos((x - y) * p + frame * 0.8) * 0.6;
        t.set(x, y, v > 1 ? C.gold : v > 0.35 ? C.orange : v > -0.4 ? C.red : C.roofDark);
      }
    }
  };
}

/** A torch on a post; the flame flickers between two shapes. */
function torch(frame: number): TileDraw {
  return (t) => {
    t.ellipse(4, 13, 8, 3, SHADE);
    t.rect(7, 7, 2, 7, C.wood);
    t.set(8, 7, C.bark);
    t.rect(6, 6, 4, 2, C.bark);
    const flame =
      frame === 0
        ? ["..o..", ".ooo.", ".oyo.", "oyyyo", ".oyo."]
        : [".o...", ".oo..", ".oyo.", "ooyyo", ".oyo."];
    pattern(t, 5, 1, flame, { o: C.orange, y: C.gold });
    t.outline(0, 0, S, S);
    t.set(8, 3, C.white);
  };
}

/**
 * A tree drawn whole, 32 × 32, then cut into its tiles. The map puts the crown's lower half
 * on the trunk's own row (layer `above`), so the trunk shows at the bottom of that half; the
 * `objects` trunk tiles hold the trunk alone, for editors and for the collision they mark.
 */
function drawTree(pine: boolean, trunkOnly = false): Img {
  const tree = new Img(32, 32);
  const rng = createRng(ART_SEED + (pine ? 7 : 3));
  tree.ellipse(5, 26, 22, 6, SHADE);
  // Trunk with roots.
  tree.rect(13, 20, 6, 10, C.bark);
  tree.rect(13, 20, 2, 10, C.wood);
  tree.rect(11, 28, 2, 2, C.bark);
  tree.rect(19, 28, 2, 2, C.bark);
  tree.set(17, 26, C.ink);
  if (trunkOnly) {
    tree.outline(0, 0, 32, 32);
    return tree;
  }
  if (pine) {
    // Three stacked tiers, widest at the bottom.
    const tiers: [number, number, number][] = [
      [16, 0, 12],
      [16, 6, 20],
      [16, 13, 28],
    ];
    for (const [cx, top, width] of tiers) {
      for (let y = 0; y < 11; y++) {
        const half = Math.round(((y + 2) / 12) * (width / 2));
        for (let x = cx - half; x < cx + half; x++) {
          const lit = x < cx - half / 3;
          const dark = x > cx + half / 3 || y > 8;
          tree.set(x, top + y, dark ? C.forestDeep : lit ? C.leaf : C.forest);
        }
      }
    }
    for (let n = 0; n < 14; n++) tree.set(8 + Math.floor(rng() * 10), 4 + Math.floor(rng() * 18), C.grass);
  } else {
    // Round crown: shade blob, mid blob, light blob up-left, then leaf clusters.
    tree.ellipse(2, 0, 28, 24, C.leaf);
    tree.ellipse(1, 4, 30, 19, C.leaf);
    for (let y = 0; y < 24; y++) {
      for (let x = 0; x < 32; x++) {
        if (!tree.same(x, y, C.leaf)) continue;
        const d = (x - 22) * (x - 22) + (y - 18) * (y - 18);
        if (d < 80 || y > 19) tree.set(x, y, C.forest);
      }
    }
    tree.ellipse(5, 2, 16, 11, C.grass);
    tree.ellipse(8, 3, 8, 5, C.grassLight);
    for (let n = 0; n < 40; n++) {
      const x = 3 + Math.floor(rng() * 26);
      const y = 2 + Math.floor(rng() * 20);
      if (tree.alpha(x, y) !== 255 || tree.same(x, y, C.bark) || tree.same(x, y, C.wood)) continue;
      const c = tree.same(x, y, C.forest) ? C.forestDeep : tree.same(x, y, C.grassLight) ? C.lime : C.forest;
      tree.set(x, y, c);
      tree.set(x + 1, y, c);
    }
    // A few red apples.
    for (const [x, y] of [
      [10, 15],
      [21, 9],
      [17, 18],
    ]) {
      tree.set(x, y, C.red);
      tree.set(x, y - 1, C.gold);
    }
  }
  tree.outline(0, 0, 32, 32);
  return tree;
}

function drawPalm(): Img {
  const palm = new Img(16, 32);
  palm.ellipse(2, 28, 12, 4, SHADE);
  // Leaning, ringed trunk.
  for (let y = 9; y < 31; y++) {
    const x = 7 + Math.round(Math.sin((y - 9) / 14) * 1.5);
    palm.rect(x, y, 3, 1, y % 3 === 0 ? C.bark : C.wood);
    palm.set(x, y, C.woodLight);
  }
  // Fronds: arcs from the top.
  const fronds: [number, number][] = [
    [-1, -0.35],
    [1, -0.35],
    [-1, 0.45],
    [1, 0.45],
    [-0.2, -1],
  ];
  for (const [dx, dy] of fronds) {
    for (let k = 0; k < 8; k++) {
      const x = Math.round(8 + dx * k);
      const y = Math.round(8 + dy * k + (k * k) / 14);
      palm.set(x, y, k < 4 ? C.grass : C.leaf);
      palm.set(x, y + 1, C.forest);
    }
  }
  palm.set(7, 9, C.bark);
  palm.set(9, 10, C.bark);
  palm.outline(0, 0, 16, 32);
  return palm;
}

function drawHouseWall(t: Img, window: boolean): void {
  t.rect(0, 0, S, S, C.sandLight);
  // Timber frame: a beam top and bottom (no posts, so walls read as one run, not boxes).
  t.rect(0, 0, S, 2, C.wood);
  t.rect(0, 0, S, 1, C.bark);
  t.rect(0, 14, S, 2, C.bark);
  t.rect(0, 14, S, 1, C.wood);
  // Plaster texture.
  t.set(4, 5, C.sand);
  t.set(11, 9, C.sand);
  t.set(6, 11, C.sand);
  if (window) {
    t.rect(4, 4, 8, 7, C.bark);
    t.rect(5, 5, 6, 5, C.waterDeep);
    t.rect(5, 5, 3, 2, C.water);
    t.set(5, 5, C.foam);
    t.rect(7, 5, 1, 5, C.bark);
    t.rect(5, 7, 6, 1, C.bark);
    t.rect(3, 11, 10, 1, C.wood);
    t.set(4, 11, C.woodLight);
  }
}

function drawRoof(t: Img, part: "l" | "m" | "r" | "top"): void {
  // Rows of rounded shingles, offset every other row: lit top edge, dark rounded bottom.
  for (let y = 0; y < S; y++) {
    const row = Math.floor(y / 4);
    const inRow = y % 4;
    for (let x = 0; x < S; x++) {
      const k = (x + (row % 2) * 2) % 4;
      let c = C.roof;
      if (inRow === 0) c = k === 0 ? C.roofDark : C.orange;
      else if (inRow === 3) c = k === 0 || k === 3 ? C.shadow : C.roofDark;
      else if (k === 0) c = C.roofDark;
      t.set(x, y, c);
    }
  }
  if (part === "top") {
    // The ridge: a capped beam along the top.
    t.rect(0, 0, S, 4, C.roofDark);
    t.rect(0, 0, S, 1, C.ink);
    t.rect(0, 1, S, 1, C.orange);
    for (let x = 0; x < S; x += 4) {
      t.set(x + 1, 1, C.gold);
      t.set(x + 3, 2, C.shadow);
    }
  }
  if (part === "l") {
    t.rect(0, 0, 2, S, C.roofDark);
    t.rect(0, 0, 1, S, C.ink);
    t.rect(1, 0, 1, S, C.orange);
  }
  if (part === "r") {
    t.rect(14, 0, 2, S, C.shadow);
    t.rect(15, 0, 1, S, C.ink);
  }
}

/** Rough rock: overlapping boulders, each lit at its top left and shaded at its bottom right. */
function rockFace(t: Img, rng: () => number, base: Rgba, light: Rgba, dark: Rgba): void {
  t.rect(0, 0, S, S, dark);
  const stones: [number, number, number, number][] = [
    [-2, -1, 9, 7],
    [6, -2, 11, 8],
    [-3, 5, 8, 7],
    [4, 5, 9, 7],
    [12, 5, 7, 7],
    [-1, 11, 8, 7],
    [7, 11, 11, 7],
  ];
  for (const [x, y, w, h] of stones) {
    const jx = Math.floor(rng() * 2);
    for (let j = 0; j < h; j++) {
      for (let i = 0; i < w; i++) {
        const dx = (i + 0.5 - w / 2) / (w / 2);
        const dy = (j + 0.5 - h / 2) / (h / 2);
        const d = dx * dx + dy * dy;
        if (d > 1) continue;
        const px = (x + i + jx + S) % S;
        const py = (y + j + S) % S;
        const lit = dx + dy < -0.7 && d > 0.35;
        const shade = dx + dy > 0.8;
        t.set(px, py, lit ? light : shade ? dark : base);
      }
    }
  }
  speckle(t, rng, 5, dark, 1);
}

function drawDoor(t: Img): void {
  drawHouseWall(t, false);
  t.rect(3, 2, 10, 14, C.bark);
  t.rect(4, 3, 8, 13, C.wood);
  for (let x = 5; x < 12; x += 2) t.rect(x, 3, 1, 13, C.bark);
  t.rect(4, 3, 8, 1, C.woodLight);
  t.set(10, 9, C.gold);
  t.rect(3, 15, 10, 1, C.shadow);
}

const TILE_ART: Record<string, TileDraw> = {
  grass: grassBase,
  grass_flowers: (t, rng) => {
    grassBase(t, rng);
    flowers(t, 0, FLOWER_SPOTS);
  },
  grass_flowers_b: (t, rng) => {
    grassBase(t, rng);
    flowers(t, 1, FLOWER_SPOTS);
  },
  forest_floor: (t, rng) => {
    t.rect(0, 0, S, S, C.forest);
    speckle(t, rng, 12, C.forestDeep, 0);
    speckle(t, rng, 5, C.leaf, 0);
    // Fallen leaves and a twig.
    for (let n = 0; n < 3; n++) {
      const x = 1 + Math.floor(rng() * 13);
      const y = 1 + Math.floor(rng() * 13);
      t.set(x, y, C.wood);
      t.set(x + 1, y, C.sandDark);
    }
    t.set(9, 12, C.bark);
    t.set(10, 11, C.bark);
    t.set(11, 11, C.bark);
  },
  sand: (t, rng) => {
    t.rect(0, 0, S, S, C.sand);
    speckle(t, rng, 9, C.sandDark, 0);
    speckle(t, rng, 7, C.sandLight, 0);
    // Ripples.
    for (const [x, y] of [
      [2, 5],
      [9, 11],
    ])
      for (let k = 0; k < 4; k++) t.set(x + k, y + (k === 0 || k === 3 ? 0 : -1), C.sandDark);
  },
  path: (t, rng) => {
    t.rect(0, 0, S, S, C.sandDark);
    speckle(t, rng, 8, C.wood, 0);
    speckle(t, rng, 6, C.sand, 0);
    // Pebbles: lit top-left, shaded bottom-right.
    for (let n = 0; n < 3; n++) {
      const x = 2 + Math.floor(rng() * 11);
      const y = 2 + Math.floor(rng() * 11);
      t.set(x, y, C.sandLight);
      t.set(x + 1, y, C.sand);
      t.set(x + 1, y + 1, C.wood);
    }
  },
  plaza: (t, rng) => {
    // Round cobbles of a few sizes in low-contrast mortar: each lit at its top left, shaded
    // at its bottom right. Stones that cross an edge wrap, so the tiles join without seams.
    t.rect(0, 0, S, S, C.stone);
    const cobbles: [number, number, number, number][] = [
      [0, 0, 7, 6],
      [7, 1, 6, 5],
      [13, -1, 6, 6],
      [2, 6, 6, 5],
      [8, 6, 7, 6],
      [-2, 11, 5, 6],
      [3, 11, 6, 5],
      [9, 12, 6, 5],
    ];
    for (const [x, y, w, h] of cobbles) {
      for (let j = 0; j < h; j++) {
        for (let i = 0; i < w; i++) {
          const dx = (i + 0.5 - w / 2) / (w / 2);
          const dy = (j + 0.5 - h / 2) / (h / 2);
          if (dx * dx + dy * dy > 1.05) continue;
          const c = dx + dy < -0.9 ? C.mist : dx + dy > 0.7 ? C.stone : C.slate;
          t.set((x + i + S) % S, (y + j + S) % S, c);
        }
      }
    }
    speckle(t, rng, 3, C.mist, 2);
  },
  cave_floor: (t, rng) => {
    // Darker than the walls, so the rock reads as standing up out of it.
    t.rect(0, 0, S, S, C.shadow);
    speckle(t, rng, 12, C.night, 0);
    speckle(t, rng, 4, C.ink, 0);
    for (let n = 0; n < 2; n++) {
      const x = 2 + Math.floor(rng() * 11);
      const y = 2 + Math.floor(rng() * 11);
      t.set(x, y, C.cave);
      t.set(x + 1, y, C.night);
      t.set(x, y + 1, C.ink);
    }
  },
  wood_floor: (t) => {
    for (let y = 0; y < S; y++) {
      const plank = Math.floor(y / 4);
      for (let x = 0; x < S; x++) t.set(x, y, y % 4 === 3 ? C.bark : (x + plank * 5) % 16 === 0 ? C.bark : C.wood);
      if (y % 4 === 0) t.rect(0, y, S, 1, C.woodLight);
    }
    t.set(3, 1, C.bark);
    t.set(12, 9, C.bark);
  },
  bridge: (t) => {
    // Planks across, on two dark rails; water shows through the gaps.
    t.rect(0, 0, S, S, C.waterDeep);
    for (let x = 0; x < S; x += 4) {
      t.rect(x, 1, 3, 14, C.wood);
      t.rect(x, 1, 1, 14, C.woodLight);
      t.set(x + 1, 3, C.bark);
      t.set(x + 1, 12, C.bark);
    }
    t.rect(0, 0, S, 1, C.bark);
    t.rect(0, 15, S, 1, C.bark);
    t.rect(0, 14, S, 1, C.ink);
  },
  shallow: (t, rng) => {
    // Wet sand: darker than the beach, with puddles that catch the sky and specks of foam.
    t.rect(0, 0, S, S, C.sandDark);
    speckle(t, rng, 8, C.sand, 0);
    for (const [x, y, w] of [
      [2, 3, 5],
      [9, 7, 6],
      [3, 12, 4],
    ]) {
      t.rect(x, y, w, 2, C.teal);
      t.rect(x + 1, y + 2, w - 2, 1, C.teal);
      t.rect(x + 1, y, w - 3, 1, C.foam);
    }
    speckle(t, rng, 4, C.white, 1);
  },
  tall_grass: (t, rng) => {
    // Grass with tall blades in clumps: same base as plain grass, so patches blend in.
    grassBase(t, rng);
    for (const [x, base] of [
      [2, 6],
      [6, 14],
      [11, 9],
      [13, 15],
      [4, 11],
      [9, 4],
    ]) {
      const h = 4 + Math.floor(rng() * 3);
      for (let k = 0; k < h; k++) {
        const c = k > h - 2 ? C.lime : k > h / 2 ? C.grassLight : C.leaf;
        t.set(x - (k > h / 2 ? 1 : 0), base - k, c);
        if (k < h - 1) t.set(x + 1 + (k > h / 2 ? 1 : 0), base - k, k > h / 2 ? C.grassLight : C.leaf);
      }
      t.set(x, base + 1, C.forest);
      t.set(x + 1, base + 1, C.forest);
    }
  },
  water: water(0),
  water_b: water(1),
  water_c: water(2),
  water_d: water(3),
  rock: (t) => {
    t.ellipse(1, 10, 14, 6, SHADE);
    t.ellipse(2, 3, 12, 11, C.stone);
    t.ellipse(3, 3, 8, 7, C.slate);
    t.set(5, 5, C.mist);
    t.set(6, 5, C.mist);
    t.set(5, 6, C.mist);
    t.rect(4, 12, 9, 1, C.cave);
    t.set(12, 9, C.cave);
    t.set(11, 11, C.cave);
    t.set(9, 9, C.cave);
    t.set(10, 8, C.cave);
    t.outline(0, 0, S, S);
  },
  bush: (t) => {
    t.ellipse(1, 11, 14, 5, SHADE);
    t.ellipse(1, 4, 14, 11, C.leaf);
    t.ellipse(2, 4, 9, 7, C.grass);
    t.ellipse(4, 5, 4, 3, C.grassLight);
    t.rect(3, 12, 10, 2, C.forest);
    t.set(11, 9, C.forest);
    t.set(12, 8, C.forest);
    t.set(6, 10, C.red);
    t.set(10, 6, C.red);
    t.set(8, 11, C.red);
    t.outline(0, 0, S, S);
  },
  fence: (t) => {
    t.rect(0, 5, S, 2, C.wood);
    t.rect(0, 9, S, 2, C.wood);
    t.rect(0, 5, S, 1, C.woodLight);
    t.rect(0, 9, S, 1, C.woodLight);
    for (const x of [2, 11]) {
      t.rect(x, 2, 3, 12, C.wood);
      t.rect(x, 2, 1, 12, C.woodLight);
      t.rect(x + 2, 3, 1, 11, C.bark);
      t.set(x + 1, 1, C.wood);
    }
    t.outline(0, 0, S, S);
    t.rect(0, 14, S, 1, SHADE);
  },
  cave_wall: (t, rng) => rockFace(t, rng, C.stone, C.slate, C.night),
  cliff: (t, rng) => rockFace(t, rng, C.wood, C.sandDark, C.bark),
  house_wall: (t) => drawHouseWall(t, false),
  house_window: (t) => drawHouseWall(t, true),
  sign: (t) => {
    t.ellipse(4, 13, 8, 3, SHADE);
    t.rect(7, 8, 2, 7, C.bark);
    t.rect(2, 2, 12, 7, C.wood);
    t.rect(2, 2, 12, 1, C.woodLight);
    t.rect(2, 8, 12, 1, C.bark);
    t.rect(4, 4, 6, 1, C.bark);
    t.rect(4, 6, 8, 1, C.bark);
    t.outline(0, 0, S, S);
  },
  stalagmite: (t) => {
    t.ellipse(2, 12, 12, 4, SHADE);
    for (let y = 0; y < 12; y++) {
      const half = Math.round((y + 2) / 2.4);
      for (let x = 8 - half; x < 8 + half; x++) t.set(x, y + 2, x < 8 - half / 3 ? C.slate : x < 8 + half / 3 ? C.stone : C.cave);
    }
    t.set(7, 4, C.mist);
    t.set(5, 10, C.purple);
    t.set(11, 11, C.purple);
    t.outline(0, 0, S, S);
  },
  well: (t) => {
    t.ellipse(1, 11, 14, 5, SHADE);
    // Stone ring seen from above-front, dark water inside, a little roof post.
    t.ellipse(1, 5, 14, 10, C.stone);
    t.ellipse(2, 5, 10, 6, C.slate);
    t.ellipse(4, 6, 8, 5, C.waterDeep);
    t.set(6, 7, C.foam);
    t.rect(1, 10, 14, 3, C.stone);
    t.rect(3, 11, 3, 1, C.cave);
    t.rect(9, 10, 3, 1, C.cave);
    t.rect(1, 1, 2, 10, C.bark);
    t.rect(13, 1, 2, 10, C.bark);
    t.rect(1, 1, 14, 1, C.wood);
    t.outline(0, 0, S, S);
  },
  crate: (t) => {
    t.ellipse(1, 12, 14, 4, SHADE);
    t.rect(2, 2, 12, 11, C.wood);
    t.rect(2, 2, 12, 1, C.woodLight);
    t.rect(2, 2, 1, 11, C.woodLight);
    t.rect(2, 12, 12, 1, C.bark);
    t.rect(13, 2, 1, 11, C.bark);
    for (let k = 0; k < 10; k++) t.set(3 + k, 3 + k, C.bark);
    t.rect(2, 7, 12, 1, C.bark);
    t.outline(0, 0, S, S);
  },
  roof_l: (t) => drawRoof(t, "l"),
  roof_m: (t) => drawRoof(t, "m"),
  roof_r: (t) => drawRoof(t, "r"),
  roof_top: (t) => drawRoof(t, "top"),
  door: drawDoor,
  cave_entrance: (t, rng) => {
    // A dark mouth in the cliff face (the cliff's colours, since the entrance sits in it).
    rockFace(t, rng, C.wood, C.sandDark, C.bark);
    t.ellipse(2, 3, 12, 18, C.ink);
    t.ellipse(4, 6, 8, 14, C.shadow);
    t.rect(2, 12, 12, 4, C.ink);
    t.rect(4, 12, 8, 4, C.shadow);
    t.rect(3, 3, 4, 1, C.sandDark);
  },
  cave_exit: (t, rng) => {
    // Daylight at the end of the tunnel: a lit arch in the cave floor.
    TILE_ART.cave_floor(t, rng);
    t.ellipse(2, 2, 12, 18, C.cave);
    t.ellipse(3, 3, 10, 16, C.sandLight);
    t.ellipse(5, 5, 6, 12, C.white);
    t.rect(3, 12, 10, 4, C.sand);
  },
  stairs: (t) => {
    t.rect(0, 0, S, S, C.shadow);
    for (let k = 0; k < 4; k++) {
      const y = k * 4;
      t.rect(k, y, S - 2 * k, 3, C.slate);
      t.rect(k, y, S - 2 * k, 1, C.mist);
      t.rect(k, y + 3, S - 2 * k, 1, C.cave);
    }
  },
  lava: lava(0),
  lava_b: lava(1),
  torch: torch(0),
  torch_b: torch(1),
  table: (t) => {
    t.ellipse(1, 11, 14, 5, SHADE);
    t.rect(2, 10, 2, 4, C.bark);
    t.rect(12, 10, 2, 4, C.bark);
    t.rect(1, 3, 14, 8, C.wood);
    t.rect(1, 3, 14, 1, C.woodLight);
    t.rect(1, 10, 14, 1, C.bark);
    t.rect(6, 5, 4, 3, C.white);
    t.rect(7, 4, 2, 1, C.sandLight);
    t.set(8, 6, C.red);
    t.outline(0, 0, S, S);
  },
  bed: (t) => {
    t.rect(2, 0, 12, 16, C.bark);
    t.rect(3, 1, 10, 4, C.white);
    t.rect(3, 4, 10, 1, C.mist);
    t.rect(3, 5, 10, 10, C.blue);
    t.rect(3, 5, 10, 1, C.white);
    for (let y = 7; y < 15; y += 3) t.rect(3, y, 10, 1, C.waterDeep);
    t.rect(12, 5, 1, 10, C.waterDeep);
    t.outline(0, 0, S, S);
  },
  shelf: (t) => {
    t.rect(1, 1, 14, 14, C.bark);
    t.rect(2, 2, 12, 12, C.shadow);
    const books: Rgba[] = [C.red, C.blue, C.gold, C.grass, C.purple, C.orange];
    for (const y of [2, 8]) {
      for (let x = 2, n = y; x < 14; x += 2, n++) t.rect(x, y + (n % 3 === 0 ? 1 : 0), 2, 5 - (n % 3 === 0 ? 1 : 0), books[n % books.length]);
      t.rect(2, y + 5, 12, 1, C.wood);
    }
    t.rect(1, 1, 14, 1, C.woodLight);
    t.outline(0, 0, S, S);
  },
  rug: (t) => {
    t.rect(0, 0, S, S, C.roofDark);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) if ((x + y) % 8 === 0 || (x - y + 16) % 8 === 0) t.set(x, y, C.gold);
    t.rect(0, 0, S, 1, C.roof);
    t.rect(0, 15, S, 1, C.shadow);
  },
};

function drawTiles(): Img {
  const rows = Math.ceil(TILES.length / TILESET_COLUMNS);
  const sheet = new Img(TILESET_COLUMNS * S, rows * S);
  const tree = drawTree(false);
  const pine = drawTree(true);
  const trunk = drawTree(false, true);
  const palm = drawPalm();
  const cut: Record<string, [Img, number, number]> = {
    tree_crown_tl: [tree, 0, 0],
    tree_crown_tr: [tree, 16, 0],
    tree_crown_bl: [tree, 0, 16],
    tree_crown_br: [tree, 16, 16],
    tree_trunk_l: [trunk, 0, 16],
    tree_trunk_r: [trunk, 16, 16],
    pine_crown_tl: [pine, 0, 0],
    pine_crown_tr: [pine, 16, 0],
    pine_crown_bl: [pine, 0, 16],
    pine_crown_br: [pine, 16, 16],
    pine_trunk_l: [trunk, 0, 16],
    pine_trunk_r: [trunk, 16, 16],
    palm_crown: [palm, 0, 0],
    palm_trunk: [palm, 0, 16],
  };
  TILES.forEach((info, index) => {
    if (info.name === "empty") return;
    const x = (index % TILESET_COLUMNS) * S;
    const y = Math.floor(index / TILESET_COLUMNS) * S;
    const piece = cut[info.name];
    if (piece) {
      sheet.blit(piece[0], piece[1], piece[2], S, S, x, y);
      return;
    }
    const draw = TILE_ART[info.name];
    if (draw === undefined) throw new Error(`no art for tile "${info.name}" (index ${index})`);
    const t = new Img(S, S);
    draw(t, createRng(ART_SEED + index * 7919));
    sheet.blit(t, 0, 0, S, S, x, y);
  });
  return sheet;
}

// ---------------------------------------------------------------------------------------
// Characters: 16 × 16 frames. Row = look × 3 + facing (down, up, right; left mirrors right);
// columns = walk 0..3, idle 0..1, then attack 0..1 (wind-up, strike leaning in).

export const CHARACTER_FRAME = 16;
export const CHARACTER_FACINGS = ["down", "up", "right"] as const;
export const WALK_FRAMES = 4;
export const IDLE_FRAMES = 2;
export const ATTACK_FRAMES = 2;
export const CHARACTER_COLUMNS = WALK_FRAMES + IDLE_FRAMES + ATTACK_FRAMES;
type Facing = (typeof CHARACTER_FACINGS)[number];
/** One step toward the way a character faces (the strike frame leans in by it). */
const FACING_STEP: Record<Facing, readonly [number, number]> = { down: [0, 1], up: [0, -1], right: [1, 0] };

/** Hairstyles, so looks differ in shape as well as colour. */
type Hair = "short" | "long" | "spiky" | "tail";
interface Look {
  style: Hair;
  hair: Rgba;
  hairShade: Rgba;
  tunic: Rgba;
  tunicShade: Rgba;
  legs: Rgba;
  skin: Rgba;
  skinShade: Rgba;
}
const look = (
  style: Hair,
  hair: ColourName,
  hairShade: ColourName,
  tunic: ColourName,
  tunicShade: ColourName,
  legs: ColourName,
  dark = false,
): Look => ({
  style,
  hair: C[hair],
  hairShade: C[hairShade],
  tunic: C[tunic],
  tunicShade: C[tunicShade],
  legs: C[legs],
  skin: dark ? C.woodLight : C.skin,
  skinShade: dark ? C.wood : C.skinShade,
});
/** Player looks (the schema's `look` field indexes this list, modulo its length). */
export const LOOKS: readonly Look[] = [
  look("short", "wood", "bark", "red", "roofDark", "bark"),
  look("long", "gold", "orange", "blue", "waterDeep", "wood"),
  look("spiky", "shadow", "ink", "grass", "leaf", "bark"),
  look("tail", "orange", "roofDark", "purple", "night", "shadow"),
  look("short", "mist", "slate", "teal", "water", "shadow"),
  look("spiky", "bark", "ink", "orange", "roof", "wood", true),
  look("long", "sandLight", "sandDark", "pink", "roof", "cave"),
  look("tail", "ink", "shadow", "gold", "sandDark", "bark", true),
];

/**
 * Draws one frame at (ox, oy). `walk` is the walk phase 0..3, or -1 when idle with `breath`
 * 0/1; `lean` shifts the body (the strike); `extra` adds clothes or a beard before the outline.
 */
function drawCharacter(
  img: Img,
  ox: number,
  oy: number,
  facing: Facing,
  walk: number,
  breath: number,
  l: Look,
  lean: readonly [number, number] = [0, 0],
  extra?: (f: Img, head: number) => void,
): void {
  const f = new Img(16, 16);
  const bob = walk === 1 || walk === 3 ? -1 : 0;
  const head = bob + breath;
  f.ellipse(3, 13, 10, 3, SHADE);
  if (facing === "right") {
    // Legs: apart on phases 0 and 2 (near leg forward on 0, back on 2), together on 1 and 3.
    const near = walk === 0 ? 2 : walk === 2 ? -2 : 0;
    const far = -near;
    f.rect(7 + far, 12 + bob, 2, 3 - bob, l.legs);
    f.set(7 + far, 14, C.ink);
    f.set(8 + far, 14, C.ink);
    f.rect(7 + near, 12 + bob, 2, 3 - bob, l.legs);
    f.rect(7 + near, 14, 3, 1, C.bark);
    // Body.
    f.rect(5, 8 + bob, 6, 5, l.tunic);
    f.rect(9, 8 + bob, 2, 5, l.tunicShade);
    f.rect(5, 11 + bob, 6, 1, C.bark);
    // Arm swings against the near leg.
    const arm = walk === 0 ? -1 : walk === 2 ? 1 : 0;
    f.rect(7 + arm, 9 + bob, 2, 3, l.tunicShade);
    f.rect(7 + arm, 12 + bob, 2, 1, l.skin);
    // Head: hair at the back (left), face at the front (right).
    f.rect(5, 1 + head, 6, 1, l.hair);
    f.rect(4, 2 + head, 8, 6, l.hair);
    f.rect(5, 8 + head, 6, 1, l.hair);
    f.rect(8, 4 + head, 4, 5, l.skin);
    f.rect(11, 5 + head, 1, 3, l.skinShade);
    f.rect(12, 6 + head, 1, 1, l.skin);
    f.set(10, 5 + head, C.ink);
    f.set(10, 6 + head, C.ink);
    f.rect(4, 8 + head, 4, 1, l.hairShade);
    f.set(5, 2 + head, l.hairShade === l.hair ? l.hair : C.white);
    f.set(6, 2 + head, l.hair);
  } else {
    const back = facing === "up";
    // Legs: one lifted on phases 0 and 2.
    const liftL = walk === 0 ? 1 : 0;
    const liftR = walk === 2 ? 1 : 0;
    f.rect(5, 12 + bob, 2, 3 - bob - liftL, l.legs);
    f.rect(9, 12 + bob, 2, 3 - bob - liftR, l.legs);
    f.rect(5, 14 - liftL, 2, 1, C.bark);
    f.rect(9, 14 - liftR, 2, 1, C.bark);
    // Body.
    f.rect(4, 8 + bob, 8, 5, l.tunic);
    f.rect(10, 8 + bob, 2, 5, l.tunicShade);
    f.rect(4, 11 + bob, 8, 1, C.bark);
    if (!back) f.set(8, 11 + bob, C.gold);
    // Arms swing opposite to the legs.
    f.rect(3, 8 + bob + liftR, 1, 4, l.tunicShade);
    f.set(3, 12 + bob + liftR, l.skin);
    f.rect(12, 8 + bob + liftL, 1, 4, l.tunicShade);
    f.set(12, 12 + bob + liftL, l.skinShade);
    // Head.
    // Rounded: 6, 8, then 10 px wide rows, 8 at the chin.
    f.rect(5, 1 + head, 6, 1, l.hair);
    f.rect(4, 2 + head, 8, 1, l.hair);
    f.rect(3, 3 + head, 10, 5, l.hair);
    f.rect(4, 8 + head, 8, 1, l.hair);
    if (back) {
      f.rect(4, 8 + head, 8, 1, l.hairShade);
      f.rect(6, 4 + head, 1, 3, l.hairShade);
      f.rect(9, 5 + head, 1, 3, l.hairShade);
      f.rect(11, 3 + head, 2, 5, l.hairShade);
      f.set(5, 3 + head, l.hairShade === l.hair ? l.hair : C.white);
    } else {
      f.rect(4, 4 + head, 8, 5, l.skin);
      f.rect(11, 4 + head, 1, 5, l.skinShade);
      f.rect(4, 8 + head, 8, 1, l.skinShade);
      f.rect(3, 4 + head, 1, 3, l.hair);
      f.rect(12, 4 + head, 1, 3, l.hairShade);
      f.rect(4, 4 + head, 2, 1, l.hair);
      f.set(6, 5 + head, C.ink);
      f.set(6, 6 + head, C.ink);
      f.set(9, 5 + head, C.ink);
      f.set(9, 6 + head, C.ink);
      f.set(5, 7 + head, C.pink);
      f.set(10, 7 + head, C.pink);
      f.set(5, 2 + head, C.white);
    }
  }
  hairstyle(f, facing, head, l);
  extra?.(f, head);
  const leaned = lean[0] === 0 && lean[1] === 0 ? f : new Img(16, 16);
  if (leaned !== f) leaned.over(f, lean[0], lean[1]);
  leaned.outline(0, 0, 16, 16);
  img.blit(leaned, 0, 0, 16, 16, ox, oy);
}

/** What each hairstyle adds over the basic short cut, drawn after the body and head. */
function hairstyle(f: Img, facing: (typeof CHARACTER_FACINGS)[number], head: number, l: Look): void {
  const { hair, hairShade } = l;
  if (l.style === "spiky") {
    // Three tufts over the crown.
    for (const x of facing === "right" ? [5, 7, 9] : [4, 7, 10]) {
      f.set(x, head, hair);
      f.set(x + 1, head, hairShade);
    }
  } else if (l.style === "long") {
    // Hair falling to the shoulders.
    if (facing === "down") {
      f.rect(3, 7 + head, 1, 4, hair);
      f.rect(12, 7 + head, 1, 4, hairShade);
    } else if (facing === "up") {
      f.rect(4, 9 + head, 8, 2, hair);
      f.rect(10, 9 + head, 2, 2, hairShade);
    } else {
      f.rect(4, 8 + head, 3, 3, hair);
      f.rect(4, 10 + head, 3, 1, hairShade);
    }
  } else if (l.style === "tail") {
    // A ponytail tied at the back, with a band.
    if (facing === "down") {
      f.set(2, 4 + head, hair);
      f.set(13, 4 + head, hairShade);
    } else if (facing === "up") {
      f.rect(7, 9 + head, 2, 3, hair);
      f.set(8, 11 + head, hairShade);
      f.rect(7, 8 + head, 2, 1, C.red);
    } else {
      f.rect(2, 4 + head, 2, 2, hair);
      f.rect(1, 6 + head, 2, 3, hair);
      f.set(1, 8 + head, hairShade);
      f.set(3, 4 + head, C.red);
    }
  }
}

/** The pose of each column of a character row: walk phase, breath, lean. */
function columnPose(column: number, facing: Facing): { walk: number; breath: number; lean: readonly [number, number] } {
  if (column < WALK_FRAMES) return { walk: column, breath: 0, lean: [0, 0] };
  if (column < WALK_FRAMES + IDLE_FRAMES) return { walk: -1, breath: column - WALK_FRAMES, lean: [0, 0] };
  const strike = column === WALK_FRAMES + IDLE_FRAMES + 1;
  const [dx, dy] = FACING_STEP[facing];
  return { walk: -1, breath: strike ? 0 : 1, lean: strike ? [dx, dy] : [-dx, -dy] };
}

function drawCharacters(): Img {
  const img = new Img(CHARACTER_COLUMNS * CHARACTER_FRAME, LOOKS.length * CHARACTER_FACINGS.length * CHARACTER_FRAME);
  LOOKS.forEach((l, li) => {
    CHARACTER_FACINGS.forEach((facing, fi) => {
      const y = (li * CHARACTER_FACINGS.length + fi) * CHARACTER_FRAME;
      for (let c = 0; c < CHARACTER_COLUMNS; c++) {
        const { walk, breath, lean } = columnPose(c, facing);
        drawCharacter(img, c * CHARACTER_FRAME, y, facing, walk, breath, l, lean);
      }
    });
  });
  return img;
}

// ---------------------------------------------------------------------------------------
// Gear worn on the character sheet's frames: armor sheets recolour the tunic and arms
// (16 × 16, the character's own frames), weapon sheets hold the weapon in the hand (24 × 24,
// the character frame centred, so a swing may reach past it). Same rows × columns as the
// characters: row = tier × 3 + facing, columns = walk, idle, attack.

export const WEAPON_FRAME = 24;
const WEAPON_MARGIN = (WEAPON_FRAME - CHARACTER_FRAME) / 2;

/** Armor ranks 2..6 (rank 1, the cloth tunic, is the look's own): tunic, its shade, a trim. */
const ARMOR_COLOURS: readonly { tunic: Rgba; shade: Rgba; trim: Rgba; pattern: "plain" | "mail" | "plate" }[] = [
  { tunic: C.woodLight, shade: C.wood, trim: C.bark, pattern: "plain" }, // leather
  { tunic: C.slate, shade: C.stone, trim: C.mist, pattern: "mail" }, // mail
  { tunic: C.mist, shade: C.slate, trim: C.white, pattern: "plate" }, // plate
  { tunic: C.red, shade: C.roofDark, trim: C.gold, pattern: "plate" }, // red
  { tunic: C.gold, shade: C.orange, trim: C.white, pattern: "plate" }, // golden
];
export const ARMOR_TIERS = ARMOR_COLOURS.length;

/** Colours no look uses: drawn as a tunic, they mark the pixels armor covers. */
const MARK_TUNIC: Rgba = [1, 2, 3, 255];
const MARK_SHADE: Rgba = [4, 5, 6, 255];

function drawArmor(): Img {
  const rows = ARMOR_TIERS * CHARACTER_FACINGS.length;
  const img = new Img(CHARACTER_COLUMNS * CHARACTER_FRAME, rows * CHARACTER_FRAME);
  const marked: Look = { ...LOOKS[0], tunic: MARK_TUNIC, tunicShade: MARK_SHADE };
  ARMOR_COLOURS.forEach((armor, ai) => {
    CHARACTER_FACINGS.forEach((facing, fi) => {
      const y0 = (ai * CHARACTER_FACINGS.length + fi) * CHARACTER_FRAME;
      for (let c = 0; c < CHARACTER_COLUMNS; c++) {
        const { walk, breath, lean } = columnPose(c, facing);
        const body = new Img(CHARACTER_FRAME, CHARACTER_FRAME);
        drawCharacter(body, 0, 0, facing, walk, breath, marked, lean);
        let top = CHARACTER_FRAME;
        for (let j = 0; j < CHARACTER_FRAME; j++) for (let i = 0; i < CHARACTER_FRAME; i++) if (body.same(i, j, MARK_TUNIC)) top = Math.min(top, j);
        for (let j = 0; j < CHARACTER_FRAME; j++) {
          for (let i = 0; i < CHARACTER_FRAME; i++) {
            const shade = body.same(i, j, MARK_SHADE);
            if (!shade && !body.same(i, j, MARK_TUNIC)) continue;
            let colour = shade ? armor.shade : armor.tunic;
            if (armor.pattern === "mail" && !shade && (i + j) % 2 === 0) colour = armor.shade;
            if (armor.pattern === "plate" && j === top && !shade) colour = armor.trim;
            img.set(c * CHARACTER_FRAME + i, y0 + j, colour);
          }
        }
        // The belt line across the tunic takes the armor's trim.
        for (let i = 0; i < CHARACTER_FRAME; i++) {
          for (let j = top; j < CHARACTER_FRAME; j++) {
            if (body.same(i, j, C.bark) && (body.same(i, j - 1, MARK_TUNIC) || body.same(i, j - 1, MARK_SHADE))) {
              img.set(c * CHARACTER_FRAME + i, y0 + j, armor.trim);
              break;
            }
          }
        }
      }
    });
  });
  return img;
}

/**
 * Weapons ranks 1..7 as pixel rows, tip first, the grip (where the hand holds it) at the
 * bottom of the middle column. Colours: m mist, s slate, t stone, w white, o wood, b bark,
 * y gold, O orange, r red, R roofDark, B blue, T teal, F foam, k ink.
 */
const WEAPON_ROWS: readonly (readonly string[])[] = [
  [".m.", ".s.", ".s.", "ooo", ".b."], // sword
  [".w.", ".m.", ".m.", ".s.", "yyy", ".b."], // steel sword
  ["mom", "sos", "tot", ".o.", ".o.", ".b."], // battle axe
  ["t.t", ".s.", "tst", ".o.", ".o.", ".b."], // morning star
  [".F.", ".T.", ".B.", ".B.", "yyy", ".k."], // blue sword
  [".y.", ".O.", ".r.", ".R.", "yyy", ".k."], // red sword
  [".w.", ".y.", ".y.", ".O.", "RyR", ".b."], // golden sword
];
const WEAPON_COLOURS: Record<string, Rgba> = {
  m: C.mist,
  s: C.slate,
  t: C.stone,
  w: C.white,
  o: C.wood,
  b: C.bark,
  y: C.gold,
  O: C.orange,
  r: C.red,
  R: C.roofDark,
  B: C.blue,
  T: C.teal,
  F: C.foam,
  k: C.ink,
};
export const WEAPON_TIERS = WEAPON_ROWS.length;

type Orient = "up" | "down" | "right" | "diagonal";
/** Draws a weapon with its grip at (gx, gy), its tip pointing `orient`. */
function placeWeapon(img: Img, rows: readonly string[], gx: number, gy: number, orient: Orient): void {
  const n = rows.length;
  rows.forEach((row, r) => {
    const cc = Math.floor(row.length / 2);
    for (let c = 0; c < row.length; c++) {
      if (row[c] === ".") continue;
      const along = n - 1 - r;
      const across = c - cc;
      const [x, y] =
        orient === "up"
          ? [gx + across, gy - along]
          : orient === "down"
            ? [gx - across, gy + along]
            : orient === "right"
              ? [gx + along, gy + across]
              : [gx + along + across, gy - along + across];
      img.set(x, y, WEAPON_COLOURS[row[c]]);
    }
  });
}

/** Where the hand is on a character frame (the same arithmetic as drawCharacter). */
function handOf(facing: Facing, walk: number, lean: readonly [number, number]): [number, number] {
  const bob = walk === 1 || walk === 3 ? -1 : 0;
  const [lx, ly] = lean;
  if (facing === "down") return [12 + lx, 12 + bob + (walk === 0 ? 1 : 0) + ly];
  if (facing === "up") return [3 + lx, 12 + bob + (walk === 2 ? 1 : 0) + ly];
  const arm = walk === 0 ? -1 : walk === 2 ? 1 : 0;
  return [8 + arm + lx, 12 + bob + ly];
}

function drawWeapons(): Img {
  const img = new Img(CHARACTER_COLUMNS * WEAPON_FRAME, WEAPON_TIERS * CHARACTER_FACINGS.length * WEAPON_FRAME);
  const windUp = WALK_FRAMES + IDLE_FRAMES;
  WEAPON_ROWS.forEach((rows, wi) => {
    CHARACTER_FACINGS.forEach((facing, fi) => {
      for (let c = 0; c < CHARACTER_COLUMNS; c++) {
        const f = new Img(WEAPON_FRAME, WEAPON_FRAME);
        const { walk, lean } = columnPose(c, facing);
        const [hx, hy] = handOf(facing, walk, lean);
        const x = hx + WEAPON_MARGIN;
        const y = hy + WEAPON_MARGIN;
        if (c < windUp) placeWeapon(f, rows, facing === "right" ? x + 1 : x, y, facing === "right" ? "right" : "up");
        else if (c === windUp) placeWeapon(f, rows, facing === "right" ? x - 4 : x, y - 3, "up");
        else if (facing === "down") placeWeapon(f, rows, x - 2, y, "down");
        else if (facing === "up") placeWeapon(f, rows, x + 4, y - 5, "up");
        else placeWeapon(f, rows, x + 2, y - 1, "right");
        f.outline(0, 0, WEAPON_FRAME, WEAPON_FRAME);
        img.blit(f, 0, 0, WEAPON_FRAME, WEAPON_FRAME, c * WEAPON_FRAME, (wi * CHARACTER_FACINGS.length + fi) * WEAPON_FRAME);
      }
    });
  });
  return img;
}

// ---------------------------------------------------------------------------------------
// Items on the ground (16 × 16, in the order of ITEM_KINDS in src/shared/items.ts), then the
// chest closed and open, then the starting sword and cloth tunic (for the HUD).

export const ITEM_FRAMES = [...ITEM_KINDS, "chest", "chest-open", "weapon1", "armor1"] as const;

/** The starting cloth tunic, for the HUD's armor slot (worn, it is the look's own colour). */
const CLOTH = { tunic: C.sandLight, shade: C.sandDark, trim: C.wood, pattern: "plain" } as const;
const ARMOR_ICON = ["aa....aa", "aAaaaaAa", ".aaaaaa.", ".aaaaas.", ".tttttt.", ".aaaaas.", ".aa..as."];

function drawItem(t: Img, kind: (typeof ITEM_FRAMES)[number]): void {
  t.ellipse(3, 12, 10, 3, SHADE);
  const weapon = /^weapon(\d)$/.exec(kind);
  const armor = /^armor(\d)$/.exec(kind);
  if (weapon) placeWeapon(t, WEAPON_ROWS[Number(weapon[1]) - 1], 4, 12, "diagonal");
  else if (armor) {
    const a = ARMOR_COLOURS[Number(armor[1]) - 2] ?? CLOTH;
    pattern(t, 4, 4, ARMOR_ICON, { a: a.tunic, A: a.trim, s: a.shade, t: a.trim });
    if (a.pattern === "mail") for (let y = 5; y < 11; y++) for (let x = 5; x < 11; x++) if ((x + y) % 2 === 0 && t.same(x, y, a.tunic)) t.set(x, y, a.shade);
  } else if (kind === "flask" || kind === "firepotion") {
    const liquid = kind === "flask" ? C.red : C.orange;
    const light = kind === "flask" ? C.pink : C.gold;
    pattern(t, 5, 3, ["..cc..", "..gg..", ".gwwg.", "gwlllg", "glllLg", "gllLLg", ".gLLg."], {
      c: C.wood,
      g: C.mist,
      w: C.white,
      l: liquid,
      L: kind === "flask" ? C.roofDark : C.red,
    });
    t.set(7, 7, light);
    if (kind === "firepotion") pattern(t, 6, 0, [".o..", "oyo.", ".o.."], { o: C.orange, y: C.gold });
  } else if (kind === "burger") {
    pattern(t, 3, 5, ["..llllll..", ".lwlllllL.", "llllllllLL", "gggyyggggg", "bbbbbbbbbb", "RRRRRRRRRR", ".llllllLL."], {
      l: C.woodLight,
      L: C.wood,
      w: C.sandLight,
      g: C.grass,
      y: C.gold,
      b: C.bark,
      R: C.roofDark,
    });
  } else {
    const open = kind === "chest-open";
    t.ellipse(1, 12, 14, 4, SHADE);
    if (open) {
      pattern(t, 2, 2, ["oooooooooooo", "lbblbblbblbo", "oooooooooooo"], { o: C.bark, l: C.woodLight, b: C.wood });
      t.rect(2, 5, 12, 3, C.shadow);
      t.set(5, 6, C.gold);
      t.set(9, 6, C.gold);
      t.set(10, 7, C.white);
    } else {
      pattern(t, 2, 4, ["..llllllllll", ".lwwllllllll", "obbbbbbbbbbo".slice(1) + "o"], { l: C.woodLight, w: C.sandLight, o: C.bark, b: C.wood });
      t.rect(2, 5, 12, 3, C.woodLight);
      t.rect(2, 5, 12, 1, C.sandLight);
    }
    t.rect(2, 8, 12, 6, C.wood);
    t.rect(2, 8, 12, 1, C.bark);
    t.rect(2, 12, 12, 1, C.bark);
    t.rect(4, 8, 1, 6, C.bark);
    t.rect(11, 8, 1, 6, C.bark);
    if (!open) {
      t.rect(7, 7, 2, 3, C.gold);
      t.set(7, 9, C.ink);
    }
  }
  t.outline(0, 0, S, S);
}

function drawItems(): Img {
  const img = new Img(ITEM_FRAMES.length * S, S);
  ITEM_FRAMES.forEach((kind, i) => {
    const t = new Img(S, S);
    drawItem(t, kind);
    img.blit(t, 0, 0, S, S, i * S, 0);
  });
  return img;
}

// ---------------------------------------------------------------------------------------
// Mobs: 24 × 24 frames (a big ogre or boss fills one; a rat sits small in it), feet on row
// MOB_FEET. Row = kind × 3 + facing (down, up, right; left mirrors right), in the order of
// MOB_KINDS (src/shared/mobs.ts); columns as the characters' (walk 4, idle 2, attack 2).

export const MOB_FRAME = 24;
export const MOB_FEET = 21;
export const MOB_ART = ["rat", "crab", "bat", "goblin", "skeleton", "snake", "ogre", "spectre", "deathknight", "boss"] as const;
type MobArt = (typeof MOB_ART)[number];

interface Pose {
  facing: Facing;
  /** Walk phase 0..3, or -1 standing. */
  walk: number;
  breath: number;
  /** Vertical bob of the walk. */
  bob: number;
  /** Which foot is forward: -1, 0, 1. */
  stride: number;
  attack: -1 | 0 | 1;
}

interface Biped {
  big: boolean;
  skin: Rgba;
  skinShade: Rgba;
  body: Rgba;
  bodyShade: Rgba;
  legs: Rgba;
  eye: Rgba;
  /** Horns, crown, ears, hood: drawn over the head (x0, y0, width of the head). */
  head?: (t: Img, p: Pose, x0: number, y0: number, w: number) => void;
  /** A weapon in the leading hand: rows as WEAPON_ROWS. */
  weapon?: readonly string[];
}

/** A standing monster on two legs, sized small (goblin, skeleton, knight) or big (ogre, boss). */
function drawBiped(t: Img, p: Pose, b: Biped): void {
  const side = p.facing === "right";
  const back = p.facing === "up";
  const legH = b.big ? 4 : 3;
  const bodyH = b.big ? 7 : 5;
  const bodyW = b.big ? 14 : 8;
  const headW = b.big ? 10 : 8;
  const headH = b.big ? 7 : 7;
  const cx = 12;
  const feet = MOB_FEET;
  const bodyTop = feet - legH - bodyH + 1 + p.bob;
  const headTop = bodyTop - headH + (b.big ? 2 : 1) + p.breath;
  // Legs.
  const lx = cx - Math.floor(bodyW / 2) + 1;
  const rx = cx + Math.floor(bodyW / 2) - 3;
  const lw = b.big ? 3 : 2;
  if (side) {
    t.rect(cx - 1 - p.stride * 2, feet - legH + 1 + p.bob, lw, legH - p.bob, b.legs);
    t.rect(cx - 1 + p.stride * 2, feet - legH + 1 + p.bob, lw, legH - p.bob, b.legs);
  } else {
    t.rect(lx, feet - legH + 1 + p.bob, lw, legH - p.bob - (p.stride > 0 ? 1 : 0), b.legs);
    t.rect(rx, feet - legH + 1 + p.bob, lw, legH - p.bob - (p.stride < 0 ? 1 : 0), b.legs);
  }
  // Body with shade on the right and arms at the sides.
  const bx = side ? cx - Math.floor(bodyW / 2) + 1 : cx - Math.floor(bodyW / 2);
  const bw = side ? bodyW - 2 : bodyW;
  t.rect(bx, bodyTop, bw, bodyH, b.body);
  t.rect(bx + bw - (b.big ? 3 : 2), bodyTop, b.big ? 3 : 2, bodyH, b.bodyShade);
  const armW = b.big ? 2 : 1;
  const armH = b.big ? 6 : 4;
  const reach = p.attack === 1 ? 2 : p.attack === 0 ? -2 : 0;
  if (side) {
    t.rect(cx + reach, bodyTop + 1, armW + 1, armH, b.bodyShade);
    t.rect(cx + reach, bodyTop + 1 + armH, armW + 1, 1, b.skin);
  } else {
    t.rect(bx - armW, bodyTop + 1 + (p.stride < 0 ? 1 : 0), armW, armH, b.bodyShade);
    t.rect(bx - armW, bodyTop + 1 + armH + (p.stride < 0 ? 1 : 0), armW, 1, b.skin);
    t.rect(bx + bw, bodyTop + 1 + (p.stride > 0 ? 1 : 0) + (p.attack === 0 ? -2 : 0), armW, armH, b.bodyShade);
    t.rect(bx + bw, bodyTop + 1 + armH + (p.stride > 0 ? 1 : 0) + (p.attack === 0 ? -2 : 0), armW, 1, b.skin);
  }
  // Head.
  const hx = cx - Math.floor(headW / 2) + (side ? 1 : 0);
  t.rect(hx + 1, headTop, headW - 2, 1, b.skin);
  t.rect(hx, headTop + 1, headW, headH - 2, b.skin);
  t.rect(hx + 1, headTop + headH - 1, headW - 2, 1, b.skinShade);
  t.rect(hx + headW - 2, headTop + 1, 2, headH - 2, b.skinShade);
  t.set(hx + 1, headTop + 1, C.white);
  if (!back) {
    const ey = headTop + Math.floor(headH / 2);
    if (side) {
      t.rect(hx + headW - 3, ey, 1, 2, b.eye);
    } else {
      t.rect(hx + 2, ey, 1, 2, b.eye);
      t.rect(hx + headW - 3, ey, 1, 2, b.eye);
    }
  }
  b.head?.(t, p, hx, headTop, headW);
  if (b.weapon) {
    const hand: [number, number] = side ? [cx + reach + 1, bodyTop + armH + 1] : [bx + bw, bodyTop + armH + 1 + (p.stride > 0 ? 1 : 0)];
    if (p.attack === 1) placeWeapon(t, b.weapon, hand[0] + (side ? 1 : 0), hand[1] + (side ? 0 : 0), p.facing === "down" ? "down" : p.facing === "up" ? "up" : "right");
    else placeWeapon(t, b.weapon, hand[0], hand[1] - (p.attack === 0 ? 2 : 0), "up");
  }
}

const MOB_DRAW: Record<MobArt, (t: Img, p: Pose) => void> = {
  rat(t, p) {
    const y = MOB_FEET - 5 + p.bob;
    const lunge = p.attack === 1 ? 2 : 0;
    if (p.facing === "right") {
      pattern(t, 2, y + 2, ["pp....", "..pp.."], { p: C.pink });
      t.ellipse(6, y, 11, 6, C.stone);
      t.ellipse(7, y, 7, 3, C.slate);
      t.ellipse(13 + lunge, y - 1, 7, 5, C.stone);
      t.set(15 + lunge, y - 2, C.pink);
      t.set(18 + lunge, y + 1, C.ink);
      t.set(19 + lunge, y + 2, C.pink);
      t.set(8 + p.stride, MOB_FEET, C.pink);
      t.set(14 - p.stride, MOB_FEET, C.pink);
    } else {
      const down = p.facing === "down";
      if (!down) pattern(t, 12, y + 4, ["p", "p", ".p"], { p: C.pink });
      t.ellipse(7, y - 3, 10, 8, C.stone);
      t.ellipse(8, y - 3, 6, 4, C.slate);
      t.set(8 + p.stride, MOB_FEET, C.pink);
      t.set(15 - p.stride, MOB_FEET, C.pink);
      // Round ears with pink insides, on top of the head (front) or of the back.
      const ey = down ? y - 4 + lunge : y - 5;
      for (const ex of [7, 14]) {
        t.ellipse(ex, ey, 4, 4, C.stone);
        t.set(ex + 1, ey + 1, C.pink);
        t.set(ex + 2, ey + 1, C.pink);
      }
      if (down) {
        t.ellipse(9, y - 1 + lunge, 7, 6, C.slate);
        t.set(10, y + 1 + lunge, C.ink);
        t.set(14, y + 1 + lunge, C.ink);
        t.set(12, y + 3 + lunge, C.pink);
        t.set(8, y + 3 + lunge, C.mist);
        t.set(16, y + 3 + lunge, C.mist);
      }
    }
  },
  crab(t, p) {
    const y = MOB_FEET - 7 + p.bob;
    for (let k = 0; k < 3; k++) {
      const lift = (k + p.walk) % 2 === 0 ? 0 : 1;
      t.set(6 - k, y + 5 + k - lift, C.roofDark);
      t.set(17 + k, y + 5 + k - lift, C.roofDark);
    }
    t.ellipse(6, y + 1, 12, 7, C.red);
    t.ellipse(7, y + 1, 7, 3, C.orange);
    t.rect(8, y + 6, 8, 1, C.roofDark);
    const open = p.attack === 1 ? 1 : 0;
    const claw = p.attack === 0 ? -2 : 0;
    pattern(t, 1, y - 3 + claw, ["o..o", "oO.o", "ooo.", ".oo.", "..o."], { o: C.red, O: C.orange });
    pattern(t, 19, y - 3 + claw, ["o..o", "o.Oo", ".ooo", ".oo.", ".o.."], { o: C.red, O: C.orange });
    if (open) {
      t.set(2, y - 3, C.red);
      t.set(21, y - 3, C.red);
    }
    if (p.facing !== "up") {
      t.rect(9, y - 1, 1, 2, C.roofDark);
      t.rect(14, y - 1, 1, 2, C.roofDark);
      t.set(9, y - 2, C.ink);
      t.set(14, y - 2, C.ink);
    }
  },
  bat(t, p) {
    // Flies: the walk frames (and idle ones) beat the wings; the shadow stays on the ground.
    const flap = p.walk >= 0 ? p.walk % 2 : p.breath;
    const y = 9 + (flap ? 1 : 0) + (p.attack === 1 ? 3 : 0);
    const wing = flap
      ? ["ww.......ww", "wwww...wwww", ".wwww.wwww.", "..w.....w.."]
      : ["...........", "w.........w", "ww.......ww", "www.....www", ".www...www.", "..w.....w.."];
    const side = p.facing === "right";
    pattern(t, side ? 7 : 6, y - 2, side ? wing.map((r) => r.slice(3)) : wing, { w: C.purple });
    t.ellipse(10, y - 1, 5, 6, C.night);
    t.set(10, y - 2, C.night);
    t.set(14, y - 2, C.night);
    if (p.facing === "down") {
      t.set(11, y + 1, C.red);
      t.set(13, y + 1, C.red);
      t.set(12, y + 3, C.white);
    } else if (side) t.set(13, y + 1, C.red);
  },
  goblin(t, p) {
    drawBiped(t, p, {
      big: false,
      skin: C.grass,
      skinShade: C.leaf,
      body: C.wood,
      bodyShade: C.bark,
      legs: C.leaf,
      eye: C.gold,
      weapon: [".m.", ".s.", ".b."],
      head(t, q, x0, y0, w) {
        if (q.facing !== "right") t.set(x0 - 1, y0 + 2, C.grass);
        t.set(x0 + w, y0 + 2, C.leaf);
        t.set(x0 + w + 1, y0 + 1, C.leaf);
        if (q.facing !== "right") t.set(x0 - 2, y0 + 1, C.grass);
      },
    });
  },
  skeleton(t, p) {
    drawBiped(t, p, {
      big: false,
      skin: C.white,
      skinShade: C.mist,
      body: C.shadow,
      bodyShade: C.mist,
      legs: C.mist,
      eye: C.ink,
      weapon: [".m.", ".m.", ".s.", "ooo", ".b."],
      head(t, q, x0, y0, w) {
        if (q.facing === "up") return;
        // Hollow eyes and a row of teeth.
        if (q.facing === "down") {
          t.rect(x0 + 1, y0 + 3, 2, 2, C.ink);
          t.rect(x0 + w - 3, y0 + 3, 2, 2, C.ink);
          for (let x = x0 + 2; x < x0 + w - 2; x++) t.set(x, y0 + 5, x % 2 === 0 ? C.ink : C.white);
        } else {
          t.rect(x0 + w - 3, y0 + 3, 2, 2, C.ink);
          t.set(x0 + w - 2, y0 + 5, C.ink);
        }
      },
    });
    // Ribs and spine over the dark of the chest.
    for (let k = 0; k < 2; k++) t.rect(8, MOB_FEET - 6 + k * 2 + p.bob, 8, 1, C.mist);
    if (p.facing !== "right") t.rect(11, MOB_FEET - 7 + p.bob, 2, 5, C.slate);
  },
  snake(t, p) {
    const y = MOB_FEET - 3;
    const wave = p.walk >= 0 ? p.walk % 2 : 0;
    const lunge = p.attack === 1 ? 2 : p.attack === 0 ? -1 : 0;
    // A coil on the ground and a raised neck with the head.
    t.ellipse(4, y - 2, 16, 6, C.forest);
    t.ellipse(6, y - 2, 12, 4, C.leaf);
    t.ellipse(8, y - 1, 8, 2, C.forest);
    for (let k = 0; k < 6; k++) t.set(6 + k * 2 + wave, y - 2, C.lime);
    const side = p.facing === "right";
    const hx = side ? 13 + lunge : 10;
    const hy = y - 11 - (p.facing === "down" ? -lunge : 0) + p.breath;
    t.rect(side ? 12 : 11, hy + 3, 3, 8, C.leaf);
    t.rect(side ? 12 : 11, hy + 3, 1, 8, C.lime);
    t.ellipse(hx, hy, side ? 7 : 5, 5, C.leaf);
    t.set(hx + 1, hy + 1, C.lime);
    if (p.facing === "down") {
      t.set(hx + 1, hy + 2, C.gold);
      t.set(hx + 3, hy + 2, C.gold);
      if (p.attack === 1) t.rect(hx + 2, hy + 5, 1, 2, C.red);
    } else if (side) {
      t.set(hx + 4, hy + 1, C.gold);
      if (p.attack === 1) t.rect(hx + 7, hy + 3, 2, 1, C.red);
    }
  },
  ogre(t, p) {
    drawBiped(t, p, {
      big: true,
      skin: C.sandDark,
      skinShade: C.wood,
      body: C.leaf,
      bodyShade: C.forest,
      legs: C.bark,
      eye: C.ink,
      weapon: ["bb", "ob", "oo", ".o", ".o"],
      head(t, q, x0, y0, w) {
        if (q.facing === "down") {
          t.set(x0 + 3, y0 + 5, C.white);
          t.set(x0 + w - 4, y0 + 5, C.white);
        }
      },
    });
    // A loincloth belt.
    t.rect(6, MOB_FEET - 5 + p.bob, 12, 1, C.bark);
  },
  spectre(t, p) {
    const float = p.walk >= 0 ? p.walk % 2 : p.breath;
    const y = 5 + float + (p.attack === 1 ? 2 : 0);
    t.ellipse(7, y, 10, 10, C.slate);
    t.rect(7, y + 5, 10, 8, C.slate);
    t.rect(14, y + 2, 3, 11, C.stone);
    t.ellipse(8, y + 1, 5, 4, C.mist);
    // A ragged hem that ripples.
    for (let x = 7; x < 17; x++) if ((x + float) % 3 !== 0) t.set(x, y + 13, x > 13 ? C.stone : C.slate);
    if (p.facing !== "up") {
      const eyes = p.facing === "right" ? [14] : [9, 13];
      for (const x of eyes) {
        t.rect(x, y + 4, 2, 2, C.shadow);
        t.set(x, y + 4, C.purple);
      }
      t.rect(p.facing === "right" ? 14 : 10, y + 8, 3, 1, C.shadow);
    }
    const reach = p.attack === 1 ? 3 : p.attack === 0 ? -1 : 0;
    t.rect(5 - (p.facing === "right" ? 0 : reach), y + 7, 2, 3, C.mist);
    t.rect(17 + (p.facing === "right" ? reach : 0), y + 7, 2, 3, C.stone);
  },
  deathknight(t, p) {
    drawBiped(t, p, {
      big: false,
      skin: C.cave,
      skinShade: C.night,
      body: C.stone,
      bodyShade: C.night,
      legs: C.shadow,
      eye: C.red,
      weapon: [".R.", ".r.", ".s.", ".s.", "kkk", ".b."],
      head(t, q, x0, y0, w) {
        t.rect(x0 + 1, y0 - 1, w - 2, 1, C.cave);
        t.set(x0 + Math.floor(w / 2), y0 - 2, C.red);
        if (q.facing === "down") t.rect(x0 + 1, y0 + 3, w - 2, 1, C.shadow);
      },
    });
  },
  boss(t, p) {
    drawBiped(t, p, {
      big: true,
      skin: C.purple,
      skinShade: C.night,
      body: C.roofDark,
      bodyShade: C.shadow,
      legs: C.shadow,
      eye: C.gold,
      weapon: ["y.y", "yOy", ".o.", ".o.", ".o.", ".b."],
      head(t, _q, x0, y0, w) {
        // Horns and a crown.
        t.rect(x0 - 1, y0 - 1, 1, 3, C.mist);
        t.rect(x0 + w, y0 - 1, 1, 3, C.slate);
        t.set(x0 - 1, y0 - 2, C.white);
        t.set(x0 + w, y0 - 2, C.mist);
        t.rect(x0 + 2, y0 - 1, w - 4, 1, C.gold);
        for (let x = x0 + 2; x < x0 + w - 2; x += 2) t.set(x, y0 - 2, C.gold);
      },
    });
    // A cape's gold trim.
    t.rect(6, MOB_FEET - 9 + p.bob, 12, 1, C.gold);
  },
};

function mobPose(column: number, facing: Facing): Pose {
  const walk = column < WALK_FRAMES ? column : -1;
  const breath = column >= WALK_FRAMES && column < WALK_FRAMES + IDLE_FRAMES ? column - WALK_FRAMES : 0;
  const attack = column === WALK_FRAMES + IDLE_FRAMES ? 0 : column === WALK_FRAMES + IDLE_FRAMES + 1 ? 1 : -1;
  return {
    facing,
    walk,
    breath,
    bob: walk === 1 || walk === 3 ? -1 : 0,
    stride: walk === 0 ? 1 : walk === 2 ? -1 : 0,
    attack,
  };
}

function drawMobs(): Img {
  const img = new Img(CHARACTER_COLUMNS * MOB_FRAME, MOB_ART.length * CHARACTER_FACINGS.length * MOB_FRAME);
  MOB_ART.forEach((kind, ki) => {
    CHARACTER_FACINGS.forEach((facing, fi) => {
      for (let c = 0; c < CHARACTER_COLUMNS; c++) {
        const p = mobPose(c, facing);
        const f = new Img(MOB_FRAME, MOB_FRAME);
        f.ellipse(5, MOB_FEET - 1, 14, 4, SHADE);
        const body = new Img(MOB_FRAME, MOB_FRAME);
        MOB_DRAW[kind](body, p);
        // The strike lunges a pixel toward the target.
        const [dx, dy] = p.attack === 1 ? FACING_STEP[facing] : [0, 0];
        f.over(body, dx, dy);
        f.outline(0, 0, MOB_FRAME, MOB_FRAME);
        img.blit(f, 0, 0, MOB_FRAME, MOB_FRAME, c * MOB_FRAME, (ki * CHARACTER_FACINGS.length + fi) * MOB_FRAME);
      }
    });
  });
  return img;
}

// ---------------------------------------------------------------------------------------
// NPCs: the characters' body with their own clothes, 16 × 16, facing down, idle 2 frames;
// one row each in the order of NPC_KINDS (src/shared/npcs.ts).

export const NPC_ART = ["elder", "smith", "innkeeper", "guard", "fisher", "hermit", "miner"] as const;
const NPC_LOOKS: Record<(typeof NPC_ART)[number], { look: Look; extra: (f: Img, head: number) => void }> = {
  elder: {
    look: look("long", "mist", "slate", "purple", "night", "shadow"),
    extra: (f, h) => {
      f.rect(5, 7 + h, 6, 3, C.white);
      f.rect(6, 10 + h, 4, 1, C.mist);
      f.set(6, 6 + h, C.ink);
      f.set(9, 6 + h, C.ink);
    },
  },
  smith: {
    look: look("short", "ink", "shadow", "red", "roofDark", "bark", true),
    extra: (f, h) => {
      f.rect(5, 9 + h, 6, 4, C.bark);
      f.rect(5, 9 + h, 6, 1, C.wood);
    },
  },
  innkeeper: {
    look: look("tail", "orange", "roofDark", "teal", "water", "bark"),
    extra: (f, h) => {
      f.rect(5, 9 + h, 6, 4, C.white);
      f.rect(5, 11 + h, 6, 1, C.mist);
    },
  },
  guard: {
    look: look("short", "bark", "ink", "blue", "waterDeep", "shadow"),
    extra: (f, h) => {
      f.rect(4, h, 8, 3, C.slate);
      f.rect(3, 2 + h, 10, 2, C.stone);
      f.rect(5, h, 2, 1, C.mist);
      f.rect(7, -1 + h, 2, 1, C.red);
    },
  },
  fisher: {
    look: look("short", "wood", "bark", "teal", "water", "wood"),
    extra: (f, h) => {
      f.rect(2, 3 + h, 12, 1, C.gold);
      f.rect(4, 1 + h, 8, 2, C.gold);
      f.rect(5, 2 + h, 6, 1, C.sandDark);
      f.rect(9, 1 + h, 3, 2, C.sandDark);
    },
  },
  hermit: {
    look: look("long", "slate", "stone", "bark", "shadow", "bark"),
    extra: (f, h) => {
      f.rect(5, 7 + h, 6, 4, C.mist);
      f.rect(6, 11 + h, 4, 1, C.slate);
      f.set(6, 6 + h, C.ink);
      f.set(9, 6 + h, C.ink);
    },
  },
  miner: {
    look: look("short", "bark", "ink", "orange", "roof", "bark"),
    extra: (f, h) => {
      f.rect(4, 1 + h, 8, 3, C.gold);
      f.rect(3, 3 + h, 10, 1, C.sandDark);
      f.rect(7, 2 + h, 2, 1, C.white);
    },
  },
};

function drawNpcs(): Img {
  const img = new Img(IDLE_FRAMES * S, NPC_ART.length * S);
  NPC_ART.forEach((kind, i) => {
    const { look: l, extra } = NPC_LOOKS[kind];
    for (let b = 0; b < IDLE_FRAMES; b++) drawCharacter(img, b * S, i * S, "down", -1, b, l, [0, 0], extra);
  });
  return img;
}

// ---------------------------------------------------------------------------------------
// Effects, 24 × 24: a death puff (5 frames: a burst of smoke that swells and thins), then an
// invincibility glow (4 frames: a gold ring pulsing round the feet and shoulders).

export const FX_FRAME = 24;
export const PUFF_FRAMES = 5;
export const GLOW_FRAMES = 4;

function drawFx(): Img {
  const img = new Img((PUFF_FRAMES + GLOW_FRAMES) * FX_FRAME, FX_FRAME);
  const rng = createRng(ART_SEED + 101);
  const puffs = Array.from({ length: 7 }, (_, k) => ({ angle: (k / 7) * Math.PI * 2 + rng() * 0.5, size: 3 + Math.floor(rng() * 3) }));
  for (let f = 0; f < PUFF_FRAMES; f++) {
    const t = new Img(FX_FRAME, FX_FRAME);
    const spread = 1 + f * 2;
    t.ellipse(12 - (5 - f), 12 - (5 - f), 2 * (5 - f), 2 * (5 - f), f < 2 ? C.white : C.mist);
    for (const { angle, size } of puffs) {
      const s = Math.max(1, size - Math.floor(f / 2));
      const x = Math.round(12 + Math.cos(angle) * spread - s / 2);
      const y = Math.round(12 + Math.sin(angle) * spread * 0.8 - s / 2 - f);
      if (f === PUFF_FRAMES - 1 && (x + y) % 2 === 0) continue;
      t.ellipse(x, y, s, s, f < 3 ? C.white : C.mist);
      t.set(x + s - 1, y + s - 1, C.slate);
    }
    if (f < 4) t.outline(0, 0, FX_FRAME, FX_FRAME, f < 2 ? C.slate : C.stone);
    img.blit(t, 0, 0, FX_FRAME, FX_FRAME, f * FX_FRAME, 0);
  }
  for (let f = 0; f < GLOW_FRAMES; f++) {
    const t = new Img(FX_FRAME, FX_FRAME);
    const grow = [0, 1, 2, 1][f];
    t.ellipse(2 - grow, 1 - grow, 20 + 2 * grow, 22 + 2 * grow, rgba("gold", 70));
    t.ellipse(5 - grow, 4 - grow, 14 + 2 * grow, 16 + 2 * grow, CLEAR);
    // Sparks round the ring, turning a step each frame.
    for (let k = 0; k < 4; k++) {
      const a = (k / 4) * Math.PI * 2 + f * (Math.PI / 8);
      t.set(Math.round(12 + Math.cos(a) * (9 + grow)), Math.round(12 + Math.sin(a) * (10 + grow)), C.white);
      t.set(Math.round(12 + Math.cos(a + 0.3) * (9 + grow)), Math.round(12 + Math.sin(a + 0.3) * (10 + grow)), C.gold);
    }
    img.blit(t, 0, 0, FX_FRAME, FX_FRAME, (PUFF_FRAMES + f) * FX_FRAME, 0);
  }
  return img;
}

// ---------------------------------------------------------------------------------------
// Target marker (4 frames: corners that pulse in and out) and HUD icons (8 × 8 each:
// players, world, chat, signal).

export const MARKER_FRAMES = 4;
function drawMarker(): Img {
  const img = new Img(S * MARKER_FRAMES, S);
  for (let f = 0; f < MARKER_FRAMES; f++) {
    const inset = [1, 2, 3, 2][f];
    const x0 = f * S + inset;
    const x1 = f * S + S - 1 - inset;
    const y0 = inset;
    const y1 = S - 1 - inset;
    for (const [cx, cy, dx, dy] of [
      [x0, y0, 1, 1],
      [x1, y0, -1, 1],
      [x0, y1, 1, -1],
      [x1, y1, -1, -1],
    ]) {
      for (let k = 0; k < 4; k++) {
        img.set(cx + dx * k, cy, C.white);
        img.set(cx, cy + dy * k, C.white);
      }
      img.set(cx, cy, C.gold);
    }
    img.outline(f * S, 0, S, S);
  }
  return img;
}

export const ICON_SIZE = 8;
export const ICONS = ["players", "world", "chat", "signal", "heart", "sword", "shield"] as const;
function drawIcons(): Img {
  const img = new Img(ICON_SIZE * ICONS.length, ICON_SIZE);
  const art: Record<(typeof ICONS)[number], string[]> = {
    players: ["..hh....", ".hssh.hh", ".hssh.ss", "..ss..ss", ".tttt.tt", "ttttttTT", "tttTt.TT", "........"],
    world: ["..bbbb..", ".bgbbgb.", "bggbbbgb", "bgggbbbb", "bbggbggb", "bbbbbggb", ".bbbbbb.", "..bbbb.."],
    chat: [".wwwwww.", "wwwwwwww", "wwkwkwkw", "wwwwwwww", ".wwwwww.", "..ww....", ".w......", "........"],
    signal: [".......g", "......gg", ".....ggg", "....gggg", "...ggggg", "..gggggg", ".ggggggg", "gggggggg"],
    heart: [".rr..rr.", "rwrrrrRr", "rrrrrrRr", "rrrrrRRr", ".rrrRRr.", "..rrRr..", "...rr...", "........"],
    sword: [".......m", "......mw", ".....mw.", "....mw..", ".y.mw...", "..yy....", "..Dy....", ".D..y..."],
    shield: [".mmmmmm.", "mwmmmmdm", "mmyyyydm", "mmmyydmm", ".mmyydm.", ".mmmmdm.", "..mmdd..", "...md..."],
  };
  const colours = { h: C.wood, s: C.skin, t: C.red, T: C.blue, b: C.water, g: C.grass, w: C.white, k: C.ink, r: C.red, R: C.roofDark, m: C.slate, d: C.stone, D: C.bark, y: C.gold };
  ICONS.forEach((name, i) => {
    pattern(img, i * ICON_SIZE, 0, art[name], colours);
  });
  // Icons sit on dark panels: an outline keeps them readable on any colour.
  for (let i = 0; i < ICONS.length; i++) img.outline(i * ICON_SIZE, 0, ICON_SIZE, ICON_SIZE);
  return img;
}

// ---------------------------------------------------------------------------------------
// Font: 5 × 7 glyphs (capitals 7 rows, descenders one row more), ASCII 32..126, drawn here
// as rows of bits. Proportional: each glyph's advance is its lit width + 1.

const GLYPHS: Record<string, string> = {
  "!": "00100 00100 00100 00100 00100 00000 00100",
  '"': "01010 01010 00000",
  "#": "00000 01010 11111 01010 11111 01010 00000",
  $: "00100 01111 10100 01110 00101 11110 00100",
  "%": "11001 11010 00010 00100 01000 01011 10011",
  "&": "01100 10010 10100 01000 10101 10010 01101",
  "'": "00100 00100 00000",
  "(": "00010 00100 01000 01000 01000 00100 00010",
  ")": "01000 00100 00010 00010 00010 00100 01000",
  "*": "00000 00100 10101 01110 10101 00100 00000",
  "+": "00000 00100 00100 11111 00100 00100 00000",
  ",": "00000 00000 00000 00000 00000 00100 00100 01000",
  "-": "00000 00000 00000 11111 00000 00000 00000",
  ".": "00000 00000 00000 00000 00000 00000 00100",
  "/": "00001 00010 00010 00100 01000 01000 10000",
  "0": "01110 10001 10011 10101 11001 10001 01110",
  "1": "00100 01100 00100 00100 00100 00100 01110",
  "2": "01110 10001 00001 00010 00100 01000 11111",
  "3": "11111 00010 00100 00010 00001 10001 01110",
  "4": "00010 00110 01010 10010 11111 00010 00010",
  "5": "11111 10000 11110 00001 00001 10001 01110",
  "6": "00110 01000 10000 11110 10001 10001 01110",
  "7": "11111 00001 00010 00100 01000 01000 01000",
  "8": "01110 10001 10001 01110 10001 10001 01110",
  "9": "01110 10001 10001 01111 00001 00010 01100",
  ":": "00000 00000 00100 00000 00000 00100 00000",
  ";": "00000 00000 00100 00000 00000 00100 00100 01000",
  "<": "00010 00100 01000 10000 01000 00100 00010",
  "=": "00000 00000 11111 00000 11111 00000 00000",
  ">": "01000 00100 00010 00001 00010 00100 01000",
  "?": "01110 10001 00001 00010 00100 00000 00100",
  "@": "01110 10001 10111 10101 10111 10000 01110",
  A: "01110 10001 10001 11111 10001 10001 10001",
  B: "11110 10001 10001 11110 10001 10001 11110",
  C: "01110 10001 10000 10000 10000 10001 01110",
  D: "11100 10010 10001 10001 10001 10010 11100",
  E: "11111 10000 10000 11110 10000 10000 11111",
  F: "11111 10000 10000 11110 10000 10000 10000",
  G: "01110 10001 10000 10111 10001 10001 01111",
  H: "10001 10001 10001 11111 10001 10001 10001",
  I: "01110 00100 00100 00100 00100 00100 01110",
  J: "00111 00010 00010 00010 00010 10010 01100",
  K: "10001 10010 10100 11000 10100 10010 10001",
  L: "10000 10000 10000 10000 10000 10000 11111",
  M: "10001 11011 10101 10101 10001 10001 10001",
  N: "10001 10001 11001 10101 10011 10001 10001",
  O: "01110 10001 10001 10001 10001 10001 01110",
  P: "11110 10001 10001 11110 10000 10000 10000",
  Q: "01110 10001 10001 10001 10101 10010 01101",
  R: "11110 10001 10001 11110 10100 10010 10001",
  S: "01111 10000 10000 01110 00001 00001 11110",
  T: "11111 00100 00100 00100 00100 00100 00100",
  U: "10001 10001 10001 10001 10001 10001 01110",
  V: "10001 10001 10001 10001 10001 01010 00100",
  W: "10001 10001 10001 10101 10101 10101 01010",
  X: "10001 10001 01010 00100 01010 10001 10001",
  Y: "10001 10001 10001 01010 00100 00100 00100",
  Z: "11111 00001 00010 00100 01000 10000 11111",
  "[": "01110 01000 01000 01000 01000 01000 01110",
  "\\": "10000 01000 01000 00100 00010 00010 00001",
  "]": "01110 00010 00010 00010 00010 00010 01110",
  "^": "00100 01010 10001",
  _: "00000 00000 00000 00000 00000 00000 00000 11111",
  "`": "01000 00100",
  a: "00000 00000 01110 00001 01111 10001 01111",
  b: "10000 10000 10110 11001 10001 10001 11110",
  c: "00000 00000 01110 10000 10000 10001 01110",
  d: "00001 00001 01101 10011 10001 10001 01111",
  e: "00000 00000 01110 10001 11111 10000 01110",
  f: "00110 01001 01000 11100 01000 01000 01000",
  g: "00000 00000 01111 10001 10001 01111 00001 01110",
  h: "10000 10000 10110 11001 10001 10001 10001",
  i: "00100 00000 01100 00100 00100 00100 01110",
  j: "00010 00000 00110 00010 00010 00010 10010 01100",
  k: "10000 10000 10010 10100 11000 10100 10010",
  l: "01100 00100 00100 00100 00100 00100 01110",
  m: "00000 00000 11010 10101 10101 10001 10001",
  n: "00000 00000 10110 11001 10001 10001 10001",
  o: "00000 00000 01110 10001 10001 10001 01110",
  p: "00000 00000 11110 10001 10001 11110 10000 10000",
  q: "00000 00000 01111 10001 10001 01111 00001 00001",
  r: "00000 00000 10110 11001 10000 10000 10000",
  s: "00000 00000 01111 10000 01110 00001 11110",
  t: "01000 01000 11100 01000 01000 01001 00110",
  u: "00000 00000 10001 10001 10001 10011 01101",
  v: "00000 00000 10001 10001 10001 01010 00100",
  w: "00000 00000 10001 10001 10101 10101 01010",
  x: "00000 00000 10001 01010 00100 01010 10001",
  y: "00000 00000 10001 10001 10001 01111 00001 01110",
  z: "00000 00000 11111 00010 00100 01000 11111",
  "{": "00010 00100 00100 01000 00100 00100 00010",
  "|": "00100 00100 00100 00100 00100 00100 00100 00100",
  "}": "01000 00100 00100 00010 00100 00100 01000",
  "~": "00000 00000 01000 10101 00010",
};
const GLYPH_ROWS = 8;
const GLYPH_COLUMNS = 5;
const SPACE_ADVANCE = 3;
const FONT_FIRST = 32;
const FONT_LAST = 126;
const FONT_PER_ROW = 16;

/**
 * Renders the glyphs into a sheet and BMFont XML. `outlined`: white glyphs with a 1 px ink
 * outline (names and HUD over the map, tintable); else ink glyphs (text in the white chat
 * bubbles: dark without a tint, which Canvas rendering cannot apply to bitmap text).
 */
function drawFont(outlined: boolean, file: string): { png: Img; xml: string } {
  const pad = outlined ? 1 : 0;
  const cellW = GLYPH_COLUMNS + 2 * pad + 1;
  const cellH = GLYPH_ROWS + 2 * pad;
  const count = FONT_LAST - FONT_FIRST + 1;
  const img = new Img(FONT_PER_ROW * cellW, Math.ceil(count / FONT_PER_ROW) * cellH);
  const chars: string[] = [];
  for (let code = FONT_FIRST; code <= FONT_LAST; code++) {
    const ch = String.fromCharCode(code);
    const cell = code - FONT_FIRST;
    const cx = (cell % FONT_PER_ROW) * cellW;
    const cy = Math.floor(cell / FONT_PER_ROW) * cellH;
    const rows = code === 32 ? [] : GLYPHS[ch].split(" ");
    if (code !== 32 && GLYPHS[ch] === undefined) throw new Error(`no glyph for ${JSON.stringify(ch)}`);
    let left = GLYPH_COLUMNS;
    let right = -1;
    rows.forEach((row, j) => {
      if (row.length !== GLYPH_COLUMNS || j >= GLYPH_ROWS) throw new Error(`glyph ${JSON.stringify(ch)}: bad row ${j}`);
      for (let i = 0; i < GLYPH_COLUMNS; i++) {
        if (row[i] !== "1") continue;
        left = Math.min(left, i);
        right = Math.max(right, i);
        img.set(cx + pad + i, cy + pad + j, outlined ? C.white : C.ink);
      }
    });
    if (outlined) img.outline(cx, cy, cellW, cellH);
    const width = right < 0 ? 0 : right - left + 1;
    const advance = right < 0 ? SPACE_ADVANCE : width + 1;
    const x = right < 0 ? cx : cx + left;
    chars.push(
      `    <char id="${code}" x="${x}" y="${cy}" width="${right < 0 ? 0 : width + 2 * pad}" height="${cellH}" xoffset="0" yoffset="0" xadvance="${advance}" page="0" chnl="15"/>`,
    );
  }
  const xml = [
    `<?xml version="1.0"?>`,
    `<font>`,
    `  <info face="quest${outlined ? "-outline" : ""}" size="${cellH}" bold="0" italic="0" charset="" unicode="1" stretchH="100" smooth="0" aa="1" padding="0,0,0,0" spacing="1,1"/>`,
    `  <common lineHeight="${cellH + 1}" base="${7 + pad}" scaleW="${img.width}" scaleH="${img.height}" pages="1" packed="0"/>`,
    `  <pages>`,
    `    <page id="0" file="${file}"/>`,
    `  </pages>`,
    `  <chars count="${count}">`,
    ...chars,
    `  </chars>`,
    `</font>`,
    "",
  ].join("\n");
  return { png: img, xml };
}

/**
 * The title logo: "QUEST" in the font's glyphs, each glyph pixel a 2 × 2 block, lit gold at
 * the top shading to orange, outlined in ink with a terracotta drop shadow down-right.
 */
const LOGO_TEXT = "QUEST";
const LOGO_BLOCK = 2;
function drawLogo(): Img {
  const glyphW = GLYPH_COLUMNS * LOGO_BLOCK;
  const gap = LOGO_BLOCK;
  const w = LOGO_TEXT.length * (glyphW + gap) - gap + 4;
  const h = 7 * LOGO_BLOCK + 4;
  const letters = new Img(w, h);
  [...LOGO_TEXT].forEach((ch, n) => {
    GLYPHS[ch].split(" ").forEach((row, j) => {
      for (let i = 0; i < GLYPH_COLUMNS; i++) {
        if (row[i] !== "1") continue;
        for (let by = 0; by < LOGO_BLOCK; by++) {
          const y = j * LOGO_BLOCK + by;
          const c = y < 3 ? C.white : y < 8 ? C.gold : C.orange;
          for (let bx = 0; bx < LOGO_BLOCK; bx++) letters.set(1 + n * (glyphW + gap) + i * LOGO_BLOCK + bx, 1 + y, y === 0 ? C.sandLight : c);
        }
      }
    });
  });
  letters.outline(0, 0, w, h);
  const logo = new Img(w, h + 3);
  // Depth: the outlined letters repeated three pixels down, terracotta then ink at the base.
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (letters.alpha(x, y) === 255) {
    logo.set(x, y + 3, C.ink);
    logo.set(x, y + 2, C.roofDark);
    logo.set(x, y + 1, C.roofDark);
  }
  logo.over(letters, 0, 0);
  return logo;
}

/** Every file of `assets/art/`, by name. */
export function generateArt(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  files.set("tiles.png", drawTiles().png());
  files.set("characters.png", drawCharacters().png());
  files.set("marker.png", drawMarker().png());
  files.set("icons.png", drawIcons().png());
  files.set("logo.png", drawLogo().png());
  files.set("armor.png", drawArmor().png());
  files.set("weapons.png", drawWeapons().png());
  files.set("items.png", drawItems().png());
  files.set("mobs.png", drawMobs().png());
  files.set("npcs.png", drawNpcs().png());
  files.set("fx.png", drawFx().png());
  for (const [name, outlined] of [
    ["font", false],
    ["font-outline", true],
  ] as const) {
    const font = drawFont(outlined, `${name}.png`);
    files.set(`${name}.png`, font.png.png());
    files.set(`${name}.xml`, Buffer.from(font.xml));
  }
  return files;
}

export const ART_DIR = fileURLToPath(new URL("../assets/art/", import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(ART_DIR, { recursive: true });
  for (const [name, data] of generateArt()) writeFileSync(join(ART_DIR, name), data);
  console.log(`wrote ${[...generateArt().keys()].join(", ")} to ${ART_DIR}`);
}

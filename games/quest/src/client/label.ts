/**
 * Text that players wrote (names, chat, notices that echo a name), drawn whatever its script.
 * The bitmap fonts (gen-art) hold ASCII 32–126, the game's look, and Phaser's BitmapText
 * silently skips glyphs a font lacks ("José" drawn "Jos"). So a Label draws a string with the
 * bitmap font when it has every glyph, else with Phaser's Text in a browser font, as near the
 * bitmap face as practical (size, colour, ink outline), rendered at the camera's zoom so it
 * stays sharp.
 */
import * as Phaser from "phaser";
import { FONT_OUTLINE_SIZE, FONT_SIZE, KEYS } from "./assets.js";
import { bitmapWidth, coveredPart, fontCovers, type Glyphs, wrapText } from "./text-fit.js";

/** `ink`: dark glyphs, for bubbles; `outline`: white glyphs with an ink outline, tinted, over the map and HUD. */
export type Face = "ink" | "outline";

const WHITE = 0xffffff;
const INK = 0x1b1626;
/** Any sans-serif: the player's system has the glyphs for their own script there. */
const BROWSER_FAMILY = "sans-serif";
/**
 * Browser font per face: a size whose capitals stand about as tall as the bitmap's 7 px, the
 * bitmap's ink, and a stroke of 2 (half of it outside the glyph: the bitmap's 1 px outline).
 */
const BROWSER_FACE = {
  ink: { px: 9, stroke: 0, lineSpacing: -1 },
  outline: { px: 9, stroke: 2, lineSpacing: -2 },
} as const satisfies Record<Face, { px: number; stroke: number; lineSpacing: number }>;
const BITMAP_FACE = {
  ink: { key: KEYS.font, size: FONT_SIZE },
  outline: { key: KEYS.fontOutline, size: FONT_OUTLINE_SIZE },
} as const;

function css(colour: number): string {
  return `#${colour.toString(16).padStart(6, "0")}`;
}

/** The face's bitmap glyphs (Phaser's parsed BMFont data has `xAdvance`, which its typings leave out). */
function glyphsOf(scene: Phaser.Scene, face: Face): Glyphs {
  return (scene.cache.bitmapFont.get(BITMAP_FACE[face].key) as { data: { chars: Glyphs } }).data.chars;
}

let measuring: CanvasRenderingContext2D | null = null;

/** Width of `text` as a Text in the face's browser font draws it (world px). */
function browserWidth(face: Face, text: string): number {
  measuring ??= document.createElement("canvas").getContext("2d")!;
  const { px, stroke } = BROWSER_FACE[face];
  measuring.font = `${px}px ${BROWSER_FAMILY}`;
  return Math.ceil(measuring.measureText(text).width + stroke);
}

export interface LabelOptions {
  originX?: number;
  originY?: number;
  /** The glyphs' colour (outline face: the outline stays ink). */
  colour?: number;
  depth?: number;
  /** Break into lines no wider than this (world px), long words too. */
  wrapWidth?: number;
  /** Force the browser font (a line drawn in parts keeps one font); by default only when the bitmap font lacks a glyph. */
  browserFont?: boolean;
}

export class Label {
  private object: Phaser.GameObjects.BitmapText | Phaser.GameObjects.Text;
  private shown: string;
  private readonly options: LabelOptions;

  /** True when the face's bitmap font has a glyph for every character of `text`. */
  static bitmapDraws(scene: Phaser.Scene, face: Face, text: string): boolean {
    return fontCovers(glyphsOf(scene, face), text);
  }

  constructor(
    private readonly scene: Phaser.Scene,
    private readonly face: Face,
    text: string,
    options: LabelOptions = {},
  ) {
    this.options = { ...options };
    this.shown = text;
    this.object = this.make(text);
  }

  /** The text given (before any wrapping). */
  get text(): string {
    return this.shown;
  }

  get gameObject(): Phaser.GameObjects.GameObject & Phaser.GameObjects.Components.Transform {
    return this.object;
  }

  get browserFont(): boolean {
    return this.object instanceof Phaser.GameObjects.Text;
  }

  /** What is drawn, line by line: a bitmap font's characters without the ones it lacks; a browser font's, all. */
  get drawnText(): string {
    const object = this.object;
    if (object instanceof Phaser.GameObjects.Text) return object.text;
    return coveredPart(glyphsOf(this.scene, this.face), object.text);
  }

  get width(): number {
    return this.object.width;
  }

  get height(): number {
    return this.object.height;
  }

  /** Where the next piece of a line starts, from this one's x: its width less the stroke past its last glyph. */
  get advance(): number {
    return this.object.width - (this.browserFont ? BROWSER_FACE[this.face].stroke : 0);
  }

  setText(text: string, browserFont?: boolean): this {
    if (text === this.shown && (browserFont === undefined || browserFont === this.options.browserFont)) return this;
    this.shown = text;
    if (browserFont !== undefined) this.options.browserFont = browserFont;
    const { x, y, visible, alpha } = this.object;
    this.object.destroy();
    this.object = this.make(text).setPosition(x, y).setVisible(visible).setAlpha(alpha);
    return this;
  }

  setPosition(x: number, y: number): this {
    this.object.setPosition(x, y);
    return this;
  }

  setColour(colour: number): this {
    this.options.colour = colour;
    this.paint();
    return this;
  }

  setDepth(depth: number): this {
    this.options.depth = depth;
    this.object.setDepth(depth);
    return this;
  }

  setVisible(visible: boolean): this {
    this.object.setVisible(visible);
    return this;
  }

  setAlpha(alpha: number): this {
    this.object.setAlpha(alpha);
    return this;
  }

  destroy(): void {
    this.object.destroy();
  }

  private make(text: string): Phaser.GameObjects.BitmapText | Phaser.GameObjects.Text {
    const { face, scene, options } = this;
    const glyphs = glyphsOf(scene, face);
    const browser = options.browserFont ?? !fontCovers(glyphs, text);
    const measure = browser ? (s: string) => browserWidth(face, s) : (s: string) => bitmapWidth(glyphs, s);
    const drawn = options.wrapWidth === undefined ? text : wrapText(text, options.wrapWidth, measure).join("\n");
    let object: Phaser.GameObjects.BitmapText | Phaser.GameObjects.Text;
    if (browser) {
      const { px, stroke, lineSpacing } = BROWSER_FACE[face];
      const text = scene.add
        .text(0, 0, drawn, {
          fontFamily: BROWSER_FAMILY,
          fontSize: `${px}px`,
          color: css(face === "ink" ? INK : WHITE),
          stroke: css(INK),
          strokeThickness: stroke,
          resolution: scene.cameras.main.zoom,
        })
        .setLineSpacing(lineSpacing);
      // The zoom follows the window: render again at the new one (the scene's own resize handler, added first, has set it).
      const rescale = () => text.setResolution(scene.cameras.main.zoom);
      scene.scale.on("resize", rescale);
      text.once(Phaser.GameObjects.Events.DESTROY, () => scene.scale.off("resize", rescale));
      object = text;
    } else object = scene.add.bitmapText(0, 0, BITMAP_FACE[face].key, drawn, BITMAP_FACE[face].size);
    object.setOrigin(options.originX ?? 0, options.originY ?? 0);
    if (options.depth !== undefined) object.setDepth(options.depth);
    this.object = object;
    this.paint();
    return object;
  }

  private paint(): void {
    const colour = this.options.colour;
    const object = this.object;
    if (object instanceof Phaser.GameObjects.Text) {
      // The browser font is drawn in its colour (a tint would darken the outline too, and Canvas has none).
      if (this.face === "outline") object.setColor(css(colour ?? WHITE));
    } else if (colour === undefined) object.clearTint();
    else object.setTint(colour);
  }
}

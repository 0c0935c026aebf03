/**
 * Fitting player-written text on screen, pure (tested without a browser): whether a bitmap
 * font has a glyph for every character of a string, breaking text into lines of a width
 * (words longer than the width too), and placing a speech bubble inside the camera's view.
 */

const NEWLINE = 10;

/** A bitmap font's glyphs by UTF-16 code, as Phaser parses BMFont XML (`fontData.chars`). */
export type Glyphs = Readonly<Record<number, { xAdvance: number } | undefined>>;

/** True when `glyphs` can draw every character of `text` (Phaser's BitmapText silently skips the rest). */
export function fontCovers(glyphs: Glyphs, text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== NEWLINE && glyphs[code] === undefined) return false;
  }
  return true;
}

/** The characters of `text` that `glyphs` draws, in order, line breaks kept: what a BitmapText shows of it. */
export function coveredPart(glyphs: Glyphs, text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === NEWLINE || glyphs[code] !== undefined) out += text[i];
  }
  return out;
}

/** A string's width in a bitmap font: its glyphs' advances, as Phaser lays them out (no kerning in gen-art's fonts). */
export function bitmapWidth(glyphs: Glyphs, text: string): number {
  let width = 0;
  for (let i = 0; i < text.length; i++) width += glyphs[text.charCodeAt(i)]?.xAdvance ?? 0;
  return width;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * `text` broken into lines no wider than `maxWidth` (by `measure`): at spaces where it can, and
 * inside a word wider than a line (between user-perceived characters, so an accent stays on
 * its letter), where nothing else would fit. A line holds at least one character. Joined
 * without the breaking spaces, the lines are the text again.
 */
export function wrapText(text: string, maxWidth: number, measure: (s: string) => number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    const joined = line === "" ? word : `${line} ${word}`;
    if (measure(joined) <= maxWidth) {
      line = joined;
      continue;
    }
    if (line !== "") lines.push(line);
    line = "";
    if (measure(word) <= maxWidth) {
      line = word;
      continue;
    }
    for (const { segment } of graphemes.segment(word)) {
      if (line !== "" && measure(line + segment) > maxWidth) {
        lines.push(line);
        line = "";
      }
      line += segment;
    }
  }
  if (line !== "" || lines.length === 0) lines.push(line);
  return lines;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface BubbleFit {
  /** The box's top-left corner (world px, whole). */
  left: number;
  top: number;
  /** Where the tail's middle column is, from the box's left edge. */
  tailX: number;
  /** Under the speaker with the tail pointing up (no room above it in the view). */
  below: boolean;
}

export interface BubbleSpot {
  /** The speaker's x, where the tail points. */
  x: number;
  /** Where the tail's tip touches when the bubble is over the speaker (above its name). */
  above: number;
  /** Where it touches when the bubble is under the speaker (its feet). */
  below: number;
}

/** What the bubble's shape takes: the tail's extra px beyond the box, and how far its middle must stay from the box's sides. */
export interface BubbleShape {
  width: number;
  height: number;
  tail: number;
  tailInset: number;
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}

/**
 * Where a bubble goes so all of it (box and tail) is inside `view` (world px), `margin` in from
 * its edges: over the speaker when it fits there, else under it; slid sideways and up or down
 * as far as it must, the tail kept under the speaker where the box allows. A speaker outside
 * the view gets its bubble at the nearest edge, the tail towards it.
 */
export function fitBubble(spot: BubbleSpot, shape: BubbleShape, view: Rect, margin: number): BubbleFit {
  const { width, height, tail } = shape;
  const minLeft = Math.ceil(view.x + margin);
  const maxLeft = Math.floor(view.x + view.width - margin - width);
  const minTop = Math.ceil(view.y + margin);
  const maxBottom = Math.floor(view.y + view.height - margin);
  const left = clamp(Math.round(spot.x - width / 2), minLeft, Math.max(minLeft, maxLeft));
  const aboveTop = Math.round(spot.above) - tail - height;
  const below = aboveTop < minTop;
  // Above: the tail hangs under the box; below: it sticks up over it.
  const top = below ? clamp(Math.round(spot.below) + tail, minTop + tail, Math.max(minTop + tail, maxBottom - height)) : Math.min(aboveTop, maxBottom - tail - height);
  const lo = shape.tailInset;
  const hi = width - 1 - shape.tailInset;
  const tailX = lo > hi ? Math.floor(width / 2) : clamp(Math.round(spot.x) - left, lo, hi);
  return { left, top, tailX, below };
}

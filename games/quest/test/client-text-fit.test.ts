import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bitmapWidth, type BubbleShape, coveredPart, fitBubble, fontCovers, type Glyphs, wrapText } from "../src/client/text-fit.js";

/** The committed outline font's glyphs, read from its BMFont XML as Phaser reads them. */
function glyphsOf(file: string): Glyphs {
  const xml = readFileSync(new URL(`../assets/art/${file}`, import.meta.url), "utf8");
  const glyphs: Record<number, { xAdvance: number }> = {};
  for (const match of xml.matchAll(/<char id="(\d+)"[^>]* xadvance="(\d+)"/g)) glyphs[Number(match[1])] = { xAdvance: Number(match[2]) };
  return glyphs;
}
const font = glyphsOf("font.xml");
/** A font where every character is 6 px wide. */
const fixed = (s: string) => Array.from(s).length * 6;

describe("which text the bitmap font can draw", () => {
  it("covers ASCII names and lines, not accents, CJK or emoji (BitmapText would drop them)", () => {
    expect(fontCovers(font, "alice: hello, world! ~{}")).toBe(true);
    expect(fontCovers(font, "José Müller")).toBe(false);
    expect(fontCovers(font, "你好")).toBe(false);
    expect(fontCovers(font, "🙂")).toBe(false);
    // What the bug report saw: the characters the bitmap font draws of a mixed line.
    expect(coveredPart(font, "¡Hola! ça va? 你好 🙂")).toBe("Hola! a va?  ");
    expect(coveredPart(font, "José Müller")).toBe("Jos Mller");
    expect(coveredPart(font, "two\nlines")).toBe("two\nlines");
  });

  it("measures a string by its glyphs' advances", () => {
    expect(bitmapWidth(font, "")).toBe(0);
    expect(bitmapWidth(font, "ab")).toBe(bitmapWidth(font, "a") + bitmapWidth(font, "b"));
  });
});

describe("wrapText", () => {
  it("breaks at spaces, keeping lines within the width", () => {
    expect(wrapText("hello everyone, the forest north", 60, fixed)).toEqual(["hello", "everyone,", "the forest", "north"]);
  });

  it("breaks a word wider than a line between characters, and the next word may join its last piece", () => {
    const lines = wrapText(`${"x".repeat(25)} ok`, 60, fixed);
    expect(lines).toEqual(["x".repeat(10), "x".repeat(10), "xxxxx ok"]);
    for (const line of lines) expect(fixed(line)).toBeLessThanOrEqual(60);
  });

  it("keeps an accent on its letter and an emoji whole when breaking, and text without spaces (CJK) breaks anywhere", () => {
    const accented = "e\u0301".repeat(12);
    const lines = wrapText(accented, 5 * 6 * 2, (s) => Array.from(s).length * 6);
    expect(lines.join("")).toBe(accented);
    for (const line of lines) expect(line.startsWith("\u0301")).toBe(false);
    expect(wrapText("🙂".repeat(12), 30, fixed)).toEqual(["🙂".repeat(5), "🙂".repeat(5), "🙂".repeat(2)]);
    expect(wrapText("你好你好你好", 24, fixed)).toEqual(["你好你好", "你好"]);
  });

  it("gives one empty line for empty text and a line of one character however narrow", () => {
    expect(wrapText("", 96, fixed)).toEqual([""]);
    expect(wrapText("ab", 1, fixed)).toEqual(["a", "b"]);
  });
});

describe("fitBubble", () => {
  const shape: BubbleShape = { width: 60, height: 20, tail: 3, tailInset: 6 };
  const view = { x: 100, y: 200, width: 320, height: 192 };
  const inside = (fit: { left: number; top: number; below: boolean }) => {
    const top = fit.below ? fit.top - shape.tail : fit.top;
    return fit.left >= view.x && fit.left + shape.width <= view.x + view.width && top >= view.y && top + shape.height + shape.tail <= view.y + view.height;
  };

  it("sits centred over the speaker with the tail's tip on its head when there is room", () => {
    const fit = fitBubble({ x: 260, above: 300, below: 320 }, shape, view, 1);
    expect(fit).toEqual({ left: 230, top: 300 - 3 - 20, tailX: 30, below: false });
  });

  it("slides in from the left and right edges, the tail still under the speaker", () => {
    const left = fitBubble({ x: 110, above: 300, below: 320 }, shape, view, 1);
    expect(left.left).toBe(101);
    expect(left.left + left.tailX).toBe(110);
    const right = fitBubble({ x: 415, above: 300, below: 320 }, shape, view, 1);
    expect(right.left + shape.width).toBe(419);
    // At the very edge the tail stops short of the box's rounded corner.
    expect(right.tailX).toBe(shape.width - 1 - shape.tailInset);
    expect(inside(left) && inside(right)).toBe(true);
  });

  it("goes under a speaker at the top of the view, and stays at the bottom edge for one below it", () => {
    const top = fitBubble({ x: 260, above: 210, below: 230 }, shape, view, 1);
    expect(top).toMatchObject({ below: true, top: 233 });
    const under = fitBubble({ x: 260, above: 500, below: 520 }, shape, view, 1);
    expect(under.below).toBe(false);
    expect(under.top + shape.height + shape.tail).toBe(391);
    const over = fitBubble({ x: 260, above: 100, below: 120 }, shape, view, 1);
    expect(over.below).toBe(true);
    expect(inside(top) && inside(under) && inside(over)).toBe(true);
  });

  it("stays inside for speakers anywhere around a view with a fractional scroll", () => {
    const scrolled = { x: 100.4, y: 200.7, width: 320, height: 192 };
    for (let x = 0; x <= 520; x += 13) {
      for (let y = 100; y <= 500; y += 11) {
        const fit = fitBubble({ x, above: y - 19, below: y + 7 }, shape, scrolled, 1);
        const top = fit.below ? fit.top - shape.tail : fit.top;
        expect(fit.left).toBeGreaterThanOrEqual(scrolled.x);
        expect(fit.left + shape.width).toBeLessThanOrEqual(scrolled.x + scrolled.width);
        expect(top).toBeGreaterThanOrEqual(scrolled.y);
        expect(top + shape.height + shape.tail).toBeLessThanOrEqual(scrolled.y + scrolled.height);
      }
    }
  });
});

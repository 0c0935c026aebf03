/**
 * Speech bubbles (chat lines, NPC dialogue) drawn pixel by pixel: a warm white box with a
 * 1 px ink border and 2 px stepped corners, a tail pointing down at the speaker. Rectangles
 * only, so Canvas and WebGL draw the same pixels.
 */
import type * as Phaser from "phaser";
import { FONT_SIZE, KEYS } from "./assets.js";
import { DEPTH } from "./map-view.js";

/** Widest bubble text in world px before it wraps (about 16 characters a line). */
const BUBBLE_TEXT_WIDTH = 96;
const BUBBLE_PADDING = 4;
const BUBBLE_TAIL = 4;
const INK = 0x1b1626;
const BUBBLE_FILL = 0xfff8e7;

function drawBubble(g: Phaser.GameObjects.Graphics, w: number, h: number): void {
  g.fillStyle(INK);
  g.fillRect(2, 0, w - 4, h);
  g.fillRect(1, 1, w - 2, h - 2);
  g.fillRect(0, 2, w, h - 4);
  g.fillStyle(BUBBLE_FILL);
  g.fillRect(2, 1, w - 4, h - 2);
  g.fillRect(1, 2, w - 2, h - 4);
  const mid = Math.floor(w / 2);
  for (let k = 0; k < BUBBLE_TAIL; k++) {
    const half = BUBBLE_TAIL - 1 - k;
    g.fillStyle(INK);
    g.fillRect(mid - half - 1, h - 1 + k, 2 * half + 3, 1);
    if (half > 0 || k === 0) {
      g.fillStyle(BUBBLE_FILL);
      g.fillRect(mid - half, h - 1 + k, 2 * half + 1, 1);
    }
  }
}

/** One bubble over a speaker, until a time. */
export class SpeechBubble {
  private readonly container: Phaser.GameObjects.Container;
  private readonly width: number;
  private readonly height: number;

  constructor(
    scene: Phaser.Scene,
    readonly text: string,
    readonly until: number,
  ) {
    const body = scene.add.bitmapText(BUBBLE_PADDING, BUBBLE_PADDING - 1, KEYS.font, text, FONT_SIZE).setMaxWidth(BUBBLE_TEXT_WIDTH);
    this.width = Math.ceil(body.width) + 2 * BUBBLE_PADDING;
    this.height = Math.ceil(body.height) + 2 * BUBBLE_PADDING - 2;
    const box = scene.add.graphics();
    drawBubble(box, this.width, this.height);
    this.container = scene.add.container(0, 0, [box, body]);
  }

  /** Places the tail's tip at (x, bottom). */
  place(x: number, bottom: number): void {
    this.container.setPosition(Math.round(x - this.width / 2), Math.round(bottom - BUBBLE_TAIL - this.height)).setDepth(DEPTH.bubbles + bottom);
  }

  destroy(): void {
    this.container.destroy();
  }
}

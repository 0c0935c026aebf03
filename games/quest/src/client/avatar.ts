/**
 * One player on screen: the animated sprite (walk or idle, facing its direction; left is
 * right mirrored), the name above its head and its chat bubble while one is showing.
 */
import type * as Phaser from "phaser";
import type { Direction } from "../shared/movement.js";
import { CHARACTER_LOOKS, FONT_OUTLINE_SIZE, FONT_SIZE, KEYS } from "./assets.js";
import { animationKey } from "./boot-scene.js";
import { DEPTH } from "./map-view.js";

/** How long a bubble stays up (BrowserQuest: about 5 s). */
export const BUBBLE_MS = 5000;
/** Widest bubble text in world px before it wraps (about 16 characters a line). */
const BUBBLE_TEXT_WIDTH = 96;
const BUBBLE_PADDING = 4;
/** The sprite is drawn with its feet near the bottom of its tile. */
const SPRITE_LIFT = 2;
const NAME_GAP = 9;
const INK = 0x1b1626;
const LOCAL_NAME_TINT = 0xf6c744;

/** Bubble colours: the art's warm white and its outline ink. */
const BUBBLE_FILL = 0xfff8e7;
const BUBBLE_TAIL = 4;

/**
 * A chat bubble drawn pixel by pixel: white box with 1 px ink border and 2 px stepped
 * corners, a tail pointing down at the speaker. Rectangles only, so Canvas and WebGL draw
 * the same pixels.
 */
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

interface Bubble {
  container: Phaser.GameObjects.Container;
  text: string;
  until: number;
  width: number;
  height: number;
}

export class Avatar {
  readonly sprite: Phaser.GameObjects.Sprite;
  readonly label: Phaser.GameObjects.BitmapText;
  private bubble: Bubble | null = null;
  private shown = "";
  x = 0;
  y = 0;

  constructor(
    private readonly scene: Phaser.Scene,
    name: string,
    private look: number,
    local: boolean,
  ) {
    this.sprite = scene.add.sprite(0, 0, KEYS.characters, 0);
    this.label = scene.add.bitmapText(0, 0, KEYS.fontOutline, name, FONT_OUTLINE_SIZE).setOrigin(0.5, 1).setDepth(DEPTH.labels);
    if (local) this.label.setTint(LOCAL_NAME_TINT);
  }

  setName(name: string): void {
    if (this.label.text !== name) this.label.setText(name);
  }

  setLook(look: number): void {
    this.look = look;
  }

  /** Places the avatar (world px of its tile centre) and picks its animation. */
  place(x: number, y: number, dir: Direction, walking: boolean): void {
    this.x = x;
    this.y = y;
    const look = ((this.look % CHARACTER_LOOKS) + CHARACTER_LOOKS) % CHARACTER_LOOKS;
    const facing = dir === "left" ? "right" : dir;
    const key = animationKey(look, facing, walking);
    if (key !== this.shown) {
      this.shown = key;
      this.sprite.play(key);
    }
    this.sprite.setFlipX(dir === "left");
    this.sprite.setPosition(x, y - SPRITE_LIFT).setDepth(DEPTH.players + y);
    this.label.setPosition(Math.round(x), Math.round(y - NAME_GAP));
    if (this.bubble !== null) this.placeBubble(this.bubble);
  }

  say(text: string, now: number): void {
    this.bubble?.container.destroy();
    const scene = this.scene;
    const body = scene.add.bitmapText(BUBBLE_PADDING, BUBBLE_PADDING - 1, KEYS.font, text, FONT_SIZE).setMaxWidth(BUBBLE_TEXT_WIDTH);
    const w = Math.ceil(body.width) + 2 * BUBBLE_PADDING;
    const h = Math.ceil(body.height) + 2 * BUBBLE_PADDING - 2;
    const box = scene.add.graphics();
    drawBubble(box, w, h);
    const container = scene.add.container(0, 0, [box, body]).setDepth(DEPTH.bubbles + this.y);
    this.bubble = { container, text, until: now + BUBBLE_MS, width: w, height: h };
    this.placeBubble(this.bubble);
  }

  /** The bubble's text while it shows, else null. */
  get saying(): string | null {
    return this.bubble?.text ?? null;
  }

  /** Drops an expired bubble. */
  tick(now: number): void {
    if (this.bubble !== null && now >= this.bubble.until) {
      this.bubble.container.destroy();
      this.bubble = null;
    }
  }

  private placeBubble(bubble: Bubble): void {
    bubble.container.setPosition(Math.round(this.x - bubble.width / 2), Math.round(this.y - NAME_GAP - FONT_OUTLINE_SIZE - BUBBLE_TAIL - bubble.height));
  }

  destroy(): void {
    this.sprite.destroy();
    this.label.destroy();
    this.bubble?.container.destroy();
  }
}

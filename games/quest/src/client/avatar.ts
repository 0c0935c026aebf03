/**
 * One player on screen: the animated sprite (walk or idle, facing its direction; left is
 * right mirrored), the name above its head and its chat bubble while one is showing.
 */
import type * as Phaser from "phaser";
import type { Direction } from "../shared/movement.js";
import { BUBBLE, CHARACTER_LOOKS, FONT_OUTLINE_SIZE, FONT_SIZE, KEYS } from "./assets.js";
import { animationKey } from "./boot-scene.js";
import { DEPTH } from "./map-view.js";

/** How long a bubble stays up (BrowserQuest: about 5 s). */
export const BUBBLE_MS = 5000;
/** Widest bubble text in world px before it wraps (about 16 characters a line). */
const BUBBLE_TEXT_WIDTH = 96;
const BUBBLE_PADDING = 3;
/** The sprite is drawn with its feet near the bottom of its tile. */
const SPRITE_LIFT = 2;
const NAME_GAP = 9;
const INK = 0x1b1626;
const LOCAL_NAME_TINT = 0xf6c744;

export const BUBBLE_FRAMES = ["tl", "t", "tr", "l", "c", "r", "bl", "b", "br", "tail"] as const;

/** Cuts bubble.png into its nine slices and tail (once per game). */
export function defineBubbleFrames(textures: Phaser.Textures.TextureManager): void {
  const texture = textures.get(KEYS.bubble);
  if (texture.has("tl")) return;
  const c = BUBBLE.corner;
  const mid = BUBBLE.box - 2 * c;
  const spans = [
    [0, c],
    [c, mid],
    [c + mid, c],
  ] as const;
  let n = 0;
  for (const [y, h] of spans) for (const [x, w] of spans) texture.add(BUBBLE_FRAMES[n++], 0, x, y, w, h);
  texture.add("tail", 0, BUBBLE.tailX, 0, BUBBLE.tailWidth, BUBBLE.tailHeight);
}

interface Bubble {
  container: Phaser.GameObjects.Container;
  text: string;
  until: number;
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
    const body = scene.add.bitmapText(BUBBLE_PADDING, BUBBLE_PADDING, KEYS.font, text, FONT_SIZE).setMaxWidth(BUBBLE_TEXT_WIDTH).setTint(INK);
    const w = Math.max(BUBBLE.box, Math.ceil(body.width) + 2 * BUBBLE_PADDING);
    const h = Math.max(BUBBLE.box, Math.ceil(body.height) + 2 * BUBBLE_PADDING - 1);
    const c = BUBBLE.corner;
    const parts: Phaser.GameObjects.Image[] = [];
    const slice = (frame: (typeof BUBBLE_FRAMES)[number], x: number, y: number, width: number, height: number) =>
      parts.push(scene.add.image(x, y, KEYS.bubble, frame).setOrigin(0, 0).setDisplaySize(width, height));
    slice("tl", 0, 0, c, c);
    slice("t", c, 0, w - 2 * c, c);
    slice("tr", w - c, 0, c, c);
    slice("l", 0, c, c, h - 2 * c);
    slice("c", c, c, w - 2 * c, h - 2 * c);
    slice("r", w - c, c, c, h - 2 * c);
    slice("bl", 0, h - c, c, c);
    slice("b", c, h - c, w - 2 * c, c);
    slice("br", w - c, h - c, c, c);
    const tailX = Math.floor(w / 2 - BUBBLE.tailWidth / 2);
    parts.push(scene.add.image(tailX, h - 1, KEYS.bubble, "tail").setOrigin(0, 0));
    const container = scene.add.container(0, 0, [...parts, body]).setDepth(DEPTH.bubbles + this.y);
    container.setSize(w, h);
    this.bubble = { container, text, until: now + BUBBLE_MS, height: h };
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
    const w = bubble.container.width;
    bubble.container.setPosition(Math.round(this.x - w / 2), Math.round(this.y - NAME_GAP - FONT_OUTLINE_SIZE - BUBBLE.tailHeight - bubble.height));
  }

  destroy(): void {
    this.sprite.destroy();
    this.label.destroy();
    this.bubble?.container.destroy();
  }
}

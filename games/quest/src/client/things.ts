/**
 * What else stands in the world: mobs (animated, turned the way they walk or fight, an HP
 * bar while hurt, a swing, a flash when hit), NPCs (idle, named, with dialogue bubbles),
 * items on the ground (bobbing, blinking when about to vanish) and chests.
 */
import type * as Phaser from "phaser";
import { ITEM_KINDS, type ItemKind } from "../shared/items.js";
import { MOB_KINDS, MOBS, type MobKind } from "../shared/mobs.js";
import type { Direction } from "../shared/movement.js";
import type { NpcKind } from "../shared/npcs.js";
import { CHARACTER_COLUMNS, CHARACTER_FACINGS, FONT_OUTLINE_SIZE, ITEM_FRAME_OF, KEYS } from "./assets.js";
import { facingOf, FLASH_MS, setFlash, SWING_MS } from "./avatar.js";
import { mobAnimationKey, npcAnimationKey } from "./boot-scene.js";
import { SpeechBubble } from "./bubble.js";
import { HpBar } from "./hp-bar.js";
import { DEPTH } from "./map-view.js";

/** Mob frames are 24 px with the feet on row 21: this lifts them to stand where a 16 px character stands. */
const MOB_LIFT = 5;
/** The HP bar sits just over the head: higher for the big ones. */
const HP_BAR_ABOVE = 13;
const HP_BAR_ABOVE_BIG = 19;
const BIG_MOBS: ReadonlySet<MobKind> = new Set(["ogre", "boss"]);
/** An item bobs this many px, once a second. */
const ITEM_BOB_PX = 1;
const ITEM_BOB_MS = 1000;
/** A blinking item shows this long, then hides as long. */
const BLINK_MS = 150;
/** NPC dialogue stays up this long per line (a click moves it on sooner). */
export const NPC_LINE_MS = 6000;
const NPC_NAME_TINT = 0x9ae6df;
/** Below an NPC's tile centre: its feet, where a bubble under it points. */
const NPC_FEET = 6;

export class MobView {
  readonly sprite: Phaser.GameObjects.Sprite;
  private readonly hpBar: HpBar;
  private shown = "";
  private swingUntil = -Infinity;
  private swingDir: Direction = "down";
  private flashUntil = -Infinity;
  private flashing = false;
  readonly maxHp: number;
  x = 0;
  y = 0;

  constructor(
    scene: Phaser.Scene,
    readonly kind: MobKind,
  ) {
    this.sprite = scene.add.sprite(0, 0, KEYS.mobs, MOB_KINDS.indexOf(kind) * CHARACTER_FACINGS.length * CHARACTER_COLUMNS);
    this.hpBar = new HpBar(scene);
    this.maxHp = MOBS[kind].hp;
  }

  swing(dir: Direction, now: number): void {
    this.swingUntil = now + SWING_MS;
    this.swingDir = dir;
  }

  flash(now: number): void {
    this.flashUntil = now + FLASH_MS;
  }

  place(x: number, y: number, dir: Direction, walking: boolean, hp: number, now: number): void {
    this.x = x;
    this.y = y;
    const swinging = now < this.swingUntil;
    const faced = swinging ? this.swingDir : dir;
    const key = mobAnimationKey(this.kind, facingOf(faced), swinging ? "attack" : walking ? "walk" : "idle");
    if (key !== this.shown) {
      this.shown = key;
      this.sprite.play(key);
    }
    this.sprite.setFlipX(faced === "left").setPosition(x, y - MOB_LIFT).setDepth(DEPTH.players + y);
    const flashing = now < this.flashUntil;
    if (flashing !== this.flashing) {
      this.flashing = flashing;
      setFlash(this.sprite, flashing);
    }
    this.hpBar.show(x, y - (BIG_MOBS.has(this.kind) ? HP_BAR_ABOVE_BIG : HP_BAR_ABOVE), hp, this.maxHp);
  }

  /** Hands the sprite over (to the death animation); the rest goes. */
  release(): Phaser.GameObjects.Sprite {
    this.hpBar.destroy();
    return this.sprite;
  }

  destroy(): void {
    this.sprite.destroy();
    this.hpBar.destroy();
  }
}

export class NpcView {
  readonly sprite: Phaser.GameObjects.Sprite;
  private readonly label: Phaser.GameObjects.BitmapText;
  private bubble: SpeechBubble | null = null;
  x = 0;
  y = 0;

  constructor(
    private readonly scene: Phaser.Scene,
    readonly kind: NpcKind,
  ) {
    this.sprite = scene.add.sprite(0, 0, KEYS.npcs, 0);
    this.sprite.play(npcAnimationKey(kind));
    const name = kind.charAt(0).toUpperCase() + kind.slice(1);
    this.label = scene.add.bitmapText(0, 0, KEYS.fontOutline, name, FONT_OUTLINE_SIZE).setOrigin(0.5, 1).setDepth(DEPTH.labels).setTint(NPC_NAME_TINT);
  }

  place(x: number, y: number): void {
    this.x = x;
    this.y = y;
    this.sprite.setPosition(x, y - 2).setDepth(DEPTH.players + y);
    this.label.setPosition(Math.round(x), Math.round(y - 9));
    this.bubble?.place(x, y - 9 - FONT_OUTLINE_SIZE, y + NPC_FEET);
  }

  say(line: string, now: number): void {
    this.bubble?.destroy();
    this.bubble = new SpeechBubble(this.scene, line, now + NPC_LINE_MS);
    this.bubble.place(this.x, this.y - 9 - FONT_OUTLINE_SIZE, this.y + NPC_FEET);
  }

  get saying(): string | null {
    return this.bubble?.text ?? null;
  }

  tick(now: number): void {
    if (this.bubble !== null && now >= this.bubble.until) {
      this.bubble.destroy();
      this.bubble = null;
    }
  }

  destroy(): void {
    this.sprite.destroy();
    this.label.destroy();
    this.bubble?.destroy();
  }
}

export function itemFrame(kind: ItemKind): number {
  return ITEM_KINDS.indexOf(kind);
}

export class ItemView {
  readonly sprite: Phaser.GameObjects.Sprite;

  constructor(scene: Phaser.Scene, kind: ItemKind) {
    this.sprite = scene.add.sprite(0, 0, KEYS.items, itemFrame(kind));
  }

  place(x: number, y: number, blinking: boolean, now: number): void {
    const bob = Math.floor(now / (ITEM_BOB_MS / 2)) % 2 === 0 ? 0 : -ITEM_BOB_PX;
    // Over the ground and a chest it dropped from, under whoever stands on it.
    this.sprite.setPosition(x, y + bob).setDepth(DEPTH.players + y - 0.5);
    this.sprite.setVisible(!blinking || Math.floor(now / BLINK_MS) % 2 === 0);
  }

  destroy(): void {
    this.sprite.destroy();
  }
}

export class ChestView {
  readonly sprite: Phaser.GameObjects.Sprite;

  constructor(scene: Phaser.Scene) {
    this.sprite = scene.add.sprite(0, 0, KEYS.items, ITEM_FRAME_OF.chest);
  }

  place(x: number, y: number, open: boolean): void {
    this.sprite.setFrame(open ? ITEM_FRAME_OF.chestOpen : ITEM_FRAME_OF.chest);
    this.sprite.setPosition(x, y).setDepth(DEPTH.players + y - 1);
  }

  destroy(): void {
    this.sprite.destroy();
  }
}

/** Short-lived combat effects: floating damage numbers and the death puff (with the dying sprite flashing out first). */
import * as Phaser from "phaser";
import { FONT_OUTLINE_SIZE, KEYS } from "./assets.js";
import { setFlash } from "./avatar.js";
import { DEPTH } from "./map-view.js";

/** A damage number rises this far while it fades. */
const RISE_PX = 14;
const NUMBER_MS = 800;
/** The dying sprite blinks white this long before it turns to smoke. */
const DYING_MS = 240;
const DYING_BLINK_MS = 60;
const EFFECTS_DEPTH = DEPTH.bubbles + 500_000;
/** Deaths remembered for the debug view. */
const DEATHS_KEPT = 50;

export const DAMAGE_TINT = {
  /** Dealt by the local player. */
  dealt: 0xfff8e7,
  /** Taken by the local player. */
  taken: 0xd23c3c,
  /** Between others. */
  others: 0xcfcadb,
  heal: 0x8fcf5c,
} as const;

export class Effects {
  /** Live damage numbers (for tests: what the page shows). */
  readonly numbers = new Set<Phaser.GameObjects.BitmapText>();
  /** Deaths shown so far, by id. */
  readonly deaths: number[] = [];

  constructor(private readonly scene: Phaser.Scene) {}

  damage(x: number, y: number, text: string, tint: number): void {
    const label = this.scene.add
      .bitmapText(Math.round(x), Math.round(y), KEYS.fontOutline, text, FONT_OUTLINE_SIZE)
      .setOrigin(0.5, 1)
      .setTint(tint)
      .setDepth(EFFECTS_DEPTH);
    this.numbers.add(label);
    this.scene.tweens.add({
      targets: label,
      y: Math.round(y) - RISE_PX,
      alpha: { from: 1, to: 0 },
      ease: (t: number) => t * t,
      duration: NUMBER_MS,
      onComplete: () => {
        this.numbers.delete(label);
        label.destroy();
      },
    });
  }

  /** A sprite that died: it blinks white, then a puff of smoke takes its place. */
  die(id: number, sprite: Phaser.GameObjects.Sprite | null, x: number, y: number): void {
    this.deaths.push(id);
    if (this.deaths.length > DEATHS_KEPT) this.deaths.shift();
    if (sprite !== null) {
      sprite.anims.stop();
      let on = true;
      const blink = this.scene.time.addEvent({
        delay: DYING_BLINK_MS,
        repeat: Math.floor(DYING_MS / DYING_BLINK_MS) - 1,
        callback: () => {
          on = !on;
          setFlash(sprite, on);
        },
      });
      setFlash(sprite, true);
      this.scene.time.delayedCall(DYING_MS, () => {
        blink.remove();
        sprite.destroy();
        this.puff(x, y);
      });
    } else this.puff(x, y);
  }

  private puff(x: number, y: number): void {
    const puff = this.scene.add.sprite(x, y - 4, KEYS.fx, 0).setDepth(EFFECTS_DEPTH - 1);
    puff.play("puff");
    puff.once(Phaser.Animations.Events.ANIMATION_COMPLETE, () => puff.destroy());
  }
}

/**
 * One player on screen: the animated sprite (walk, idle or a swing, facing its direction;
 * left is right mirrored) with its gear drawn over it (armor recolours the tunic, the weapon
 * sits in the hand, frame for frame), the name above its head, an HP bar while hurt, a glow
 * while invincible, its chat bubble while one is showing, lying down while dead.
 */
import * as Phaser from "phaser";
import type { Direction } from "../shared/movement.js";
import { ARMOR_FIRST_RANK, CHARACTER_COLUMNS, CHARACTER_FACINGS, CHARACTER_LOOKS, FONT_OUTLINE_SIZE, KEYS } from "./assets.js";
import { type Action, animationKey, type Facing } from "./boot-scene.js";
import { SpeechBubble } from "./bubble.js";
import { HpBar } from "./hp-bar.js";
import { Label } from "./label.js";
import { DEPTH } from "./map-view.js";

/** How long a bubble stays up (BrowserQuest: about 5 s). */
export const BUBBLE_MS = 5000;
/** A swing shows this long (two frames at 8 fps). */
export const SWING_MS = 250;
/** A hit flashes its target white this long. */
export const FLASH_MS = 90;
/** The sprite is drawn with its feet near the bottom of its tile. */
const SPRITE_LIFT = 2;
const NAME_GAP = 9;
/** Below the tile centre: the feet, where a bubble under the speaker points. */
const FEET = 7;
const LOCAL_NAME_TINT = 0xf6c744;
const DEAD_ALPHA = 0.55;
const WHITE = 0xffffff;

export function facingOf(dir: Direction): Facing {
  return dir === "left" ? "right" : dir;
}

/** Sets or clears a white flash on a sprite (WebGL: a fill tint; Canvas cannot tint, so the sprite blinks out instead). */
export function setFlash(sprite: Phaser.GameObjects.Sprite, on: boolean): void {
  if (sprite.scene.game.renderer.type === Phaser.WEBGL) {
    if (on) sprite.setTint(WHITE).setTintMode(Phaser.TintModes.FILL);
    else sprite.clearTint().setTintMode(Phaser.TintModes.MULTIPLY);
  } else sprite.setVisible(!on);
}

export interface Gear {
  weapon: number;
  armor: number;
}

export class Avatar {
  readonly sprite: Phaser.GameObjects.Sprite;
  private readonly armor: Phaser.GameObjects.Sprite;
  private readonly weapon: Phaser.GameObjects.Sprite;
  private readonly glow: Phaser.GameObjects.Sprite;
  readonly label: Label;
  private readonly hpBar: HpBar;
  private bubble: SpeechBubble | null = null;
  private shown = "";
  private gear: Gear = { weapon: 1, armor: 1 };
  private hp = 1;
  private maxHp = 1;
  private invincible = false;
  private swingUntil = -Infinity;
  private swingDir: Direction = "down";
  private flashUntil = -Infinity;
  private flashing = false;
  x = 0;
  y = 0;

  constructor(
    private readonly scene: Phaser.Scene,
    name: string,
    private look: number,
    local: boolean,
  ) {
    this.glow = scene.add.sprite(0, 0, KEYS.fx, 0).setVisible(false);
    this.glow.play("glow");
    this.sprite = scene.add.sprite(0, 0, KEYS.characters, 0);
    this.armor = scene.add.sprite(0, 0, KEYS.armor, 0).setVisible(false);
    this.weapon = scene.add.sprite(0, 0, KEYS.weapons, 0);
    this.label = new Label(scene, "outline", name, { originX: 0.5, originY: 1, depth: DEPTH.labels, colour: local ? LOCAL_NAME_TINT : undefined });
    this.hpBar = new HpBar(scene);
  }

  setName(name: string): void {
    this.label.setText(name);
  }

  setLook(look: number): void {
    this.look = look;
  }

  setState(hp: number, maxHp: number, invincible: boolean, gear: Gear): void {
    this.hp = hp;
    this.maxHp = maxHp;
    this.invincible = invincible;
    this.gear = gear;
  }

  get dead(): boolean {
    return this.hp === 0;
  }

  /** Plays a swing toward `dir`. */
  swing(dir: Direction, now: number): void {
    this.swingUntil = now + SWING_MS;
    this.swingDir = dir;
    this.shown = "";
  }

  flash(now: number): void {
    this.flashUntil = now + FLASH_MS;
  }

  /** Places the avatar (world px of its tile centre) and picks its animation. */
  place(x: number, y: number, dir: Direction, walking: boolean, now: number): void {
    this.x = x;
    this.y = y;
    const look = ((this.look % CHARACTER_LOOKS) + CHARACTER_LOOKS) % CHARACTER_LOOKS;
    const swinging = now < this.swingUntil && !this.dead;
    const facingDir = swinging ? this.swingDir : dir;
    const facing = facingOf(facingDir);
    const action: Action = swinging ? "attack" : walking && !this.dead ? "walk" : "idle";
    const key = animationKey(look, facing, action);
    if (key !== this.shown) {
      this.shown = key;
      this.sprite.play(key);
    }
    const flip = facingDir === "left";
    const depth = DEPTH.players + y;
    const sx = x;
    const sy = y - SPRITE_LIFT;
    this.sprite.setFlipX(flip).setPosition(sx, sy).setDepth(depth).setAngle(this.dead ? 90 : 0).setAlpha(this.dead ? DEAD_ALPHA : 1);
    const flashing = now < this.flashUntil;
    if (flashing !== this.flashing) {
      this.flashing = flashing;
      setFlash(this.sprite, flashing);
    }
    // Gear follows the body's frame: same column, the gear's own row.
    const column = Number(this.sprite.frame.name) % CHARACTER_COLUMNS;
    const facingRow = CHARACTER_FACINGS.indexOf(facing);
    const armorRank = this.gear.armor;
    const showArmor = armorRank >= ARMOR_FIRST_RANK && !this.dead;
    this.armor.setVisible(showArmor);
    if (showArmor) {
      this.armor.setFrame(((armorRank - ARMOR_FIRST_RANK) * CHARACTER_FACINGS.length + facingRow) * CHARACTER_COLUMNS + column);
      this.armor.setFlipX(flip).setPosition(sx, sy).setDepth(depth + 0.1);
    }
    this.weapon.setVisible(!this.dead && this.gear.weapon >= 1);
    if (!this.dead) {
      this.weapon.setFrame(((this.gear.weapon - 1) * CHARACTER_FACINGS.length + facingRow) * CHARACTER_COLUMNS + column);
      // Seen from behind, the weapon is held in front of the body, away from us.
      this.weapon.setFlipX(flip).setPosition(sx, sy).setDepth(facing === "up" && action !== "attack" ? depth - 0.1 : depth + 0.2);
    }
    this.glow.setVisible(this.invincible && !this.dead);
    if (this.invincible) this.glow.setPosition(sx, sy).setDepth(depth - 0.2);
    this.label.setPosition(Math.round(x), Math.round(y - NAME_GAP));
    this.hpBar.show(x, y - NAME_GAP - FONT_OUTLINE_SIZE - 5, this.hp, this.maxHp);
    this.bubble?.place(x, y - NAME_GAP - FONT_OUTLINE_SIZE, y + FEET);
  }

  say(text: string, now: number): void {
    this.bubble?.destroy();
    this.bubble = new SpeechBubble(this.scene, text, now + BUBBLE_MS);
    this.bubble.place(this.x, this.y - NAME_GAP - FONT_OUTLINE_SIZE, this.y + FEET);
  }

  /** The bubble's text while it shows, else null. */
  get saying(): string | null {
    return this.bubble?.text ?? null;
  }

  /** The bubble while it shows (what it draws, where), else null. */
  get speech(): SpeechBubble | null {
    return this.bubble;
  }

  /** Drops an expired bubble. */
  tick(now: number): void {
    if (this.bubble !== null && now >= this.bubble.until) {
      this.bubble.destroy();
      this.bubble = null;
    }
  }

  destroy(): void {
    for (const part of [this.sprite, this.armor, this.weapon, this.glow, this.label]) part.destroy();
    this.hpBar.destroy();
    this.bubble?.destroy();
  }
}

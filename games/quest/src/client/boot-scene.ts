/** Loads every asset and defines the character animations, then hands over to the title. */
import * as Phaser from "phaser";
import { MOB_KINDS } from "../shared/mobs.js";
import { NPC_KINDS } from "../shared/npcs.js";
import {
  ASSETS,
  ATTACK_FRAMES,
  CHARACTER_COLUMNS,
  CHARACTER_FACINGS,
  CHARACTER_FRAME,
  CHARACTER_LOOKS,
  FX_FRAME,
  GLOW_FRAMES,
  IDLE_FRAMES,
  KEYS,
  MARKER_FRAMES,
  MOB_FRAME,
  NPC_FRAMES,
  PUFF_FRAMES,
  WALK_FRAMES,
  WEAPON_FRAME,
} from "./assets.js";

/** Walk cycle: four frames over one tile's walk (120 ms) would flicker; two tiles per cycle reads as steps. */
const WALK_FRAME_RATE = 10;
/** Idle breathing: slow. */
const IDLE_FRAME_RATE = 2;
const MARKER_FRAME_RATE = 8;
/** A swing: wind-up then strike, 120 ms each. */
const ATTACK_FRAME_RATE = 8;
const PUFF_FRAME_RATE = 12;
const GLOW_FRAME_RATE = 8;

export type Facing = (typeof CHARACTER_FACINGS)[number];
export type Action = "walk" | "idle" | "attack";

/** Animation key for a look, facing (down/up/right; left plays right mirrored) and action. */
export function animationKey(look: number, facing: Facing, action: Action): string {
  return `p${look}-${facing}-${action}`;
}

export function mobAnimationKey(kind: string, facing: Facing, action: Action): string {
  return `m-${kind}-${facing}-${action}`;
}

export function npcAnimationKey(kind: string): string {
  return `n-${kind}`;
}

export class BootScene extends Phaser.Scene {
  constructor() {
    super("boot");
  }

  preload(): void {
    const bar = this.add.rectangle(0, 0, 1, 4, 0xf6c744).setOrigin(0, 0.5);
    this.load.on("progress", (value: number) => {
      bar.setPosition(this.scale.width * 0.25, this.scale.height / 2);
      bar.width = Math.max(1, this.scale.width * 0.5 * value);
    });
    this.load.image(KEYS.tiles, ASSETS.tiles);
    this.load.spritesheet(KEYS.characters, ASSETS.characters, { frameWidth: CHARACTER_FRAME, frameHeight: CHARACTER_FRAME });
    this.load.spritesheet(KEYS.marker, ASSETS.marker, { frameWidth: 16, frameHeight: 16 });
    this.load.spritesheet(KEYS.icons, ASSETS.icons, { frameWidth: 8, frameHeight: 8 });
    this.load.spritesheet(KEYS.armor, ASSETS.armor, { frameWidth: CHARACTER_FRAME, frameHeight: CHARACTER_FRAME });
    this.load.spritesheet(KEYS.weapons, ASSETS.weapons, { frameWidth: WEAPON_FRAME, frameHeight: WEAPON_FRAME });
    this.load.spritesheet(KEYS.items, ASSETS.items, { frameWidth: 16, frameHeight: 16 });
    this.load.spritesheet(KEYS.mobs, ASSETS.mobs, { frameWidth: MOB_FRAME, frameHeight: MOB_FRAME });
    this.load.spritesheet(KEYS.npcs, ASSETS.npcs, { frameWidth: 16, frameHeight: 16 });
    this.load.spritesheet(KEYS.fx, ASSETS.fx, { frameWidth: FX_FRAME, frameHeight: FX_FRAME });
    this.load.bitmapFont(KEYS.font, ASSETS.font.png, ASSETS.font.xml);
    this.load.bitmapFont(KEYS.fontOutline, ASSETS.fontOutline.png, ASSETS.fontOutline.xml);
    this.load.tilemapTiledJSON(KEYS.map, ASSETS.map);
  }

  create(): void {
    performance.mark("quest:assets-loaded");
    for (let look = 0; look < CHARACTER_LOOKS; look++) this.createRows(KEYS.characters, look, (facing, action) => animationKey(look, facing, action));
    MOB_KINDS.forEach((kind, k) => {
      this.createRows(KEYS.mobs, k, (facing, action) => mobAnimationKey(kind, facing, action));
    });
    NPC_KINDS.forEach((kind, k) => {
      this.anims.create({
        key: npcAnimationKey(kind),
        frames: this.anims.generateFrameNumbers(KEYS.npcs, { start: k * NPC_FRAMES, end: k * NPC_FRAMES + NPC_FRAMES - 1 }),
        frameRate: IDLE_FRAME_RATE,
        repeat: -1,
      });
    });
    this.anims.create({ key: "puff", frames: this.anims.generateFrameNumbers(KEYS.fx, { start: 0, end: PUFF_FRAMES - 1 }), frameRate: PUFF_FRAME_RATE });
    this.anims.create({
      key: "glow",
      frames: this.anims.generateFrameNumbers(KEYS.fx, { start: PUFF_FRAMES, end: PUFF_FRAMES + GLOW_FRAMES - 1 }),
      frameRate: GLOW_FRAME_RATE,
      repeat: -1,
    });
    this.anims.create({
      key: "marker",
      frames: this.anims.generateFrameNumbers(KEYS.marker, { start: 0, end: MARKER_FRAMES - 1 }),
      frameRate: MARKER_FRAME_RATE,
      repeat: -1,
    });
    this.scene.start("title");
  }

  /** Walk, idle and attack animations of one sheet block (3 facing rows of CHARACTER_COLUMNS frames). */
  private createRows(texture: string, block: number, key: (facing: Facing, action: Action) => string): void {
    CHARACTER_FACINGS.forEach((facing, f) => {
      const first = (block * CHARACTER_FACINGS.length + f) * CHARACTER_COLUMNS;
      const run = (start: number, count: number) => this.anims.generateFrameNumbers(texture, { start: first + start, end: first + start + count - 1 });
      this.anims.create({ key: key(facing, "walk"), frames: run(0, WALK_FRAMES), frameRate: WALK_FRAME_RATE, repeat: -1 });
      this.anims.create({ key: key(facing, "idle"), frames: run(WALK_FRAMES, IDLE_FRAMES), frameRate: IDLE_FRAME_RATE, repeat: -1 });
      this.anims.create({ key: key(facing, "attack"), frames: run(WALK_FRAMES + IDLE_FRAMES, ATTACK_FRAMES), frameRate: ATTACK_FRAME_RATE });
    });
  }
}

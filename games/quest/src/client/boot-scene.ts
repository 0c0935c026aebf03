/** Loads every asset and defines the character animations, then hands over to the title. */
import * as Phaser from "phaser";
import {
  ASSETS,
  CHARACTER_COLUMNS,
  CHARACTER_FACINGS,
  CHARACTER_FRAME,
  CHARACTER_LOOKS,
  IDLE_FRAMES,
  KEYS,
  MARKER_FRAMES,
  WALK_FRAMES,
} from "./assets.js";

/** Walk cycle: four frames over one tile's walk (120 ms) would flicker; two tiles per cycle reads as steps. */
const WALK_FRAME_RATE = 10;
/** Idle breathing: slow. */
const IDLE_FRAME_RATE = 2;
const MARKER_FRAME_RATE = 8;

/** Animation key for a look, facing (down/up/right; left plays right mirrored) and state. */
export function animationKey(look: number, facing: (typeof CHARACTER_FACINGS)[number], walking: boolean): string {
  return `p${look}-${facing}-${walking ? "walk" : "idle"}`;
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
    this.load.bitmapFont(KEYS.font, ASSETS.font.png, ASSETS.font.xml);
    this.load.bitmapFont(KEYS.fontOutline, ASSETS.fontOutline.png, ASSETS.fontOutline.xml);
    this.load.tilemapTiledJSON(KEYS.map, ASSETS.map);
  }

  create(): void {
    performance.mark("quest:assets-loaded");
    for (let look = 0; look < CHARACTER_LOOKS; look++) {
      CHARACTER_FACINGS.forEach((facing, f) => {
        const first = (look * CHARACTER_FACINGS.length + f) * CHARACTER_COLUMNS;
        this.anims.create({
          key: animationKey(look, facing, true),
          frames: this.anims.generateFrameNumbers(KEYS.characters, { start: first, end: first + WALK_FRAMES - 1 }),
          frameRate: WALK_FRAME_RATE,
          repeat: -1,
        });
        this.anims.create({
          key: animationKey(look, facing, false),
          frames: this.anims.generateFrameNumbers(KEYS.characters, { start: first + WALK_FRAMES, end: first + WALK_FRAMES + IDLE_FRAMES - 1 }),
          frameRate: IDLE_FRAME_RATE,
          repeat: -1,
        });
      });
    }
    this.anims.create({
      key: "marker",
      frames: this.anims.generateFrameNumbers(KEYS.marker, { start: 0, end: MARKER_FRAMES - 1 }),
      frameRate: MARKER_FRAME_RATE,
      repeat: -1,
    });
    this.scene.start("title");
  }
}

/**
 * Quest's browser entry: one Phaser game, pixel-crisp (no smoothing, whole-pixel drawing,
 * integer zoom chosen by the scenes), with three scenes: Boot loads, Title asks for a name
 * and finds a world, Game plays. WebGL when the browser has it, else Canvas.
 */
import * as Phaser from "phaser";
import { BootScene } from "./boot-scene.js";
import { GameScene } from "./game-scene.js";
import { HudScene } from "./hud-scene.js";
import { TitleScene } from "./title-scene.js";

/** The map's deep-water colour, so the edges of a wide window look like sea, not a void. */
const BACKGROUND = "#1b1626";

// Headless or GPU-less browsers may lack WebGL; Canvas then draws the same scenes.
const forceCanvas = new URLSearchParams(location.search).has("canvas");

new Phaser.Game({
  type: forceCanvas ? Phaser.CANVAS : Phaser.AUTO,
  parent: "game",
  backgroundColor: BACKGROUND,
  pixelArt: true,
  roundPixels: true,
  scale: { mode: Phaser.Scale.RESIZE, width: window.innerWidth, height: window.innerHeight },
  input: { keyboard: false },
  disableContextMenu: true,
  banner: false,
  scene: [BootScene, TitleScene, GameScene, HudScene],
});

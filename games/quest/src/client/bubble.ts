/**
 * Speech bubbles (chat lines, NPC dialogue) drawn pixel by pixel: a warm white box with a
 * 1 px ink border and 2 px stepped corners, a tail pointing at the speaker. Rectangles only,
 * so Canvas and WebGL draw the same pixels. A bubble stays whole inside the camera's view:
 * over the speaker, or under it when there is no room above, slid in from the view's edges.
 */
import * as Phaser from "phaser";
import { Label } from "./label.js";
import { DEPTH } from "./map-view.js";
import { type BubbleSpot, fitBubble, type Rect } from "./text-fit.js";

/** Widest bubble text in world px before it wraps (about 16 characters a line). */
const BUBBLE_TEXT_WIDTH = 96;
const BUBBLE_PADDING = 4;
const BUBBLE_TAIL = 4;
/** The tail's middle keeps this far from the box's sides: its widest row and the 2 px corner. */
const TAIL_INSET = BUBBLE_TAIL + 2;
/** World px kept between a bubble and the view's edge. */
const VIEW_MARGIN = 1;
const INK = 0x1b1626;
const BUBBLE_FILL = 0xfff8e7;

function drawBox(g: Phaser.GameObjects.Graphics, w: number, h: number): void {
  g.fillStyle(INK);
  g.fillRect(2, 0, w - 4, h);
  g.fillRect(1, 1, w - 2, h - 2);
  g.fillRect(0, 2, w, h - 4);
  g.fillStyle(BUBBLE_FILL);
  g.fillRect(2, 1, w - 4, h - 2);
  g.fillRect(1, 2, w - 2, h - 4);
}

/** The tail pointing down from (0, 0), its first row opening the box's border it sits on. */
function drawTail(g: Phaser.GameObjects.Graphics): void {
  for (let k = 0; k < BUBBLE_TAIL; k++) {
    const half = BUBBLE_TAIL - 1 - k;
    g.fillStyle(INK);
    g.fillRect(-half - 1, k, 2 * half + 3, 1);
    if (half > 0 || k === 0) {
      g.fillStyle(BUBBLE_FILL);
      g.fillRect(-half, k, 2 * half + 1, 1);
    }
  }
}

/** One bubble over a speaker, until a time. */
export class SpeechBubble {
  private readonly container: Phaser.GameObjects.Container;
  private readonly tail: Phaser.GameObjects.Graphics;
  private readonly body: Label;
  private readonly width: number;
  private readonly height: number;
  private readonly camera: Phaser.Cameras.Scene2D.Camera;
  private readonly spot: BubbleSpot = { x: 0, above: 0, below: 0 };
  private below = false;
  private readonly fit = () => this.layout();

  constructor(
    scene: Phaser.Scene,
    readonly text: string,
    readonly until: number,
  ) {
    this.body = new Label(scene, "ink", text, { wrapWidth: BUBBLE_TEXT_WIDTH });
    this.body.setPosition(BUBBLE_PADDING, BUBBLE_PADDING - 1);
    this.width = Math.ceil(this.body.width) + 2 * BUBBLE_PADDING;
    this.height = Math.ceil(this.body.height) + 2 * BUBBLE_PADDING - 2;
    const box = scene.add.graphics();
    drawBox(box, this.width, this.height);
    this.tail = scene.add.graphics();
    drawTail(this.tail);
    this.container = scene.add.container(0, 0, [box, this.tail, this.body.gameObject]);
    this.camera = scene.cameras.main;
    // The follow camera scrolls just before it draws: fit again to where it looks this frame.
    this.camera.on(Phaser.Cameras.Scene2D.Events.FOLLOW_UPDATE, this.fit);
  }

  /** Points the tail at the speaker: at (x, above) over it, or at (x, below) when the bubble must go under it. */
  place(x: number, above: number, below: number): void {
    this.spot.x = x;
    this.spot.above = above;
    this.spot.below = below;
    this.layout();
  }

  private layout(): void {
    const fit = fitBubble(this.spot, { width: this.width, height: this.height, tail: BUBBLE_TAIL - 1, tailInset: TAIL_INSET }, this.camera.worldView, VIEW_MARGIN);
    this.below = fit.below;
    this.container.setPosition(fit.left, fit.top).setDepth(DEPTH.bubbles + this.spot.above);
    // Under the speaker the tail is mirrored to stick up from the box's top border.
    this.tail.setPosition(fit.tailX, fit.below ? 1 : this.height - 1).setScale(1, fit.below ? -1 : 1);
  }

  /** The bubble's text as drawn, line by line. */
  get drawnText(): string {
    return this.body.drawnText;
  }

  get browserFont(): boolean {
    return this.body.browserFont;
  }

  /** The box and its tail, in world px. */
  get bounds(): Rect {
    const tail = BUBBLE_TAIL - 1;
    return { x: this.container.x, y: this.container.y - (this.below ? tail : 0), width: this.width, height: this.height + tail };
  }

  destroy(): void {
    this.camera.off(Phaser.Cameras.Scene2D.Events.FOLLOW_UPDATE, this.fit);
    this.body.destroy();
    this.container.destroy();
  }
}

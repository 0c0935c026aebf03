/** A small HP bar over a damaged mob or player: ink frame, dark well, fill coloured by how much is left. */
import type * as Phaser from "phaser";
import { DEPTH } from "./map-view.js";

const WIDTH = 14;
const HEIGHT = 4;
const INK = 0x1b1626;
const WELL = 0x3b3050;
const HIGH = 0x5fa646;
const MID = 0xf6c744;
const LOW = 0xd23c3c;

/** Fill colour for a share of HP left (shared with the HUD's bar). */
export function hpColour(share: number): number {
  return share > 0.5 ? HIGH : share > 0.25 ? MID : LOW;
}

export class HpBar {
  private readonly g: Phaser.GameObjects.Graphics;
  private shownHp = -1;
  private shownMax = -1;

  constructor(scene: Phaser.Scene) {
    // Over names: a neighbour's name must not hide how hurt a mob is.
    this.g = scene.add.graphics().setDepth(DEPTH.labels + 1).setVisible(false);
  }

  /** Shows the bar at (x, top) while hp is below max and above 0. */
  show(x: number, top: number, hp: number, max: number): void {
    const visible = hp > 0 && hp < max;
    this.g.setVisible(visible);
    if (!visible) return;
    if (hp !== this.shownHp || max !== this.shownMax) {
      this.shownHp = hp;
      this.shownMax = max;
      const share = hp / max;
      const g = this.g;
      g.clear();
      g.fillStyle(INK);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      g.fillStyle(WELL);
      g.fillRect(1, 1, WIDTH - 2, HEIGHT - 2);
      g.fillStyle(hpColour(share));
      g.fillRect(1, 1, Math.max(1, Math.round((WIDTH - 2) * share)), HEIGHT - 2);
    }
    this.g.setPosition(Math.round(x - WIDTH / 2), Math.round(top));
  }

  destroy(): void {
    this.g.destroy();
  }
}

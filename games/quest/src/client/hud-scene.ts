/**
 * The HUD, drawn over the game by its own scene (so its camera never moves or zooms with the
 * world): population, the chat log (global lines marked), toasts for the server's notices,
 * announcements, the reconnect / "moving you" banner and the key hints, at a whole-number
 * zoom. The game's own words are in its bitmap font; what players and the server write (chat,
 * notices that echo a name, announcements) are Labels, in a browser font when the bitmap one
 * lacks a glyph.
 */
import * as Phaser from "phaser";
import { ARMOR_NAMES, ITEM_KINDS, type ItemKind, WEAPON_NAMES } from "../shared/items.js";
import { FONT_OUTLINE_SIZE, ICONS, ITEM_FRAME_OF, KEYS } from "./assets.js";
import { hpColour } from "./hp-bar.js";
import { Label } from "./label.js";

/** HUD px per screen px: whole numbers only; smaller than the world's zoom so it stays modest. */
function hudZoom(width: number, height: number): number {
  return Math.max(1, Math.min(4, Math.floor(Math.min(width / 480, height / 270))));
}

const MARGIN = 4;
/** Height of the DOM chat input plus its bottom margin (index.html), in CSS px. */
const CHAT_INPUT_CSS_PX = 52;
const LOG_LINES = 6;
/** A chat line fades from the log after this long (the log stays readable, not cluttered). */
const LOG_LINE_MS = 30_000;
const TOAST_MS = 4000;
const PANEL = 0x1b1626;
const PANEL_ALPHA = 0.72;
const GOLD = 0xf6c744;
const MIST = 0xcfcadb;
const RED = 0xec7fa8;
const INK = 0x1b1626;
const WELL = 0x3b3050;
/** The HUD's HP bar, in HUD px. */
const HP_BAR_WIDTH = 64;
const HP_BAR_HEIGHT = 7;
const ACHIEVEMENT_MS = 5000;
const ACHIEVEMENT_FILL = 0x8e3b32;
/** A server-wide announcement stays this long: long enough to read a sentence twice. */
const ANNOUNCE_MS = 8000;
/** Global chat names: cooler than the local gold, so a line from elsewhere reads as such. */
const GLOBAL_NAME = 0x8fd3ff;
const RECONNECTING_TEXT = "Connection lost, reconnecting...";

export interface Vitals {
  hp: number;
  maxHp: number;
  weapon: number;
  armor: number;
  invincible: boolean;
}

interface Toast {
  text: Label;
  until: number;
}

/** A chat line: the speaker (coloured) then what they said, in one font. */
interface LogLine {
  name: Label;
  text: Label;
  until: number;
}

function destroyLine(line: LogLine): void {
  line.name.destroy();
  line.text.destroy();
}

export class HudScene extends Phaser.Scene {
  private population!: Phaser.GameObjects.BitmapText;
  private populationPanel!: Phaser.GameObjects.Graphics;
  private banner!: Phaser.GameObjects.BitmapText;
  private bannerPanel!: Phaser.GameObjects.Graphics;
  private hint!: Phaser.GameObjects.BitmapText;
  private hintPanel!: Phaser.GameObjects.Graphics;
  private logPanel!: Phaser.GameObjects.Graphics;
  private log: LogLine[] = [];
  private toasts: Toast[] = [];
  private icon!: Phaser.GameObjects.Image;
  private worldName = "";
  private reconnecting = false;
  private created = false;
  /** Lines that came before the scene was created (it is launched by the game, created a step later). */
  private pending: (() => void)[] = [];
  private here = 0;
  private total = 0;
  private vitals: Vitals | null = null;
  private shownVitals = "";
  private vitalsPanel!: Phaser.GameObjects.Graphics;
  private heart!: Phaser.GameObjects.Image;
  private hpText!: Phaser.GameObjects.BitmapText;
  private weaponIcon!: Phaser.GameObjects.Image;
  private armorIcon!: Phaser.GameObjects.Image;
  private gearText!: Phaser.GameObjects.BitmapText;
  private achievementPanel!: Phaser.GameObjects.Graphics;
  private achievementText!: Phaser.GameObjects.BitmapText;
  private achievementUntil = 0;
  private readonly achievementQueue: string[] = [];
  private announcePanel!: Phaser.GameObjects.Graphics;
  private announceText!: Label;
  private announceUntil = 0;
  private bannerText = RECONNECTING_TEXT;

  constructor() {
    super("hud");
  }

  create(): void {
    this.log = [];
    this.toasts = [];
    this.created = false;
    const camera = this.cameras.main;
    camera.setOrigin(0, 0);
    this.populationPanel = this.add.graphics();
    this.hintPanel = this.add.graphics();
    this.logPanel = this.add.graphics();
    this.icon = this.add.image(0, 0, KEYS.icons, 0).setOrigin(0, 0);
    this.population = this.add.bitmapText(0, 0, KEYS.fontOutline, "", FONT_OUTLINE_SIZE);
    this.vitalsPanel = this.add.graphics();
    this.heart = this.add.image(0, 0, KEYS.icons, ICONS.indexOf("heart")).setOrigin(0, 0);
    this.hpText = this.add.bitmapText(0, 0, KEYS.fontOutline, "", FONT_OUTLINE_SIZE);
    this.weaponIcon = this.add.image(0, 0, KEYS.items, ITEM_FRAME_OF.weapon1).setOrigin(0, 0);
    this.armorIcon = this.add.image(0, 0, KEYS.items, ITEM_FRAME_OF.armor1).setOrigin(0, 0);
    this.gearText = this.add.bitmapText(0, 0, KEYS.fontOutline, "", FONT_OUTLINE_SIZE).setTint(MIST);
    this.achievementPanel = this.add.graphics().setVisible(false);
    this.achievementText = this.add.bitmapText(0, 0, KEYS.fontOutline, "", FONT_OUTLINE_SIZE).setOrigin(0.5, 0).setTint(GOLD).setVisible(false);
    this.shownVitals = "";
    this.achievementQueue.length = 0;
    this.achievementUntil = 0;
    this.bannerPanel = this.add.graphics().setVisible(false);
    this.announcePanel = this.add.graphics().setVisible(false);
    this.announceText = new Label(this, "outline", "", { originX: 0.5 }).setVisible(false);
    this.announceUntil = 0;
    this.banner = this.add.bitmapText(0, 0, KEYS.fontOutline, this.bannerText, FONT_OUTLINE_SIZE).setOrigin(0.5, 0).setTint(GOLD).setVisible(false);
    this.hint = this.add.bitmapText(0, 0, KEYS.fontOutline, "Click: walk, fight, talk  Enter: chat (/g: all worlds)  M: sound  F3: net graph", FONT_OUTLINE_SIZE).setOrigin(1, 1).setTint(MIST).setAlpha(0.8);
    const layout = () => this.layout();
    this.scale.on("resize", layout);
    this.events.once("shutdown", () => {
      this.scale.off("resize", layout);
      this.created = false;
    });
    this.created = true;
    this.setReconnecting(this.reconnecting, this.bannerText);
    this.layout();
    for (const replay of this.pending.splice(0)) replay();
  }

  private get view(): { w: number; h: number; zoom: number } {
    const zoom = hudZoom(this.scale.width, this.scale.height);
    return { w: Math.floor(this.scale.width / zoom), h: Math.floor(this.scale.height / zoom), zoom };
  }

  private layout(): void {
    const { w, h, zoom } = this.view;
    this.cameras.main.setZoom(zoom);
    this.hint.setPosition(w - MARGIN - 3, h - MARGIN - 1);
    this.hintPanel.clear();
    this.hintPanel.fillStyle(PANEL, PANEL_ALPHA);
    this.hintPanel.fillRect(w - MARGIN - Math.ceil(this.hint.width) - 6, h - MARGIN - 13, Math.ceil(this.hint.width) + 6, 13);
    this.banner.setPosition(Math.round(w / 2), MARGIN + 3);
    this.drawBannerPanel();
    this.renderPopulation();
    this.shownVitals = "";
    this.renderVitals();
    this.layoutLog();
    this.layoutToasts();
    this.layoutAnnouncement();
  }

  /** The local player's HP and gear (called every frame; redrawn when they change). */
  setVitals(vitals: Vitals): void {
    this.vitals = vitals;
    this.renderVitals();
  }

  private renderVitals(): void {
    const v = this.vitals;
    if (!this.created || v === null) return;
    const key = `${v.hp}/${v.maxHp}/${v.weapon}/${v.armor}/${v.invincible}`;
    if (key === this.shownVitals) return;
    this.shownVitals = key;
    const top = MARGIN + 18;
    this.heart.setPosition(MARGIN + 3, top + 4);
    const bx = MARGIN + 14;
    const by = top + 4;
    const share = v.maxHp > 0 ? v.hp / v.maxHp : 0;
    this.hpText.setText(v.invincible ? `${v.hp}/${v.maxHp} invincible` : `${v.hp}/${v.maxHp}`).setPosition(bx + HP_BAR_WIDTH + 4, by - 1);
    this.hpText.setTint(v.invincible ? GOLD : 0xffffff);
    const frame = (kind: string, first: number) => {
      const index = ITEM_KINDS.indexOf(kind as ItemKind);
      return index < 0 ? first : index;
    };
    this.weaponIcon.setFrame(frame(`weapon${v.weapon}`, ITEM_FRAME_OF.weapon1)).setPosition(MARGIN + 2, top + 15);
    this.armorIcon.setFrame(frame(`armor${v.armor}`, ITEM_FRAME_OF.armor1)).setPosition(MARGIN + 18, top + 15);
    this.gearText.setText(`${WEAPON_NAMES[v.weapon - 1] ?? "?"}, ${ARMOR_NAMES[v.armor - 1] ?? "?"}`).setPosition(MARGIN + 37, top + 20);
    const width = Math.max(HP_BAR_WIDTH + 18 + Math.ceil(this.hpText.width) + 4, 37 + Math.ceil(this.gearText.width) + 4);
    // The bar: ink frame, dark well, fill by share (gold while invincible).
    const g = this.vitalsPanel;
    g.clear();
    g.fillStyle(PANEL, PANEL_ALPHA);
    g.fillRect(MARGIN, top, width, 34);
    g.fillStyle(INK);
    g.fillRect(bx, by, HP_BAR_WIDTH, HP_BAR_HEIGHT);
    g.fillStyle(WELL);
    g.fillRect(bx + 1, by + 1, HP_BAR_WIDTH - 2, HP_BAR_HEIGHT - 2);
    g.fillStyle(v.invincible ? GOLD : hpColour(share));
    if (v.hp > 0) g.fillRect(bx + 1, by + 1, Math.max(1, Math.round((HP_BAR_WIDTH - 2) * share)), HP_BAR_HEIGHT - 2);
  }

  /** "Achievement: …" in a terracotta banner for a few seconds; several wait their turn. */
  achievement(title: string, now: number): void {
    if (!this.created) {
      this.pending.push(() => this.achievement(title, now));
      return;
    }
    this.achievementQueue.push(title);
    if (now >= this.achievementUntil) this.nextAchievement(now);
  }

  private nextAchievement(now: number): void {
    const title = this.achievementQueue.shift();
    const showing = title !== undefined;
    this.achievementPanel.setVisible(showing);
    this.achievementText.setVisible(showing);
    if (!showing) return;
    this.achievementUntil = now + ACHIEVEMENT_MS;
    const { w } = this.view;
    this.achievementText.setText(`Achievement: ${title}`).setPosition(Math.round(w / 2), MARGIN + 40);
    const tw = Math.ceil(this.achievementText.width) + 14;
    const g = this.achievementPanel;
    g.clear();
    g.fillStyle(INK);
    g.fillRect(Math.round(w / 2 - tw / 2) - 1, MARGIN + 36, tw + 2, 17);
    g.fillStyle(ACHIEVEMENT_FILL);
    g.fillRect(Math.round(w / 2 - tw / 2), MARGIN + 37, tw, 15);
    g.fillStyle(GOLD);
    g.fillRect(Math.round(w / 2 - tw / 2), MARGIN + 37, tw, 1);
  }

  setWorld(world: string): void {
    this.worldName = world;
    this.renderPopulation();
  }

  setPopulation(here: number, total: number): void {
    this.here = here;
    this.total = total;
    this.renderPopulation();
  }

  private renderPopulation(): void {
    if (!this.created) return;
    this.population.setText(`${this.here} here / ${this.total} online  ${this.worldName}`);
    this.icon.setPosition(MARGIN + 3, MARGIN + 3);
    this.population.setPosition(MARGIN + 3 + 11, MARGIN + 2);
    const g = this.populationPanel;
    g.clear();
    g.fillStyle(PANEL, PANEL_ALPHA);
    g.fillRect(MARGIN, MARGIN, Math.ceil(this.population.width) + 19, 14);
  }

  /** The banner at the top while not connected; `text` says why (default: the connection was lost). */
  setReconnecting(on: boolean, text = RECONNECTING_TEXT): void {
    this.reconnecting = on;
    this.bannerText = text;
    if (!this.created) return;
    this.banner.setText(text);
    this.drawBannerPanel();
    this.banner.setVisible(on);
    this.bannerPanel.setVisible(on);
  }

  /** A server-wide announcement: a banner under the top one for a few seconds (a newer one replaces it). */
  announce(text: string, now: number): void {
    if (!this.created) {
      this.pending.push(() => this.announce(text, now));
      return;
    }
    this.announceUntil = now + ANNOUNCE_MS;
    this.announceText.setText(text).setVisible(true);
    this.layoutAnnouncement();
  }

  private layoutAnnouncement(): void {
    if (this.announceUntil === 0) return;
    const { w } = this.view;
    const top = MARGIN + 18;
    this.announceText.setPosition(Math.round(w / 2), top + 3);
    const tw = Math.ceil(this.announceText.width) + 14;
    const g = this.announcePanel;
    g.clear();
    g.fillStyle(INK);
    g.fillRect(Math.round(w / 2 - tw / 2) - 1, top - 1, tw + 2, 17);
    g.fillStyle(PANEL, 0.95);
    g.fillRect(Math.round(w / 2 - tw / 2), top, tw, 15);
    g.fillStyle(GOLD);
    g.fillRect(Math.round(w / 2 - tw / 2), top, tw, 1);
    g.setVisible(true);
  }

  private drawBannerPanel(): void {
    const g = this.bannerPanel;
    const w = Math.ceil(this.banner.width) + 12;
    g.clear();
    g.fillStyle(0x8e3b32, 0.9);
    g.fillRect(Math.round(this.view.w / 2 - w / 2), MARGIN, w, 15);
  }

  /** A chat line; `global` lines (every world's) get their own name colour. */
  chat(name: string, text: string, now: number, global = false): void {
    if (!this.created) {
      this.pending.push(() => this.chat(name, text, now, global));
      return;
    }
    const browserFont = !Label.bitmapDraws(this, "outline", `${name}: ${text}`);
    const speaker = new Label(this, "outline", `${name}:`, { colour: global ? GLOBAL_NAME : GOLD, browserFont });
    this.log.push({ name: speaker, text: new Label(this, "outline", ` ${text}`, { browserFont }), until: now + LOG_LINE_MS });
    while (this.log.length > LOG_LINES) destroyLine(this.log.shift()!);
    this.layoutLog();
  }

  toast(message: string, now: number, error = false): void {
    if (!this.created) {
      this.pending.push(() => this.toast(message, now, error));
      return;
    }
    const line = new Label(this, "outline", message, { originX: 0.5, colour: error ? RED : GOLD });
    this.toasts.push({ text: line, until: now + TOAST_MS });
    this.layoutToasts();
  }

  /** The chat log's lines as drawn (a bitmap font's lines without the glyphs it lacks), oldest first. */
  get drawnLog(): string[] {
    return this.log.map((line) => line.name.drawnText + line.text.drawnText);
  }

  /** The toasts as drawn, oldest first. */
  get drawnToasts(): string[] {
    return this.toasts.map((toast) => toast.text.drawnText);
  }

  private layoutLog(): void {
    const { h, zoom } = this.view;
    // The chat input (DOM, CHAT_INPUT_CSS_PX tall with its margin) sits at the very bottom; the log stacks above it.
    const bottom = h - Math.ceil(CHAT_INPUT_CSS_PX / zoom) - MARGIN;
    let y = bottom;
    let width = 0;
    for (let i = this.log.length - 1; i >= 0; i--) {
      const line = this.log[i];
      y -= FONT_OUTLINE_SIZE + 1;
      line.name.setPosition(MARGIN + 3, y);
      line.text.setPosition(MARGIN + 3 + line.name.advance, y);
      width = Math.max(width, Math.ceil(line.name.advance + line.text.width));
    }
    this.logPanel.clear();
    if (this.log.length > 0) {
      this.logPanel.fillStyle(PANEL, PANEL_ALPHA * 0.8);
      this.logPanel.fillRect(MARGIN, y - 2, width + 6, bottom - y + 3);
    }
  }

  private layoutToasts(): void {
    const { w } = this.view;
    let y = MARGIN + 58;
    for (const toast of this.toasts) {
      toast.text.setPosition(Math.round(w / 2), y);
      y += FONT_OUTLINE_SIZE + 2;
    }
  }

  override update(): void {
    const now = performance.now();
    const expire = <T extends { until: number }>(lines: T[], destroy: (line: T) => void) => {
      let changed = false;
      while (lines.length > 0 && lines[0].until <= now) {
        destroy(lines.shift()!);
        changed = true;
      }
      return changed;
    };
    if (expire(this.toasts, (toast) => toast.text.destroy())) this.layoutToasts();
    if (this.achievementUntil > 0 && now >= this.achievementUntil) {
      this.achievementUntil = 0;
      this.nextAchievement(now);
    }
    if (expire(this.log, destroyLine)) this.layoutLog();
    if (this.announceUntil > 0 && now >= this.announceUntil) {
      this.announceUntil = 0;
      this.announceText.setVisible(false);
      this.announcePanel.setVisible(false);
    }
  }
}

/**
 * The game: the map, every player, the local one predicted by the client engine and drawn
 * between ticks, click-to-walk and keys, chat, the follow camera, and the HUD scene on top.
 */
import type { ClientError } from "@tickwire/client";
import { createNetGraph, type NetGraph } from "@tickwire/client/netgraph";
import * as Phaser from "phaser";
import { type QuestMap, type TilePoint, tileCentre, tileOf } from "../shared/map.js";
import type { Direction } from "../shared/movement.js";
import { findPath } from "../shared/path.js";
import { MAX_CHAT_LENGTH } from "../shared/text.js";
import { TILE_SIZE } from "../shared/tiles.js";
import { KEYS } from "./assets.js";
import { Avatar } from "./avatar.js";
import { exposeDebug } from "./debug.js";
import type { HudScene } from "./hud-scene.js";
import { createMapLayers, DEPTH, worldZoom } from "./map-view.js";
import { LocalMotion } from "./local-motion.js";
import { questMap } from "./quest-map.js";
import { sounds, toggleMute, unlockAudio } from "./sound.js";
import { describeError, type QuestClient } from "./session.js";
import { Walker, isMoveKey } from "./walker.js";

export interface GameData {
  /** Connected by the title as soon as a world was found, so the handshake overlaps this scene's setup. */
  client: QuestClient;
}

/** Fraction of the way to the player the camera moves each frame: a soft follow without lag. */
const CAMERA_LERP = 0.14;
/** A jump longer than this between frames is a portal: the camera cuts instead of sliding. */
const CUT_DISTANCE = 3 * TILE_SIZE;
/** A remote player that moved within this long still walks (snapshots come every 50 ms). */
const REMOTE_WALK_HOLD_MS = 90;
/** Lines of chat and notices the debug view keeps (the HUD shows fewer). */
const DEBUG_HISTORY = 50;

interface Shown {
  avatar: Avatar;
  lastX: number;
  lastY: number;
  movedAt: number;
  dir: Direction;
}

export class GameScene extends Phaser.Scene {
  private client!: QuestClient;
  private map!: QuestMap;
  private walker!: Walker;
  private hud!: HudScene;
  private graph: NetGraph | null = null;
  private marker!: Phaser.GameObjects.Sprite;
  private readonly shown = new Map<number, Shown>();
  private motion!: LocalMotion;
  private readonly cameraTarget = { x: 0, y: 0 };
  private lastSentAt = Number.NaN;
  private following = false;
  private population = { world: 0, total: 0 };
  private readonly chatLog: { from: number; name: string; text: string }[] = [];
  private readonly notices: string[] = [];
  private lastError: ClientError | null = null;
  private kickedBecause: string | null = null;
  private firstFrameAt = Number.NaN;
  private firstFrameQueued = false;
  private teardown: (() => void)[] = [];

  constructor() {
    super("game");
  }

  create(data: GameData): void {
    this.shown.clear();
    this.chatLog.length = 0;
    this.notices.length = 0;
    this.following = false;
    this.lastSentAt = Number.NaN;
    this.firstFrameAt = Number.NaN;
    this.firstFrameQueued = false;
    this.lastError = null;
    this.kickedBecause = null;
    this.teardown = [];

    this.map = questMap(this);
    this.client = data.client;
    const { tilemap } = createMapLayers(this);
    this.walker = new Walker(this.map);
    this.motion = new LocalMotion(this.map, this.walker);
    this.marker = this.add.sprite(0, 0, KEYS.marker, 0).setDepth(DEPTH.marker).setVisible(false);
    this.marker.play("marker");

    const camera = this.cameras.main;
    camera.setBounds(0, 0, tilemap.widthInPixels, tilemap.heightInPixels);
    const fit = () => camera.setZoom(worldZoom(this.scale.width, this.scale.height));
    fit();
    this.scale.on("resize", fit);
    this.teardown.push(() => this.scale.off("resize", fit));

    this.scene.launch("hud");
    this.hud = this.scene.get("hud") as HudScene;

    this.wireClient();
    this.wireInput();
    this.graph = createNetGraph(this.client.stats);
    this.teardown.push(exposeDebug(this.debugView()));
    this.events.once("shutdown", () => this.shutdown());
    performance.mark("quest:game-created");
    // Refused between the title and here: nothing will come, go back now.
    if (this.client.state === "closed") this.backToTitle(this.lastError ? describeError(this.lastError) : "Disconnected from the server.");
  }

  private wireClient(): void {
    const client = this.client;
    client.on("welcome", (welcome) => {
      performance.mark("quest:welcome");
      this.hud.setWorld(welcome.world);
      if (welcome.resumed) this.hud.toast("Reconnected", performance.now());
    });
    client.on("state", (state) => this.hud.setReconnecting(state === "resuming" || state === "connecting"));
    client.on("despawn", (entity) => {
      this.shown.get(entity.id)?.avatar.destroy();
      this.shown.delete(entity.id);
    });
    client.on("event", (event) => {
      const now = performance.now();
      const data = event.data as Record<string, unknown> | null;
      if (event.name === "population" && data) {
        this.population = { world: Number(data.world), total: Number(data.total) };
        this.hud.setPopulation(this.population.world, this.population.total);
      } else if (event.name === "chat" && data) {
        const from = Number(data.from);
        const name = String(data.name);
        const text = String(data.text);
        this.chatLog.push({ from, name, text });
        if (this.chatLog.length > DEBUG_HISTORY) this.chatLog.shift();
        this.shown.get(from)?.avatar.say(text, now);
        sounds.chat();
        this.hud.chat(name, text, now);
      } else if (event.name === "kicked" && data) {
        // The close follows; its reason is terse, this sentence is for the player.
        this.kickedBecause = String(data.text);
      } else if (event.name === "notice" && data) {
        const text = String(data.text);
        this.notices.push(text);
        if (this.notices.length > DEBUG_HISTORY) this.notices.shift();
        this.hud.toast(text, now);
      }
    });
    client.on("error", (error) => {
      this.lastError = error;
      if (error.retrying) return;
      if (error.kind === "resume-failed") this.hud.toast("Rejoined as a new session", performance.now(), true);
    });
    client.on("close", (info) => {
      if (info.byClient) return;
      const last = this.lastError;
      this.backToTitle(this.kickedBecause ?? (last !== null && !last.retrying ? describeError(last) : describeError(info)));
    });
    // What happened before this scene listened.
    if (client.welcome !== null) this.hud.setWorld(client.welcome.world);
    this.hud.setReconnecting(client.state === "resuming" || client.state === "connecting");
  }

  private wireInput(): void {
    this.input.on("pointerdown", (pointer: Phaser.Input.Pointer) => {
      unlockAudio();
      if (pointer.button !== 0) return;
      this.walkTo({ tx: Math.floor(pointer.worldX / TILE_SIZE), ty: Math.floor(pointer.worldY / TILE_SIZE) });
    });
    const chat = document.querySelector<HTMLInputElement>("#chat")!;
    chat.maxLength = MAX_CHAT_LENGTH;
    const closeChat = () => {
      chat.value = "";
      chat.hidden = true;
      chat.blur();
    };
    const onKeyDown = (event: KeyboardEvent) => {
      unlockAudio();
      if (document.activeElement === chat) {
        if (event.key === "Enter") {
          const text = chat.value.trim();
          if (text.length > 0) this.client.chat(text);
          closeChat();
        } else if (event.key === "Escape") closeChat();
        return;
      }
      if (event.code === "KeyM") {
        this.hud.toast(toggleMute() ? "Sound off (M)" : "Sound on (M)", performance.now());
        return;
      }
      if (event.key === "Enter") {
        chat.hidden = false;
        chat.focus();
        this.walker.releaseAll();
        event.preventDefault();
        return;
      }
      if (isMoveKey(event.code)) {
        this.walker.keyDown(event.code);
        this.marker.setVisible(false);
        event.preventDefault();
      }
    };
    const onKeyUp = (event: KeyboardEvent) => this.walker.keyUp(event.code);
    const onBlur = () => this.walker.releaseAll();
    addEventListener("keydown", onKeyDown);
    addEventListener("keyup", onKeyUp);
    addEventListener("blur", onBlur);
    chat.onblur = () => {
      if (!chat.hidden && chat.value === "") chat.hidden = true;
    };
    this.teardown.push(() => {
      removeEventListener("keydown", onKeyDown);
      removeEventListener("keyup", onKeyUp);
      removeEventListener("blur", onBlur);
      closeChat();
    });
  }

  private backToTitle(message: string): void {
    this.scene.stop("hud");
    this.scene.start("title", { message });
  }

  /** Click or tap: plan the path at once (the first step shows this frame), tell the server the goal. */
  walkTo(target: TilePoint): boolean {
    const predicted = this.client.predicted;
    if (predicted === undefined) return false;
    const path = this.walker.walkTo(predicted, target);
    if (path === null) {
      this.hud.toast("You can't get there.", performance.now(), true);
      sounds.refused();
      return false;
    }
    if (path.length === 0) return true;
    this.client.command("walk", [target.tx, target.ty]);
    this.marker.setPosition(tileCentre(target.tx), tileCentre(target.ty)).setVisible(true);
    sounds.target();
    return true;
  }

  override update(): void {
    const client = this.client;
    const now = performance.now();
    // Input ticks: the engine says when the next one is due (timed to reach the server just
    // before its tick); each predicts at once and is sent.
    for (let i = 0; i < 5 && now >= client.nextInputTime(now); i++) {
      const predicted = client.predicted;
      if (predicted === undefined) break;
      if (client.sendInput(this.motion.tickInput(predicted)) < 0) break;
      this.lastSentAt = now;
    }
    client.update(now);
    if (!this.walker.walking) this.marker.setVisible(false);

    for (const entity of client.entities) {
      if (entity.type !== "player") continue;
      const values = entity.values;
      let shown = this.shown.get(entity.id);
      if (shown === undefined) {
        const avatar = new Avatar(this, values.name, values.look, entity.local);
        shown = { avatar, lastX: entity.render[0], lastY: entity.render[1], movedAt: -Infinity, dir: values.dir };
        this.shown.set(entity.id, shown);
      }
      shown.avatar.setName(values.name);
      shown.avatar.setLook(values.look);
      if (entity.local) this.drawLocal(shown, entity.render);
      else this.drawRemote(shown, entity.render[0], entity.render[1], values.dir, now);
      shown.avatar.tick(now);
    }
  }

  /**
   * The local player: the predicted state of the last input tick, advanced by the time since
   * (with the input the next tick will send), plus the reconciler's decaying correction. So
   * it moves every frame, and a click moves it on the very frame it lands.
   */
  private drawLocal(shown: Shown, render: Float64Array): void {
    const predicted = this.client.predicted;
    if (predicted === undefined) return;
    const draw = this.motion.draw(predicted, Number.isNaN(this.lastSentAt) ? 0 : performance.now() - this.lastSentAt);
    const x = draw.x + (render[0] - predicted.x);
    const y = draw.y + (render[1] - predicted.y);
    const cut = Math.abs(x - shown.lastX) + Math.abs(y - shown.lastY) > CUT_DISTANCE;
    shown.lastX = x;
    shown.lastY = y;
    shown.avatar.place(x, y, draw.dir, draw.moving || predicted.moving);
    this.cameraTarget.x = x;
    this.cameraTarget.y = y;
    const camera = this.cameras.main;
    if (!this.following) {
      this.following = true;
      camera.startFollow(this.cameraTarget, true, CAMERA_LERP, CAMERA_LERP);
      camera.centerOn(x, y);
    } else if (cut) camera.centerOn(x, y);
    if (!this.firstFrameQueued) {
      this.firstFrameQueued = true;
      this.game.events.once("postrender", () => {
        this.firstFrameAt = performance.now();
        performance.mark("quest:first-game-frame");
      });
    }
  }

  private drawRemote(shown: Shown, x: number, y: number, dir: Direction, now: number): void {
    const dx = x - shown.lastX;
    const dy = y - shown.lastY;
    if (dx !== 0 || dy !== 0) {
      shown.movedAt = now;
      shown.dir = Math.abs(dx) > Math.abs(dy) ? (dx > 0 ? "right" : "left") : dy > 0 ? "down" : "up";
    } else if (now - shown.movedAt > REMOTE_WALK_HOLD_MS) shown.dir = dir;
    shown.lastX = x;
    shown.lastY = y;
    shown.avatar.place(x, y, shown.dir, now - shown.movedAt <= REMOTE_WALK_HOLD_MS);
  }

  /** Read-only state for tests and the devtools console (window.__quest). */
  private debugView() {
    const scene = this;
    const tileOfPoint = (x: number, y: number): TilePoint => ({ tx: tileOf(x), ty: tileOf(y) });
    return {
      get state() {
        return scene.client.state;
      },
      get playerId() {
        return scene.client.playerId;
      },
      get world() {
        return scene.client.welcome?.world ?? null;
      },
      /** The local player's tile, once it stands on a tile centre (null while walking or before it exists). */
      get localTile(): TilePoint | null {
        const p = scene.client.predicted;
        if (p === undefined || (p.x - TILE_SIZE / 2) % TILE_SIZE !== 0 || (p.y - TILE_SIZE / 2) % TILE_SIZE !== 0) return null;
        return tileOfPoint(p.x, p.y);
      },
      get walking() {
        return scene.walker.walking;
      },
      /** The map's portals (doors, cave mouths): where each one is and where it leads. */
      get portals() {
        return scene.map.portals.map((p) => ({ kind: p.kind, from: { ...p.from }, to: { ...p.to } }));
      },
      /** The centre of what the camera shows (world px). */
      get camera() {
        const view = scene.cameras.main.worldView;
        return { x: view.centerX, y: view.centerY };
      },
      /** Where the local player is drawn this frame (world px). */
      get localDrawn() {
        const shown = scene.shown.get(scene.client.playerId);
        return shown === undefined ? null : { x: shown.lastX, y: shown.lastY };
      },
      /** Other players as drawn (interpolated), with the tile they are drawn on. */
      get others() {
        const out: { id: number; name: string; x: number; y: number; tx: number; ty: number }[] = [];
        for (const e of scene.client.entities) {
          if (e.type !== "player" || e.local) continue;
          out.push({ id: e.id, name: e.values.name, x: e.render[0], y: e.render[1], ...tileOfPoint(e.render[0], e.render[1]) });
        }
        return out;
      },
      /** Bubbles showing now: who says what. */
      get bubbles() {
        const out: { id: number; text: string }[] = [];
        for (const [id, shown] of scene.shown) if (shown.avatar.saying !== null) out.push({ id, text: shown.avatar.saying });
        return out;
      },
      get population() {
        return { ...scene.population };
      },
      get chatLog() {
        return scene.chatLog.slice();
      },
      get notices() {
        return scene.notices.slice();
      },
      /** performance.now() of the first frame drawn with the local player in the world. */
      get firstFrameAt() {
        return scene.firstFrameAt;
      },
      /** Path length from the local player to a tile (null: unreachable), to pick click targets. */
      pathLength(tx: number, ty: number): number | null {
        const p = scene.client.predicted;
        if (p === undefined) return null;
        return findPath(scene.map, tileOfPoint(p.x, p.y), { tx, ty })?.length ?? null;
      },
      /** Where a tile's centre is on the page, in CSS px (for a test's click). */
      tileToPage(tx: number, ty: number) {
        const camera = scene.cameras.main;
        const canvas = scene.game.canvas.getBoundingClientRect();
        const scaleX = canvas.width / scene.scale.width;
        return {
          x: canvas.left + (tileCentre(tx) - camera.worldView.x) * camera.zoom * scaleX,
          y: canvas.top + (tileCentre(ty) - camera.worldView.y) * camera.zoom * scaleX,
        };
      },
      get renderer() {
        return scene.game.renderer.type === Phaser.WEBGL ? "webgl" : "canvas";
      },
    };
  }

  private shutdown(): void {
    for (const undo of this.teardown) undo();
    this.teardown = [];
    this.graph?.destroy();
    this.graph = null;
    this.client.close();
    for (const shown of this.shown.values()) shown.avatar.destroy();
    this.shown.clear();
  }
}

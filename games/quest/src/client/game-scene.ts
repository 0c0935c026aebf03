/**
 * The game: the map, every player, the local one predicted by the client engine and drawn
 * between ticks, click-to-walk and keys, chat, the follow camera, and the HUD scene on top;
 * mobs, NPCs, items and chests, and the fight: click a mob to walk next to it and attack it
 * (the server swings on its own clock while we stand there), an NPC to talk, a chest to open.
 */
import type { ClientError } from "@tickwire/client";
import { createNetGraph, type NetGraph } from "@tickwire/client/netgraph";
import * as Phaser from "phaser";
import { adjacent } from "../shared/combat.js";
import { ITEMS, type ItemKind } from "../shared/items.js";
import { type QuestMap, type TilePoint, tileCentre, tileOf } from "../shared/map.js";
import type { MobKind } from "../shared/mobs.js";
import { type Direction, headingTile } from "../shared/movement.js";
import type { NpcKind } from "../shared/npcs.js";
import { findPath } from "../shared/path.js";
import { MAX_CHAT_LENGTH } from "../shared/text.js";
import { TILE_SIZE } from "../shared/tiles.js";
import { KEYS } from "./assets.js";
import { Avatar } from "./avatar.js";
import { exposeDebug } from "./debug.js";
import { DAMAGE_TINT, Effects } from "./effects.js";
import type { HudScene } from "./hud-scene.js";
import { createMapLayers, DEPTH, worldZoom } from "./map-view.js";
import { LocalMotion } from "./local-motion.js";
import { questMap } from "./quest-map.js";
import { sounds, toggleMute, unlockAudio } from "./sound.js";
import { announcement, chatLine, movingNotice, speakerLabel, welcomeNotice } from "./messages.js";
import { describeError, type QuestClient } from "./session.js";
import { ChestView, ItemView, MobView, NpcView } from "./things.js";
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
/** A despawned mob's sprite waits this long for its death event (same message, or it walked out of view). */
const DEATH_WAIT_MS = 300;
/** A click this close (world px) to a mob's drawn feet picks it, even off its tile (it is walking between two). */
const PICK_RADIUS = 10;
/** Damage numbers start this high over the target's tile centre: above its head and name. */
const NUMBER_LIFT = 20;

interface Shown {
  avatar: Avatar;
  lastX: number;
  lastY: number;
  movedAt: number;
  dir: Direction;
}

interface ShownMob {
  view: MobView;
  lastX: number;
  lastY: number;
  movedAt: number;
  dir: Direction;
}

/** What the player clicked and is walking up to: attack a mob, talk to an NPC, open a chest. */
interface Engagement {
  kind: "mob" | "npc" | "chest";
  id: number;
  /** The target's tile the current walk was planned for. */
  plannedFor: TilePoint | null;
  /** The mob's tile when `attack` was last sent from next to it. */
  attackedFrom: TilePoint | null;
}

function direction(fromX: number, fromY: number, toX: number, toY: number): Direction {
  const dx = toX - fromX;
  const dy = toY - fromY;
  if (Math.abs(dx) >= Math.abs(dy)) return dx < 0 ? "left" : "right";
  return dy < 0 ? "up" : "down";
}

const NEIGHBOURS = [
  [0, 1],
  [1, 0],
  [0, -1],
  [-1, 0],
] as const;

export class GameScene extends Phaser.Scene {
  private client!: QuestClient;
  private map!: QuestMap;
  private walker!: Walker;
  private hud!: HudScene;
  private graph: NetGraph | null = null;
  private marker!: Phaser.GameObjects.Sprite;
  private readonly shown = new Map<number, Shown>();
  private readonly mobs = new Map<number, ShownMob>();
  private readonly npcs = new Map<number, NpcView>();
  private readonly items = new Map<number, ItemView>();
  private readonly chests = new Map<number, ChestView>();
  /** Despawned mobs whose death event may still come, until a time. */
  private readonly leaving = new Map<number, { view: MobView; until: number }>();
  private effects!: Effects;
  private engagement: Engagement | null = null;
  private readonly said: { id: number; line: string; index: number; last: boolean }[] = [];
  private readonly achievements: string[] = [];
  private readonly shownNumbers: { target: number; text: string }[] = [];
  private dead = false;
  private motion!: LocalMotion;
  private readonly cameraTarget = { x: 0, y: 0 };
  private lastInputDueAt = Number.NaN;
  private following = false;
  private population = { world: 0, total: 0 };
  private readonly chatLog: { from: number; name: string; text: string; global: boolean }[] = [];
  private readonly announcements: string[] = [];
  /** Why the client is looking for a server (the banner says so); null once it is in a world. */
  private moving: string | null = null;
  /** The world of the last Welcome; null before the first. */
  private currentWorld: string | null = null;
  private readonly notices: string[] = [];
  private lastError: ClientError | null = null;
  private firstFrameAt = Number.NaN;
  private firstFrameQueued = false;
  private teardown: (() => void)[] = [];

  constructor() {
    super("game");
  }

  create(data: GameData): void {
    this.shown.clear();
    this.mobs.clear();
    this.npcs.clear();
    this.items.clear();
    this.chests.clear();
    this.leaving.clear();
    this.engagement = null;
    this.said.length = 0;
    this.achievements.length = 0;
    this.shownNumbers.length = 0;
    this.dead = false;
    this.chatLog.length = 0;
    this.notices.length = 0;
    this.announcements.length = 0;
    this.moving = null;
    this.currentWorld = null;
    this.following = false;
    this.lastInputDueAt = Number.NaN;
    this.firstFrameAt = Number.NaN;
    this.firstFrameQueued = false;
    this.lastError = null;
    this.teardown = [];

    this.map = questMap(this);
    this.client = data.client;
    const { tilemap } = createMapLayers(this);
    this.walker = new Walker(this.map);
    this.motion = new LocalMotion(this.map, this.walker);
    this.marker = this.add.sprite(0, 0, KEYS.marker, 0).setDepth(DEPTH.marker).setVisible(false);
    this.marker.play("marker");
    this.effects = new Effects(this);

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
      const notice = welcomeNotice(this.currentWorld, welcome.world, welcome.resumed, this.moving !== null);
      if (notice !== null) this.hud.toast(notice, performance.now());
      this.currentWorld = welcome.world;
      this.moving = null;
    });
    client.on("matchmaking", (info) => {
      this.moving = movingNotice(info.reason);
      this.showConnection();
    });
    client.on("state", () => this.showConnection());
    client.on("despawn", (entity) => {
      this.shown.get(entity.id)?.avatar.destroy();
      this.shown.delete(entity.id);
      const mob = this.mobs.get(entity.id);
      if (mob !== undefined) {
        this.mobs.delete(entity.id);
        this.leaving.set(entity.id, { view: mob.view, until: performance.now() + DEATH_WAIT_MS });
      }
      this.npcs.get(entity.id)?.destroy();
      this.npcs.delete(entity.id);
      this.items.get(entity.id)?.destroy();
      this.items.delete(entity.id);
      this.chests.get(entity.id)?.destroy();
      this.chests.delete(entity.id);
    });
    client.on("event", (event) => {
      const now = performance.now();
      const data = event.data as Record<string, unknown> | null;
      if (event.name === "population" && data) {
        this.population = { world: Number(data.world), total: Number(data.total) };
        this.hud.setPopulation(this.population.world, this.population.total);
      } else if (event.name === "chat" && data) {
        const line = chatLine(data);
        if (line === null) return;
        this.chatLog.push({ from: line.from, name: line.name, text: line.text, global: line.global });
        if (this.chatLog.length > DEBUG_HISTORY) this.chatLog.shift();
        // A global line names no speaker entity: it shows in the log only.
        if (!line.global) this.shown.get(line.from)?.avatar.say(line.text, now);
        sounds.chat();
        this.hud.chat(speakerLabel(line, client.welcome?.world ?? ""), line.text, now, line.global);
      } else if (event.name === "announce" && data) {
        const text = announcement(data);
        if (text === null) return;
        this.announcements.push(text);
        if (this.announcements.length > DEBUG_HISTORY) this.announcements.shift();
        this.hud.announce(text, now);
      } else if (event.name === "notice" && data) this.notify(String(data.text), now);
      else if (data) this.gameEvent(event.name, data, now);
    });
    client.on("error", (error) => {
      this.lastError = error;
      if (error.retrying) return;
      if (error.kind === "resume-failed") this.hud.toast("Rejoined as a new session", performance.now(), true);
    });
    client.on("close", (info) => {
      if (info.byClient) return;
      const last = this.lastError;
      this.backToTitle(last !== null && !last.retrying ? describeError(last) : describeError(info));
    });
    // What happened before this scene listened.
    if (client.welcome !== null) this.hud.setWorld(client.welcome.world);
    this.showConnection();
  }

  /** The HUD's banner while not in a world: moving to another server, or reconnecting. */
  private showConnection(): void {
    const state = this.client.state;
    const away = state === "resuming" || state === "connecting";
    if (this.moving !== null) this.hud.setReconnecting(away, this.moving);
    else this.hud.setReconnecting(away);
  }

  /** A line for the player in a toast (kept for the debug view). */
  private notify(text: string, now: number): void {
    this.notices.push(text);
    if (this.notices.length > DEBUG_HISTORY) this.notices.shift();
    this.hud.toast(text, now);
  }

  /** The sign on a tile, if any. */
  private signAt(tx: number, ty: number): string | null {
    return this.map.signs.find((sign) => sign.tx === tx && sign.ty === ty)?.text ?? null;
  }

  /** Combat, loot, dialogue and progress events. */
  private gameEvent(name: string, data: Record<string, unknown>, now: number): void {
    const me = this.client.entityId;
    if (name === "hit") {
      const target = Number(data.target);
      const attacker = Number(data.attacker);
      const damage = Number(data.damage);
      const at = this.drawnAt(target);
      const from = this.drawnAt(attacker);
      if (at !== null) {
        const text = damage > 0 ? String(damage) : "miss";
        this.effects.damage(at.x, at.y - NUMBER_LIFT, text, target === me ? DAMAGE_TINT.taken : attacker === me ? DAMAGE_TINT.dealt : DAMAGE_TINT.others);
        this.shownNumbers.push({ target, text });
        if (this.shownNumbers.length > DEBUG_HISTORY) this.shownNumbers.shift();
        if (damage > 0) {
          this.mobs.get(target)?.view.flash(now);
          this.shown.get(target)?.avatar.flash(now);
        }
      }
      if (from !== null && at !== null) {
        const dir = direction(from.x, from.y, at.x, at.y);
        this.mobs.get(attacker)?.view.swing(dir, now);
        this.shown.get(attacker)?.avatar.swing(dir, now);
      }
      if (target === me || attacker === me) sounds.hit(target === me);
      // Hit while standing idle: fight back, as BrowserQuest did.
      if (target === me && this.engagement === null && !this.walker.walking && this.mobs.has(attacker)) this.engage("mob", attacker);
    } else if (name === "death") {
      const id = Number(data.id);
      const mob = this.mobs.get(id);
      const leaving = this.leaving.get(id);
      const view = mob?.view ?? leaving?.view;
      if (view !== undefined) {
        this.mobs.delete(id);
        this.leaving.delete(id);
        this.effects.die(id, view.release(), view.x, view.y);
        sounds.death();
      } else {
        const avatar = this.shown.get(id)?.avatar;
        if (avatar !== undefined) this.effects.die(id, null, avatar.x, avatar.y);
      }
      if (this.engagement?.id === id) this.engagement = null;
    } else if (name === "died") {
      this.engagement = null;
      const says = document.querySelector<HTMLElement>("#dead p");
      if (says !== null) says.textContent = typeof data.checkpoint === "string" ? `You died. You will come back at ${data.checkpoint}.` : "You died.";
      sounds.death();
    } else if (name === "say") {
      const id = Number(data.id);
      const line = { id, line: String(data.line), index: Number(data.index), last: data.last === true };
      this.said.push(line);
      if (this.said.length > DEBUG_HISTORY) this.said.shift();
      this.npcs.get(id)?.say(line.line, now);
      sounds.chat();
    } else if (name === "achievement") {
      const title = String(data.title);
      this.achievements.push(title);
      this.hud.achievement(title, now);
      sounds.achievement();
    } else if (name === "loot") {
      this.hud.toast(String(data.text), now);
      sounds.pickup();
    }
  }

  /** Where a player or mob is drawn now (world px of its tile centre), or null. */
  private drawnAt(id: number): { x: number; y: number } | null {
    const shown = this.shown.get(id);
    if (shown !== undefined) return { x: shown.avatar.x, y: shown.avatar.y };
    // A killing blow's hit comes after the mob's despawn (same tick): it is still drawn, leaving.
    const mob = this.mobs.get(id)?.view ?? this.leaving.get(id)?.view;
    if (mob !== undefined) return { x: mob.x, y: mob.y };
    return null;
  }

  /** The mob, NPC or chest drawn at a world point, if any (mobs first: they are what a click in a fight means). */
  private pick(x: number, y: number): { kind: Engagement["kind"]; id: number } | null {
    const tx = tileOf(x);
    const ty = tileOf(y);
    let best: { kind: Engagement["kind"]; id: number } | null = null;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const [id, mob] of this.mobs) {
      const d = Math.hypot(mob.view.x - x, mob.view.y - y);
      if ((tileOf(mob.view.x) === tx && tileOf(mob.view.y) === ty) || d < PICK_RADIUS) {
        if (d < bestDistance) {
          best = { kind: "mob", id };
          bestDistance = d;
        }
      }
    }
    if (best !== null) return best;
    for (const [id, npc] of this.npcs) if (tileOf(npc.x) === tx && tileOf(npc.y) === ty) return { kind: "npc", id };
    for (const [id, chest] of this.chests) if (Math.abs(chest.sprite.x - tileCentre(tx)) < 1 && Math.abs(chest.sprite.y - tileCentre(ty)) < 1) return { kind: "chest", id };
    return null;
  }

  /** Starts walking up to a mob (and attacking it), an NPC or a chest. */
  engage(kind: Engagement["kind"], id: number): void {
    this.engagement = { kind, id, plannedFor: null, attackedFrom: null };
    if (kind === "mob") this.client.command("attack", [id]);
    else if (kind === "npc" && this.npcs.has(id) && this.inReach(this.targetTile(this.engagement))) {
      // Already close: the click moves the dialogue on.
      this.client.command("talk", [id]);
      this.engagement = null;
      return;
    }
    this.approach();
  }

  /** The tile of what we engaged (the server's latest position), or null when it is gone. */
  private targetTile(engagement: Engagement): TilePoint | null {
    if (engagement.kind === "mob") {
      const mob = this.client.get(engagement.id);
      return mob?.type === "mob" ? { tx: tileOf(mob.values.x), ty: tileOf(mob.values.y) } : null;
    }
    const view = engagement.kind === "npc" ? this.npcs.get(engagement.id) : this.chests.get(engagement.id)?.sprite;
    return view === undefined ? null : { tx: tileOf(view.x), ty: tileOf(view.y) };
  }

  /** Where the local player stands, or null while it walks between tiles. */
  private standingTile(): TilePoint | null {
    const p = this.client.predicted;
    if (p === undefined || p.moving || this.walker.walking) return null;
    return headingTile(p);
  }

  /**
   * Close enough to act: next to a mob (not diagonal) or an NPC; on a chest's tile (its item
   * drops there, so standing on it takes it at once), or next to it if it cannot be stood on.
   */
  private inReach(target: TilePoint | null): boolean {
    const here = this.standingTile();
    if (here === null || target === null || this.engagement === null) return false;
    if (this.engagement.kind === "chest" && !this.map.blocked(target.tx, target.ty)) return here.tx === target.tx && here.ty === target.ty;
    return adjacent(here, target);
  }

  /** Walks to the nearest tile from which the engagement can act. */
  private approach(): void {
    const engagement = this.engagement;
    const predicted = this.client.predicted;
    if (engagement === null || predicted === undefined) return;
    const target = this.targetTile(engagement);
    if (target === null) {
      this.engagement = null;
      return;
    }
    engagement.plannedFor = target;
    if (this.inReach(target)) return;
    const from = headingTile(predicted);
    const onTarget = engagement.kind === "chest" && !this.map.blocked(target.tx, target.ty);
    const goals: TilePoint[] = onTarget ? [target] : NEIGHBOURS.map(([dx, dy]) => ({ tx: target.tx + dx, ty: target.ty + dy }));
    let best: TilePoint | null = null;
    let bestLength = Number.POSITIVE_INFINITY;
    for (const goal of goals) {
      if (this.map.blocked(goal.tx, goal.ty) || this.map.portalAt(goal.tx, goal.ty)) continue;
      if (goal.tx === from.tx && goal.ty === from.ty) {
        best = goal;
        break;
      }
      const length = findPath(this.map, from, goal)?.length ?? Number.POSITIVE_INFINITY;
      if (length < bestLength) {
        best = goal;
        bestLength = length;
      }
    }
    if (best === null) {
      this.hud.toast("You can't get there.", performance.now(), true);
      this.engagement = null;
      return;
    }
    this.walkTo(best, true);
  }

  /** Each frame: follow a moving mob, act on arrival. */
  private pursue(): void {
    const engagement = this.engagement;
    if (engagement === null || this.dead) return;
    const target = this.targetTile(engagement);
    if (target === null) {
      this.engagement = null;
      return;
    }
    if (this.inReach(target)) {
      if (engagement.kind === "mob") {
        // Standing next to it: the server swings on its clock. Tell it again if the mob moved (or after we walked).
        if (engagement.attackedFrom === null || engagement.attackedFrom.tx !== target.tx || engagement.attackedFrom.ty !== target.ty) {
          engagement.attackedFrom = target;
          this.client.command("attack", [engagement.id]);
        }
        return;
      }
      this.client.command(engagement.kind === "npc" ? "talk" : "open", [engagement.id]);
      this.engagement = null;
      return;
    }
    const planned = engagement.plannedFor;
    const moved = planned === null || planned.tx !== target.tx || planned.ty !== target.ty;
    if (moved || !this.walker.walking) {
      engagement.attackedFrom = null;
      this.approach();
    }
  }

  private wireInput(): void {
    // The cursor says what a click would do: fight a mob, talk or open.
    this.input.on("pointermove", (pointer: Phaser.Input.Pointer) => {
      let cursor = "";
      if (!this.dead) {
        const picked = this.pick(pointer.worldX, pointer.worldY);
        if (picked !== null) cursor = picked.kind === "mob" ? "crosshair" : "pointer";
        else if (this.signAt(tileOf(pointer.worldX), tileOf(pointer.worldY)) !== null) cursor = "pointer";
      }
      this.game.canvas.style.cursor = cursor;
    });
    this.input.on("pointerdown", (pointer: Phaser.Input.Pointer) => {
      unlockAudio();
      if (pointer.button !== 0 || this.dead) return;
      const picked = this.pick(pointer.worldX, pointer.worldY);
      if (picked !== null) {
        this.engage(picked.kind, picked.id);
        return;
      }
      this.engagement = null;
      const tile = { tx: tileOf(pointer.worldX), ty: tileOf(pointer.worldY) };
      // A sign is read from wherever it is seen: its text in a toast, no walk.
      const sign = this.signAt(tile.tx, tile.ty);
      if (sign !== null) {
        this.notify(sign, performance.now());
        sounds.chat();
        return;
      }
      this.walkTo(tile);
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
        if (this.dead) return;
        this.engagement = null;
        this.walker.keyDown(event.code);
        this.marker.setVisible(false);
        event.preventDefault();
      }
    };
    const respawnButton = document.querySelector<HTMLButtonElement>("#dead button");
    const onRespawn = () => this.respawn();
    respawnButton?.addEventListener("click", onRespawn);
    const onKeyUp = (event: KeyboardEvent) => this.walker.keyUp(event.code);
    const onBlur = () => this.walker.releaseAll();
    // A closed tab says goodbye: a browser's own close (1001) keeps the player for resume, a
    // ghost to the others for the whole grace period. A reload comes back from the save.
    const onPageHide = () => this.client.leave();
    addEventListener("keydown", onKeyDown);
    addEventListener("keyup", onKeyUp);
    addEventListener("blur", onBlur);
    addEventListener("pagehide", onPageHide);
    chat.onblur = () => {
      if (!chat.hidden && chat.value === "") chat.hidden = true;
    };
    this.teardown.push(() => {
      respawnButton?.removeEventListener("click", onRespawn);
      const panel = document.querySelector<HTMLElement>("#dead");
      if (panel !== null) panel.hidden = true;
      removeEventListener("keydown", onKeyDown);
      removeEventListener("keyup", onKeyUp);
      removeEventListener("blur", onBlur);
      removeEventListener("pagehide", onPageHide);
      closeChat();
    });
  }

  private backToTitle(message: string): void {
    this.scene.stop("hud");
    this.scene.start("title", { message });
  }

  /** Click or tap: plan the path at once (the first step shows this frame), tell the server the goal. */
  walkTo(target: TilePoint, quiet = false): boolean {
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
    this.marker.setPosition(tileCentre(target.tx), tileCentre(target.ty)).setVisible(!quiet);
    if (!quiet) sounds.target();
    return true;
  }

  /** The respawn button: back at the last checkpoint (the server decides where). */
  respawn(): void {
    if (this.dead) this.client.command("respawn", []);
  }

  override update(): void {
    const client = this.client;
    const now = performance.now();
    // Input ticks: the engine says when the next one is due (timed to reach the server just
    // before its tick); each predicts at once and is sent.
    for (let i = 0; i < 5; i++) {
      const due = client.nextInputTime(now);
      const predicted = client.predicted;
      if (!(now >= due) || predicted === undefined) break;
      if (client.sendInput(this.motion.tickInput(predicted)) < 0) break;
      // Drawn from when the tick was due, not when this frame ran it: a late frame then shows
      // the time it passed instead of freezing a frame and leaping the next.
      this.lastInputDueAt = due;
    }
    client.update(now);
    if (!this.walker.walking) this.marker.setVisible(false);

    for (const entity of client.entities) {
      if (entity.type === "mob") {
        const values = entity.values;
        let mob = this.mobs.get(entity.id);
        if (mob === undefined) {
          mob = { view: new MobView(this, values.kind as MobKind), lastX: entity.render.x, lastY: entity.render.y, movedAt: -Infinity, dir: values.dir };
          this.mobs.set(entity.id, mob);
        }
        const walking = this.trackMotion(mob, entity.render.x, entity.render.y, values.dir, now);
        mob.view.place(entity.render.x, entity.render.y, mob.dir, walking, values.hp, now);
        continue;
      }
      if (entity.type === "npc") {
        let npc = this.npcs.get(entity.id);
        if (npc === undefined) {
          npc = new NpcView(this, entity.values.kind as NpcKind);
          this.npcs.set(entity.id, npc);
        }
        npc.place(entity.render.x, entity.render.y);
        npc.tick(now);
        continue;
      }
      if (entity.type === "item") {
        let item = this.items.get(entity.id);
        if (item === undefined) {
          item = new ItemView(this, entity.values.kind as ItemKind);
          this.items.set(entity.id, item);
        }
        item.place(entity.render.x, entity.render.y, entity.values.blinking, now);
        continue;
      }
      if (entity.type === "chest") {
        let chest = this.chests.get(entity.id);
        if (chest === undefined) {
          chest = new ChestView(this);
          this.chests.set(entity.id, chest);
        }
        chest.place(entity.render.x, entity.render.y, entity.values.open);
        continue;
      }
      if (entity.type !== "player") continue;
      const values = entity.values;
      let shown = this.shown.get(entity.id);
      if (shown === undefined) {
        const avatar = new Avatar(this, values.name, values.look, entity.local);
        shown = { avatar, lastX: entity.render.x, lastY: entity.render.y, movedAt: -Infinity, dir: values.dir };
        this.shown.set(entity.id, shown);
      }
      shown.avatar.setName(values.name);
      shown.avatar.setLook(values.look);
      shown.avatar.setState(values.hp, values.maxHp, values.invincible, { weapon: values.weapon, armor: values.armor });
      if (entity.local) {
        this.setDead(values.hp === 0);
        this.hud.setVitals({ hp: values.hp, maxHp: values.maxHp, weapon: values.weapon, armor: values.armor, invincible: values.invincible });
        this.drawLocal(shown, now);
      } else this.drawRemote(shown, entity.render.x, entity.render.y, values.dir, now);
      shown.avatar.tick(now);
    }
    for (const [id, gone] of this.leaving) {
      if (now < gone.until) continue;
      gone.view.destroy();
      this.leaving.delete(id);
    }
    this.pursue();
  }

  /** The local player died or came back: stop walking, show or hide the respawn button. */
  private setDead(dead: boolean): void {
    if (dead === this.dead) return;
    this.dead = dead;
    if (dead) {
      this.engagement = null;
      this.walker.releaseAll();
      const predicted = this.client.predicted;
      if (predicted !== undefined) this.walker.walkTo(predicted, headingTile(predicted));
      this.marker.setVisible(false);
    }
    const panel = document.querySelector<HTMLElement>("#dead");
    if (panel !== null) panel.hidden = !dead;
  }

  /** Walking or standing, and which way, from how an interpolated position moves. */
  private trackMotion(shown: { lastX: number; lastY: number; movedAt: number; dir: Direction }, x: number, y: number, dir: Direction, now: number): boolean {
    const dx = x - shown.lastX;
    const dy = y - shown.lastY;
    if (dx !== 0 || dy !== 0) {
      shown.movedAt = now;
      shown.dir = Math.abs(dx) > Math.abs(dy) ? (dx > 0 ? "right" : "left") : dy > 0 ? "down" : "up";
    } else if (now - shown.movedAt > REMOTE_WALK_HOLD_MS) shown.dir = dir;
    shown.lastX = x;
    shown.lastY = y;
    return now - shown.movedAt <= REMOTE_WALK_HOLD_MS;
  }

  /**
   * The local player: the predicted state of the last input tick, advanced by the time since
   * (with the input the next tick will send), plus the reconciler's decaying correction. So
   * it moves every frame, and a click moves it on the very frame it lands.
   */
  private drawLocal(shown: Shown, now: number): void {
    const predicted = this.client.predicted;
    if (predicted === undefined) return;
    const draw = this.motion.draw(predicted, Number.isNaN(this.lastInputDueAt) ? 0 : performance.now() - this.lastInputDueAt);
    const x = draw.x + this.client.correctionOf("x");
    const y = draw.y + this.client.correctionOf("y");
    const cut = Math.abs(x - shown.lastX) + Math.abs(y - shown.lastY) > CUT_DISTANCE;
    shown.lastX = x;
    shown.lastY = y;
    shown.avatar.place(x, y, draw.dir, draw.moving || predicted.moving, now);
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
    const walking = this.trackMotion(shown, x, y, dir, now);
    shown.avatar.place(x, y, shown.dir, walking, now);
  }

  /** Read-only state for tests and the devtools console (window.__quest). */
  private debugView() {
    const scene = this;
    const tileOfPoint = (x: number, y: number): TilePoint => ({ tx: tileOf(x), ty: tileOf(y) });
    return {
      get state() {
        return scene.client.state;
      },
      get entityId() {
        return scene.client.entityId;
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
        const shown = scene.shown.get(scene.client.entityId);
        return shown === undefined ? null : { x: shown.lastX, y: shown.lastY };
      },
      /** Other players as drawn (interpolated), with the tile they are drawn on and their name label as drawn. */
      get others() {
        const out: { id: number; name: string; drawnName: string | null; x: number; y: number; tx: number; ty: number }[] = [];
        for (const e of scene.client.entities) {
          if (e.type !== "player" || e.local) continue;
          const drawnName = scene.shown.get(e.id)?.avatar.label.drawnText ?? null;
          out.push({ id: e.id, name: e.values.name, drawnName, x: e.render.x, y: e.render.y, ...tileOfPoint(e.render.x, e.render.y) });
        }
        return out;
      },
      /** Bubbles showing now: who says what, what is drawn (lines, without glyphs the font lacks), in which font, and where on the page (CSS px). */
      get bubbles() {
        const out: { id: number; text: string; drawn: string; browserFont: boolean; page: { left: number; top: number; right: number; bottom: number } }[] = [];
        for (const [id, shown] of scene.shown) {
          const bubble = shown.avatar.speech;
          if (bubble === null) continue;
          const b = bubble.bounds;
          const topLeft = this.worldToPage(b.x, b.y);
          const bottomRight = this.worldToPage(b.x + b.width, b.y + b.height);
          const page = { left: topLeft.x, top: topLeft.y, right: bottomRight.x, bottom: bottomRight.y };
          out.push({ id, text: bubble.text, drawn: bubble.drawnText, browserFont: bubble.browserFont, page });
        }
        return out;
      },
      /** The HUD's chat log and toasts as drawn. */
      get hud() {
        return { log: scene.hud.drawnLog, toasts: scene.hud.drawnToasts };
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
      get announcements() {
        return scene.announcements.slice();
      },
      /** The "moving you" banner's text while the client finds another server, else null. */
      get moving() {
        return scene.moving;
      },
      /** The local player's HP, gear and state, as the server last said. */
      get me() {
        const e = scene.client.get(scene.client.entityId);
        if (e?.type !== "player") return null;
        const v = e.values;
        return { hp: v.hp, maxHp: v.maxHp, weapon: v.weapon, armor: v.armor, invincible: v.invincible, dead: scene.dead };
      },
      /** Mobs in view as drawn, with their HP and tile (from the latest snapshot). */
      get mobs() {
        const out: { id: number; kind: string; hp: number; x: number; y: number; tx: number; ty: number }[] = [];
        for (const e of scene.client.entities) {
          if (e.type !== "mob") continue;
          out.push({ id: e.id, kind: e.values.kind, hp: e.values.hp, x: e.render.x, y: e.render.y, tx: tileOf(e.values.x), ty: tileOf(e.values.y) });
        }
        return out;
      },
      get npcs() {
        return [...scene.npcs].map(([id, npc]) => ({ id, kind: npc.kind, ...tileOfPoint(npc.x, npc.y), saying: npc.saying }));
      },
      get items() {
        const out: { id: number; kind: string; name: string; tx: number; ty: number; blinking: boolean }[] = [];
        for (const e of scene.client.entities) {
          if (e.type !== "item") continue;
          out.push({ id: e.id, kind: e.values.kind, name: ITEMS[e.values.kind as ItemKind].name, tx: tileOf(e.values.x), ty: tileOf(e.values.y), blinking: e.values.blinking });
        }
        return out;
      },
      get chests() {
        return [...scene.chests].map(([id, chest]) => ({ id, ...tileOfPoint(chest.sprite.x, chest.sprite.y) }));
      },
      /** What we are walking up to or fighting. */
      get engaged() {
        return scene.engagement === null ? null : { kind: scene.engagement.kind, id: scene.engagement.id };
      },
      /** Damage numbers shown so far (target, text), and how many float on screen now. */
      get damageNumbers() {
        return { shown: scene.shownNumbers.slice(), floating: scene.effects.numbers.size };
      },
      /** Ids whose death animation played. */
      get deaths() {
        return scene.effects.deaths.slice();
      },
      get said() {
        return scene.said.slice();
      },
      get achievements() {
        return scene.achievements.slice();
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
        return this.worldToPage(tileCentre(tx), tileCentre(ty));
      },
      /** Where a world point is on the page, in CSS px. */
      worldToPage(x: number, y: number) {
        const camera = scene.cameras.main;
        const canvas = scene.game.canvas.getBoundingClientRect();
        const scaleX = canvas.width / scene.scale.width;
        return {
          x: canvas.left + (x - camera.worldView.x) * camera.zoom * scaleX,
          y: canvas.top + (y - camera.worldView.y) * camera.zoom * scaleX,
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
    for (const mob of this.mobs.values()) mob.view.destroy();
    for (const gone of this.leaving.values()) gone.view.destroy();
    for (const thing of [...this.npcs.values(), ...this.items.values(), ...this.chests.values()]) thing.destroy();
    this.mobs.clear();
    this.leaving.clear();
    this.npcs.clear();
    this.items.clear();
    this.chests.clear();
  }
}

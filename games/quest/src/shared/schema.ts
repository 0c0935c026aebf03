/**
 * What travels on the wire: Quest's entity schema and its per-tick input. Both ends build
 * them from this file, so type ids and field widths agree.
 */
import { defineInput, defineSchema, inputField, t } from "@tickwire/engine";
import { ITEM_KINDS } from "./items.js";
import { MOB_KINDS } from "./mobs.js";
import { NPC_KINDS } from "./npcs.js";
import { TILE_SIZE } from "./tiles.js";

export const TICK_RATE = 20;
/** Longest player name, in characters (BrowserQuest's limit). */
export const MAX_PLAYER_NAME = 15;
/** Largest map side in tiles the schema can place an entity on. */
export const MAX_MAP_TILES = 512;
/** Positions are pixels in 1/16 px: sub-pixel at any zoom, exact for the shared step. */
export const POSITION_RESOLUTION = 1 / 16;

const position = {
  x: t.fixed(POSITION_RESOLUTION, { min: 0, max: MAX_MAP_TILES * TILE_SIZE }),
  y: t.fixed(POSITION_RESOLUTION, { min: 0, max: MAX_MAP_TILES * TILE_SIZE }),
};

/** Facing, for the walk and idle animations. */
export const DIRECTIONS = ["down", "up", "left", "right"] as const;

export const schema = defineSchema({
  player: {
    ...position,
    dir: t.enum(DIRECTIONS),
    moving: t.bool(),
    name: t.string(MAX_PLAYER_NAME),
    /** Which body colours the player wears (index into the art's palettes). */
    look: t.uint(8),
    /** 0 = dead (waiting for the `respawn` command). */
    hp: t.uint(16),
    maxHp: t.uint(16),
    /** Gear ranks (items.ts): weapon 1–7, armor 1–6; others see them, so the art can show them. */
    weapon: t.uint(8),
    armor: t.uint(8),
    /** A fire potion's 15 s: no damage taken. */
    invincible: t.bool(),
  },
  /** A monster; its maximum HP is `MOBS[kind].hp`. */
  mob: {
    ...position,
    dir: t.enum(DIRECTIONS),
    moving: t.bool(),
    kind: t.enum(MOB_KINDS),
    hp: t.uint(16),
  },
  /** Something on the ground, picked up by walking onto its tile. */
  item: {
    ...position,
    kind: t.enum(ITEM_KINDS),
    /** Soon gone. */
    blinking: t.bool(),
  },
  /** A chest: `open` ones are empty until they refill. */
  chest: {
    ...position,
    open: t.bool(),
  },
  npc: {
    ...position,
    dir: t.enum(DIRECTIONS),
    kind: t.enum(NPC_KINDS),
  },
});

/**
 * One input per tick: which way the player pushes this tick. 0 = none, 1 = up, 2 = down,
 * 3 = left, 4 = right. A click-to-walk path is turned into these by the client, one per
 * tick, so the shared step (and so the server's checks) sees nothing but single steps.
 */
export const input = defineInput({ move: inputField.int(0, 4) });
export type QuestInput = { move: number };
export const MOVE_NONE = 0;
export const MOVE_UP = 1;
export const MOVE_DOWN = 2;
export const MOVE_LEFT = 3;
export const MOVE_RIGHT = 4;

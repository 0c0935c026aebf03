/**
 * What travels on the wire: Quest's entity schema and its per-tick input. Both ends build
 * them from this file, so type ids and field widths agree.
 */
import { defineInput, defineSchema, inputField, t } from "@tickwire/engine";
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

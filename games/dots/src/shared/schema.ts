import { defineInput, defineSchema, inputField, MAX_NAME_LENGTH, t } from "@tickwire/engine";

/** World size in units; the page scales it to the window. */
export const WORLD_WIDTH = 800;
export const WORLD_HEIGHT = 600;
/** Positions travel in 1/16 units: sub-pixel at any sane zoom, and 2 bytes per moving axis. */
export const POSITION_RESOLUTION = 1 / 16;
/** Units per second: 8 units per tick at 20 Hz, a brisk walk across the world in 5 s. */
export const PLAYER_SPEED = 160;
/** NPCs amble at half a player's speed. */
export const NPC_SPEED = 80;
export const TICK_RATE = 20;
/** Radius a dot is drawn with, in world units. */
export const DOT_RADIUS = 8;

const position = {
  x: t.fixed(POSITION_RESOLUTION, { min: 0, max: WORLD_WIDTH }),
  y: t.fixed(POSITION_RESOLUTION, { min: 0, max: WORLD_HEIGHT }),
};

/** Both ends build the schema from this code, so type ids and field bits agree. */
export const schema = defineSchema({
  player: { ...position, hue: t.uint(16), name: t.string(MAX_NAME_LENGTH) },
  npc: { ...position, hue: t.uint(16) },
});

/** One input per tick: which way the player pushes. */
export const input = defineInput({ dx: inputField.int(-1, 1), dy: inputField.int(-1, 1) });
export type DotsInput = { dx: number; dy: number };

/**
 * The record Quest keeps for a returning player in the framework's `PlayerStore` (through
 * `persist` in game.ts): written by the server when the player leaves, every save interval
 * and at shutdown, read back before they join again. The client never sends any of it.
 * What comes back from storage is checked field by field here (a field from an older
 * version, or a damaged one, is left out and the player gets a new player's value for it;
 * a record without a tile is no progress at all); the game then checks it against the map
 * and the rules (a tile still walkable, a known rank).
 */
import type { PlayerRecord } from "@tickwire/server";
import { ACHIEVEMENTS } from "../shared/achievements.js";
import { MOB_KINDS } from "../shared/mobs.js";
import type { Direction } from "../shared/movement.js";
import { DIRECTIONS } from "../shared/schema.js";

export interface SavedProgress {
  /** The tile the player stood on (or was walking to) when saved. */
  tx: number;
  ty: number;
  dir: Direction;
  look?: number;
  /** 0 HP: dead, back at the checkpoint. Absent: a fresh player's value. */
  hp?: number;
  weapon?: number;
  armor?: number;
  /** Name of the last checkpoint reached. */
  checkpoint?: string;
  achievements?: string[];
  /** Kills by mob kind. */
  kills?: Record<string, number>;
}

const isCount = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value) && value >= 0;

/** The record to store: a plain object, as the store requires. */
export function progressRecord(progress: SavedProgress): PlayerRecord {
  return { ...progress };
}

/** A stored record as progress, or undefined when it has no usable position (then the player starts afresh). */
export function readProgress(record: PlayerRecord | undefined): SavedProgress | undefined {
  if (record === undefined || !isCount(record.tx) || !isCount(record.ty)) return undefined;
  const { hp, weapon, armor, checkpoint, achievements, kills } = record;
  const progress: SavedProgress = {
    tx: record.tx,
    ty: record.ty,
    dir: DIRECTIONS.includes(record.dir as Direction) ? (record.dir as Direction) : "down",
  };
  if (isCount(record.look)) progress.look = record.look;
  if (isCount(hp)) progress.hp = hp;
  if (isCount(weapon)) progress.weapon = weapon;
  if (isCount(armor)) progress.armor = armor;
  if (typeof checkpoint === "string") progress.checkpoint = checkpoint;
  if (Array.isArray(achievements)) progress.achievements = achievements.filter((id) => ACHIEVEMENTS.some((a) => a.id === id)) as string[];
  if (kills !== null && typeof kills === "object" && !Array.isArray(kills)) {
    progress.kills = {};
    for (const kind of MOB_KINDS) {
      const count = (kills as Record<string, unknown>)[kind];
      if (isCount(count)) progress.kills[kind] = count;
    }
  }
  return progress;
}

/**
 * Mob kinds, with BrowserQuest's numbers where its source gives them (HP of every kind; the
 * rat's and the boss's full line) and the rest chosen to rise with the HP. `mob.kind` on the
 * wire is an index into `MOB_KINDS` (append only).
 */
import type { ItemKind } from "./items.js";

export const MOB_KINDS = ["rat", "crab", "bat", "goblin", "skeleton", "snake", "ogre", "spectre", "deathknight", "boss"] as const;
export type MobKind = (typeof MOB_KINDS)[number];

/** One roll per death: the first entry whose cumulative chance (percent) covers the roll drops; the rest of 100 drops nothing. */
export type DropTable = readonly { readonly item: ItemKind; readonly chance: number }[];

export interface MobInfo {
  readonly hp: number;
  readonly armor: number;
  readonly weapon: number;
  /** Time between two of its hits (ms). */
  readonly attackMs: number;
  /** Walking speed (ms per tile). */
  readonly msPerTile: number;
  /** It attacks players this close (tiles, Chebyshev); 0 = only once attacked. */
  readonly aggro: number;
  readonly drops: DropTable;
}

export const MOBS: Readonly<Record<MobKind, MobInfo>> = {
  rat: { hp: 25, armor: 1, weapon: 1, attackMs: 800, msPerTile: 350, aggro: 0, drops: [{ item: "flask", chance: 40 }, { item: "burger", chance: 10 }, { item: "firepotion", chance: 5 }] },
  crab: { hp: 60, armor: 2, weapon: 1, attackMs: 1000, msPerTile: 400, aggro: 1, drops: [{ item: "armor2", chance: 50 }, { item: "flask", chance: 20 }, { item: "weapon2", chance: 10 }] },
  bat: { hp: 80, armor: 2, weapon: 1, attackMs: 600, msPerTile: 200, aggro: 2, drops: [{ item: "weapon2", chance: 50 }, { item: "flask", chance: 40 }] },
  goblin: { hp: 90, armor: 2, weapon: 1, attackMs: 700, msPerTile: 250, aggro: 2, drops: [{ item: "armor2", chance: 40 }, { item: "weapon3", chance: 10 }, { item: "flask", chance: 30 }] },
  skeleton: { hp: 110, armor: 2, weapon: 2, attackMs: 1300, msPerTile: 300, aggro: 3, drops: [{ item: "armor3", chance: 40 }, { item: "weapon3", chance: 20 }, { item: "flask", chance: 30 }] },
  snake: { hp: 150, armor: 3, weapon: 2, attackMs: 1000, msPerTile: 300, aggro: 2, drops: [{ item: "armor3", chance: 30 }, { item: "weapon4", chance: 20 }, { item: "flask", chance: 40 }] },
  ogre: { hp: 200, armor: 3, weapon: 2, attackMs: 1300, msPerTile: 400, aggro: 3, drops: [{ item: "armor4", chance: 30 }, { item: "weapon4", chance: 30 }, { item: "burger", chance: 30 }] },
  spectre: { hp: 250, armor: 3, weapon: 4, attackMs: 1200, msPerTile: 300, aggro: 3, drops: [{ item: "weapon5", chance: 30 }, { item: "armor5", chance: 10 }, { item: "burger", chance: 40 }] },
  deathknight: { hp: 250, armor: 3, weapon: 3, attackMs: 1000, msPerTile: 350, aggro: 3, drops: [{ item: "armor5", chance: 20 }, { item: "weapon6", chance: 10 }, { item: "burger", chance: 60 }] },
  boss: { hp: 700, armor: 6, weapon: 7, attackMs: 2000, msPerTile: 300, aggro: 3, drops: [{ item: "weapon7", chance: 50 }, { item: "armor6", chance: 50 }] },
};

/** A mob this far (tiles, Chebyshev) from its spawn gives up the chase. */
export const LEASH_TILES = 50;
/** A mob with no haters this long walks home. */
export const RETURN_HOME_MS = 4000;
/** A dead mob comes back after this. */
export const MOB_RESPAWN_MS = 30_000;

export function isMobKind(value: unknown): value is MobKind {
  return typeof value === "string" && (MOB_KINDS as readonly string[]).includes(value);
}

/** The drop for a roll in 0..99, or null: the table's chances add up from its first entry. */
export function dropFor(table: DropTable, roll: number): ItemKind | null {
  let covered = 0;
  for (const { item, chance } of table) {
    covered += chance;
    if (roll < covered) return item;
  }
  return null;
}

/**
 * Quest's items: weapons ranked 1–7 and armors 1–6 (BrowserQuest's ranks), and three
 * consumables. An item on the ground is an `item` entity whose `kind` is one of
 * `ITEM_KINDS`; a player's `weapon` and `armor` fields are ranks.
 */

export type ItemClass = "weapon" | "armor" | "consumable";

export interface ItemInfo {
  readonly name: string;
  readonly class: ItemClass;
  /** Rank of a weapon or an armor (1 = what a new player has). */
  readonly rank: number;
  /** HP a consumable gives back; Infinity = all of it. */
  readonly heal: number;
  /** How long a consumable makes its drinker invincible (ms). */
  readonly invincibleMs: number;
}

/** A new player's gear. */
export const STARTING_WEAPON = 1;
export const STARTING_ARMOR = 1;
export const WEAPON_NAMES = ["sword", "steel sword", "battle axe", "morning star", "blue sword", "red sword", "golden sword"] as const;
export const ARMOR_NAMES = ["cloth tunic", "leather armor", "mail armor", "plate armor", "red armor", "golden armor"] as const;
export const MAX_WEAPON = WEAPON_NAMES.length;
export const MAX_ARMOR = ARMOR_NAMES.length;
/** A player swings at this interval whatever the weapon (BrowserQuest's 800 ms): better weapons hit harder, not faster. */
export const PLAYER_ATTACK_MS = 800;
/** The fire potion: full HP and this long untouchable. */
export const INVINCIBLE_MS = 15_000;

/** Item kinds on the wire: `item.kind` is an index into this list (append only). */
export const ITEM_KINDS = [
  "weapon2",
  "weapon3",
  "weapon4",
  "weapon5",
  "weapon6",
  "weapon7",
  "armor2",
  "armor3",
  "armor4",
  "armor5",
  "armor6",
  "flask",
  "burger",
  "firepotion",
] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

function gear(kind: ItemKind): ItemInfo {
  const weapon = /^weapon(\d)$/.exec(kind);
  if (weapon) {
    const rank = Number(weapon[1]);
    return { name: WEAPON_NAMES[rank - 1], class: "weapon", rank, heal: 0, invincibleMs: 0 };
  }
  const rank = Number(/^armor(\d)$/.exec(kind)?.[1]);
  return { name: ARMOR_NAMES[rank - 1], class: "armor", rank, heal: 0, invincibleMs: 0 };
}

export const ITEMS: Readonly<Record<ItemKind, ItemInfo>> = {
  weapon2: gear("weapon2"),
  weapon3: gear("weapon3"),
  weapon4: gear("weapon4"),
  weapon5: gear("weapon5"),
  weapon6: gear("weapon6"),
  weapon7: gear("weapon7"),
  armor2: gear("armor2"),
  armor3: gear("armor3"),
  armor4: gear("armor4"),
  armor5: gear("armor5"),
  armor6: gear("armor6"),
  flask: { name: "flask", class: "consumable", rank: 0, heal: 40, invincibleMs: 0 },
  burger: { name: "burger", class: "consumable", rank: 0, heal: 100, invincibleMs: 0 },
  firepotion: { name: "fire potion", class: "consumable", rank: 0, heal: Number.POSITIVE_INFINITY, invincibleMs: INVINCIBLE_MS },
};

export function isItemKind(value: unknown): value is ItemKind {
  return typeof value === "string" && (ITEM_KINDS as readonly string[]).includes(value);
}

/**
 * What walking onto an item does to a player with this gear and HP: equip, drink, or refuse
 * (a worse or equal piece; a heal-only potion at full HP, which would be wasted: it stays
 * on the ground for later).
 */
export function pickupVerdict(kind: ItemKind, now: { weapon: number; armor: number; hp: number; maxHp: number }): "equip" | "consume" | "refuse" {
  const item = ITEMS[kind];
  if (item.class === "consumable") return item.invincibleMs === 0 && now.hp >= now.maxHp ? "refuse" : "consume";
  const current = item.class === "weapon" ? now.weapon : now.armor;
  return item.rank > current ? "equip" : "refuse";
}

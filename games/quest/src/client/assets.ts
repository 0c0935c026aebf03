/**
 * Every asset the client loads, by key, and the facts about their layout that gen-art
 * decided (frame sizes, sheet rows). Vite turns each import into a hashed URL.
 */
import armorUrl from "../../assets/art/armor.png";
import charactersUrl from "../../assets/art/characters.png";
import fontUrl from "../../assets/art/font.png";
import fontXmlUrl from "../../assets/art/font.xml?url";
import fontOutlineUrl from "../../assets/art/font-outline.png";
import fontOutlineXmlUrl from "../../assets/art/font-outline.xml?url";
import fxUrl from "../../assets/art/fx.png";
import iconsUrl from "../../assets/art/icons.png";
import itemsUrl from "../../assets/art/items.png";
import markerUrl from "../../assets/art/marker.png";
import mobsUrl from "../../assets/art/mobs.png";
import npcsUrl from "../../assets/art/npcs.png";
import tilesUrl from "../../assets/art/tiles.png";
import weaponsUrl from "../../assets/art/weapons.png";
import mapUrl from "../../assets/map/world.json?url";

export const ASSETS = {
  tiles: tilesUrl,
  characters: charactersUrl,
  marker: markerUrl,
  icons: iconsUrl,
  armor: armorUrl,
  weapons: weaponsUrl,
  items: itemsUrl,
  mobs: mobsUrl,
  npcs: npcsUrl,
  fx: fxUrl,
  font: { png: fontUrl, xml: fontXmlUrl },
  fontOutline: { png: fontOutlineUrl, xml: fontOutlineXmlUrl },
  map: mapUrl,
} as const;

export const KEYS = {
  tiles: "tiles",
  characters: "characters",
  marker: "marker",
  icons: "icons",
  armor: "armor",
  weapons: "weapons",
  items: "items",
  mobs: "mobs",
  npcs: "npcs",
  fx: "fx",
  /** Ink glyphs: text in chat bubbles. */
  font: "font",
  /** White glyphs with a dark outline: names and HUD over the map. */
  fontOutline: "font-outline",
  map: "world",
} as const;

/** The Tiled tileset's name in world.json. */
export const TILESET_NAME = "tiles";

// Layout of characters.png (see scripts/gen-art.ts): one row per look × facing, frames in columns.
export const CHARACTER_FRAME = 16;
export const CHARACTER_FACINGS = ["down", "up", "right"] as const;
export const CHARACTER_LOOKS = 8;
export const WALK_FRAMES = 4;
export const IDLE_FRAMES = 2;
/** Wind-up, strike. */
export const ATTACK_FRAMES = 2;
export const CHARACTER_COLUMNS = WALK_FRAMES + IDLE_FRAMES + ATTACK_FRAMES;
export const MARKER_FRAMES = 4;
/** icons.png: 8 px icons in a row. */
export const ICON_SIZE = 8;
export const ICONS = ["players", "world", "chat", "signal", "heart", "sword", "shield"] as const;

/** armor.png: the characters' frames (same rows per facing, same columns) for armor ranks 2.. (rank 1 is the look's own tunic). */
export const ARMOR_FIRST_RANK = 2;
/** weapons.png: 24 px frames (the character frame centred), rows = rank 1.. × facing, the characters' columns. */
export const WEAPON_FRAME = 24;
/** mobs.png: 24 px frames, rows = kind (MOB_KINDS order) × facing, the characters' columns; feet on row MOB_FEET. */
export const MOB_FRAME = 24;
export const MOB_FEET = 21;
/** npcs.png: 16 px, one row per NPC kind (NPC_KINDS order), idle frames facing down. */
export const NPC_FRAMES = 2;
/** items.png: 16 px, ITEM_KINDS order, then the chest closed and open, then the starting weapon and armor (HUD). */
export const ITEM_FRAME_OF = {
  chest: 14,
  chestOpen: 15,
  weapon1: 16,
  armor1: 17,
} as const;
/** fx.png: 24 px frames: death puff, then the invincibility glow. */
export const FX_FRAME = 24;
export const PUFF_FRAMES = 5;
export const GLOW_FRAMES = 4;

/** Font size to pass to bitmapText: the cell height gen-art wrote (glyphs are drawn 1:1). */
export const FONT_SIZE = 8;
export const FONT_OUTLINE_SIZE = 10;

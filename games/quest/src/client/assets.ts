/**
 * Every asset the client loads, by key, and the facts about their layout that gen-art
 * decided (frame sizes, sheet rows). Vite turns each import into a hashed URL.
 */
import charactersUrl from "../../assets/art/characters.png";
import fontUrl from "../../assets/art/font.png";
import fontXmlUrl from "../../assets/art/font.xml?url";
import fontOutlineUrl from "../../assets/art/font-outline.png";
import fontOutlineXmlUrl from "../../assets/art/font-outline.xml?url";
import iconsUrl from "../../assets/art/icons.png";
import markerUrl from "../../assets/art/marker.png";
import tilesUrl from "../../assets/art/tiles.png";
import mapUrl from "../../assets/map/world.json?url";

export const ASSETS = {
  tiles: tilesUrl,
  characters: charactersUrl,
  marker: markerUrl,
  icons: iconsUrl,
  font: { png: fontUrl, xml: fontXmlUrl },
  fontOutline: { png: fontOutlineUrl, xml: fontOutlineXmlUrl },
  map: mapUrl,
} as const;

export const KEYS = {
  tiles: "tiles",
  characters: "characters",
  marker: "marker",
  icons: "icons",
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
export const CHARACTER_COLUMNS = WALK_FRAMES + IDLE_FRAMES;
export const MARKER_FRAMES = 4;
/** icons.png: 8 px icons in a row. */
export const ICON_SIZE = 8;
export const ICONS = ["players", "world", "chat", "signal"] as const;

/** Font size to pass to bitmapText: the cell height gen-art wrote (glyphs are drawn 1:1). */
export const FONT_SIZE = 8;
export const FONT_OUTLINE_SIZE = 10;

/**
 * What players type: chat lines and names, cleaned or refused by the same rules on both
 * ends (the client to show what will be sent, the server because it trusts nothing).
 */
import { MAX_PLAYER_NAME } from "./schema.js";

/** BrowserQuest's chat limit: a bubble's worth. */
export const MAX_CHAT_LENGTH = 60;

/**
 * Characters that must not reach another player's screen: C0/C1 controls, bidi embeddings,
 * overrides and isolates (they reorder the text around them: "gnp.exe" tricks), bidi marks,
 * line and paragraph separators, and zero-width joiners/spaces and the BOM (invisible).
 */
const INVISIBLE = /[\p{Cc}\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;
const SPACES = /\s+/gu;

/** Cuts to `max` code points, never splitting a surrogate pair. */
function cut(text: string, max: number): string {
  const points = Array.from(text);
  return points.length <= max ? text : points.slice(0, max).join("");
}

/**
 * A chat line as others will see it: invisible and control characters removed, runs of
 * whitespace made one space, trimmed, at most MAX_CHAT_LENGTH characters. May be empty.
 */
export function sanitizeChat(text: string): string {
  return cut(text.replace(INVISIBLE, "").replace(SPACES, " ").trim(), MAX_CHAT_LENGTH).trim();
}

export type NameCheck = { ok: true; name: string } | { ok: false; reason: string };

/**
 * A player's name: trimmed, 1..MAX_PLAYER_NAME visible characters, single spaces inside
 * allowed. Refused (not silently cleaned) when it holds control or invisible characters, so
 * the player sees why.
 */
export function checkName(raw: string): NameCheck {
  const name = raw.trim();
  if (name.length === 0) return { ok: false, reason: "Please choose a name." };
  if (name.replace(INVISIBLE, "") !== name) return { ok: false, reason: "Names may only hold visible characters." };
  if (/\s{2,}|[^\S ]/u.test(name)) return { ok: false, reason: "Names may hold single spaces only." };
  // UTF-16 units, as the wire schema counts them: a longer name would arrive cut.
  if (name.length > MAX_PLAYER_NAME) return { ok: false, reason: `Names are at most ${MAX_PLAYER_NAME} characters.` };
  return { ok: true, name };
}

/** A chat line starting with this is global: every world of every server process hears it. */
export const GLOBAL_CHAT_PREFIX = "/g ";

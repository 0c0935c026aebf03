/**
 * What the HUD writes for the server's social events and the client's moves between servers:
 * chat lines (global ones marked), announcements, and the notice while the client finds
 * another server. Pure, so the wording is tested without a browser.
 */
import type { MatchmakingReason } from "@tickwire/client";

/** Marks a line every world sees (typed as `/g …`), so it is not mistaken for a neighbour's. */
export const GLOBAL_CHAT_MARK = "[all]";

export interface ChatLine {
  /** The speaker's entity id in this world; -1 for a global line (the server names no entity: `from` 0). */
  from: number;
  name: string;
  text: string;
  global: boolean;
  /** The speaker's world, for a global line. */
  world: string | null;
}

/** A `chat` event's data as a line, or null when it is not one. */
export function chatLine(data: Record<string, unknown>): ChatLine | null {
  if (typeof data.name !== "string" || typeof data.text !== "string") return null;
  const global = data.global === true;
  return {
    from: !global && typeof data.from === "number" ? data.from : -1,
    name: data.name,
    text: data.text,
    global,
    world: global && typeof data.world === "string" ? data.world : null,
  };
}

/** The speaker as the log shows it: a global line is marked, with the speaker's world when it is another. */
export function speakerLabel(line: ChatLine, myWorld: string): string {
  if (!line.global) return line.name;
  const where = line.world !== null && line.world !== myWorld ? ` @${line.world}` : "";
  return `${GLOBAL_CHAT_MARK} ${line.name}${where}`;
}

/** An `announce` event's text, or null. */
export function announcement(data: Record<string, unknown>): string | null {
  return typeof data.text === "string" && data.text.length > 0 ? data.text : null;
}

/** The banner while the client looks for a server, by why; null when the usual "reconnecting" fits. */
export function movingNotice(reason: MatchmakingReason): string | null {
  switch (reason) {
    case "server-restarting":
      return "Server restarting - moving you...";
    case "server-lost":
      // A blip of the player's own link looks the same as a crashed server: promise no move.
      return "Connection lost - finding your world...";
    case "world-gone":
    case "world-full":
      return "Finding you another world...";
    case "join":
      return null;
  }
}

/**
 * The toast when a Welcome arrives: "Moved to" only when the world really changed (a blip
 * that found the same world again is a reconnect), "Reconnected" after a resume or a search
 * for a server; null on the first join.
 */
export function welcomeNotice(previousWorld: string | null, world: string, resumed: boolean, wasMoving: boolean): string | null {
  if (wasMoving && previousWorld !== null && world !== previousWorld) return `Moved to ${world}`;
  return resumed || wasMoving ? "Reconnected" : null;
}

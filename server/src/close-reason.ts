/**
 * Reasons a game gives the player: a join it refuses (`throw new JoinRefused(reason)` in
 * onJoin or playerData) and a kick (`ctx.kick(player, reason)`). They travel in the
 * WebSocket close frame, which carries at most MAX_CLOSE_REASON_BYTES of UTF-8.
 */
import { MAX_CLOSE_REASON_BYTES } from "@tickwire/engine/wire";

/**
 * Thrown by `onJoin` (or `playerData`) to refuse a player before it exists in the world:
 * the connection closes with `CloseCode.JoinRefused` and `reason`, which the client shows.
 * Throw it before spawning anything for the player.
 */
export class JoinRefused extends Error {
  override readonly name = "JoinRefused";

  constructor(readonly reason: string) {
    super(reason);
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * `text` cut to fit a close frame (MAX_CLOSE_REASON_BYTES of UTF-8), never in the middle of
 * a character; `fallback` when it is empty or not a string.
 */
export function fitCloseReason(text: unknown, fallback: string): string {
  if (typeof text !== "string" || text.length === 0) return fallback;
  const bytes = encoder.encode(text);
  if (bytes.length <= MAX_CLOSE_REASON_BYTES) return text;
  // A cut inside a multi-byte character decodes to a trailing U+FFFD: drop it.
  return decoder.decode(bytes.subarray(0, MAX_CLOSE_REASON_BYTES)).replace(/\uFFFD$/, "");
}

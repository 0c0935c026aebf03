/**
 * Who a returning player is, without accounts: the browser makes a random secret once, keeps
 * it in localStorage and sends it as the connection's auth token. The server keys saved
 * progress on a hash of it, so what it stores (and logs) cannot be replayed as a token.
 */
import { createHash } from "node:crypto";
import type { AuthHook } from "@tickwire/server";

/** 16..128 URL-safe characters: the client sends 32 random bytes as base64url (43). */
export const PLAYER_SECRET_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export interface QuestIdentity {
  /** Hash of the player's secret, or null for a player without one (bots, tests): not saved. */
  readonly key: string | null;
}

export function progressKey(secret: string): string {
  return createHash("sha256").update(secret).digest("base64url");
}

/** The server's auth hook: no token is an anonymous player; a malformed one is refused (401). */
export const questAuth: AuthHook = (token) => {
  if (token === "") return { key: null } satisfies QuestIdentity;
  if (!PLAYER_SECRET_PATTERN.test(token)) return null;
  return { key: progressKey(token) } satisfies QuestIdentity;
};

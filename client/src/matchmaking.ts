/**
 * Matchmaking: asking a tickwire `/matchmake` endpoint which world to join and where it is
 * hosted, and deciding when a lost connection means "find another server" rather than
 * "reconnect to the same one". The connection runs the retries; this file owns the rules.
 */
import { CloseCode } from "@tickwire/engine";
import type { FetchLike } from "./preflight.js";

/** Why the client is asking the matchmaker; the application can tell the player. */
export type MatchmakingReason =
  /** The first connection. */
  | "join"
  /** The server closed with ServerRestarting (a drain or deploy) or GoingAway: its players move elsewhere. */
  | "server-restarting"
  /** The server stopped answering (crashed, unreachable) for longer than a resume is worth waiting. */
  | "server-lost"
  /** The world or the session is gone there (resume refused, world closed or unknown). */
  | "world-gone"
  /** The world was full by the time the client arrived. */
  | "world-full";

/** The client is asking the matchmaker (the 'matchmaking' event). */
export interface MatchmakingInfo {
  readonly reason: MatchmakingReason;
  /** The world the client was in or heading to; null on the first join. */
  readonly previousWorld: string | null;
}

/** The matchmaker answered (the 'matched' event); the client connects to `url` next. */
export interface MatchInfo {
  readonly world: string;
  /** The WebSocket URL connected to (with the token). */
  readonly url: string;
  readonly reason: MatchmakingReason;
  readonly previousWorld: string | null;
}


export type MatchAnswer =
  | { readonly ok: true; readonly world: string; readonly url: string }
  /** `status` 0: no answer (network, timeout, not JSON). */
  | { readonly ok: false; readonly status: number; readonly reason: string; readonly retryable: boolean };

/**
 * Whether `url` names a matchmaker rather than a world's socket: an absolute http(s) URL, or
 * a relative one whose path ends in `/matchmake` (a relative `/ws?world=main` stays a socket
 * URL resolved against the page, as before matchmaking existed).
 */
export function isMatchmakerUrl(url: string | URL): boolean {
  const text = url.toString();
  if (/^https?:/i.test(text)) return true;
  if (/^[a-z][a-z0-9+.-]*:/i.test(text)) return false;
  return new URL(text, "http://relative.invalid").pathname.endsWith("/matchmake");
}

/** The matchmaking request: the endpoint plus `world=<previous world>` when there is one. */
export function matchmakeRequestUrl(endpoint: string, previousWorld: string | null): string {
  const url = new URL(endpoint);
  if (previousWorld !== null) url.searchParams.set("world", previousWorld);
  return url.toString();
}

/** Asks the matchmaker once. Never throws: a failure is an answer with `ok: false`. */
export async function askMatchmaker(
  fetch: FetchLike,
  endpoint: string,
  previousWorld: string | null,
  signal: AbortSignal,
): Promise<MatchAnswer> {
  const request = matchmakeRequestUrl(endpoint, previousWorld);
  let status = 0;
  let body: unknown;
  try {
    const response = await fetch(request, { signal });
    status = response.status;
    body = await response.json();
  } catch (error) {
    const reason = status === 0 ? `matchmaker unreachable: ${errorText(error)}` : `matchmaker answered HTTP ${status} without JSON`;
    return { ok: false, status, reason, retryable: true };
  }
  const fields = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  if (status === 200 && typeof fields.world === "string" && typeof fields.url === "string") {
    let url: URL;
    try {
      url = new URL(fields.url, endpoint);
    } catch {
      return { ok: false, status, reason: `matchmaker answered an invalid url "${fields.url.slice(0, 100)}"`, retryable: false };
    }
    return { ok: true, world: fields.world, url: url.toString() };
  }
  const reason = typeof fields.error === "string" ? fields.error.slice(0, 200) : `matchmaker answered HTTP ${status}`;
  // 503 (nothing has room now), 429, 5xx: later may work. Other answers (unknown game) will not.
  return { ok: false, status, reason, retryable: status === 429 || status >= 500 };
}

/**
 * Whether a socket that ended with `code` (or an upgrade refused with HTTP `status`, else 0)
 * should send the client back to the matchmaker, and why; null: handle it as without one.
 */
export function rematchReason(code: number, status: number): MatchmakingReason | null {
  if (status !== 0) {
    if (status === 503) return "world-full";
    // Unknown world, or a reservation the server no longer holds.
    if (status === 404 || status === 409 || status === 410) return "world-gone";
    return null;
  }
  switch (code) {
    case CloseCode.ServerRestarting:
    case CloseCode.GoingAway:
      return "server-restarting";
    case CloseCode.ResumeFailed:
    case CloseCode.WorldClosed:
      return "world-gone";
    case CloseCode.WorldFull:
      return "world-full";
    default:
      return null;
  }
}

/** Whether two socket URLs reach the same world of the same host (a resume token stays good). */
export function sameWorld(a: string, b: string): boolean {
  try {
    const left = new URL(a);
    const right = new URL(b);
    return left.host === right.host && left.pathname === right.pathname && left.searchParams.get("world") === right.searchParams.get("world");
  } catch {
    return false;
  }
}

/** The URL without its `reservation` parameter: a reservation is spent by the first Join. */
export function withoutReservation(url: string): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has("reservation")) return url;
  parsed.searchParams.delete("reservation");
  return parsed.toString();
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.name === "AbortError" ? "no answer in time" : error.message;
  return String(error);
}

/**
 * Asks the server why it refused an upgrade. Browsers hide a refused upgrade's status and
 * body, so after a socket fails before opening the client GETs the same URL without the
 * upgrade; the server runs the same checks and answers in JSON (reserving nothing).
 */
import { PROTOCOL_VERSION } from "@tickwire/engine/wire";
import type { Refusal } from "./socket.js";

/** The part of `fetch` the preflight and matchmaking use; the global one fits. */
export type FetchLike = (url: string, init: { signal: AbortSignal }) => Promise<{ status: number; json(): Promise<unknown> }>;

/** The preflight URL for a WebSocket URL (`ws:`→`http:`, `wss:`→`https:`, plus `v=`), or null for any other scheme. */
export function preflightUrl(socketUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(socketUrl);
  } catch {
    return null;
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:") return null;
  url.protocol = url.protocol === "wss:" ? "https:" : "http:";
  // Browsers cannot set Sec-WebSocket-Protocol on a fetch: the version rides in the query.
  url.searchParams.set("v", String(PROTOCOL_VERSION));
  return url.toString();
}

/**
 * The server's refusal, or null when it would admit us or its answer is unusable (network
 * failure, timeout via `signal`, not a tickwire server): then the failure stays a network loss.
 */
export async function fetchRefusal(fetch: FetchLike, socketUrl: string, signal: AbortSignal): Promise<Refusal | null> {
  const url = preflightUrl(socketUrl);
  if (url === null) return null;
  try {
    const response = await fetch(url, { signal });
    return refusalOf(await response.json());
  } catch {
    return null;
  }
}

function refusalOf(answer: unknown): Refusal | null {
  if (typeof answer !== "object" || answer === null) return null;
  const { ok, status, reason, retryable } = answer as Record<string, unknown>;
  if (ok !== false || typeof status !== "number" || typeof reason !== "string") return null;
  return typeof retryable === "boolean" ? { status, reason, retryable } : { status, reason };
}

/**
 * Who the player is in this browser (a remembered name and a random secret, the auth token
 * that lets the server welcome them back where they left), finding a world (`/matchmake`),
 * and turning the server's refusals into sentences for the title screen.
 */
import { type ClientError, type CloseInfo, connect, type PredictConfig, type TickwireClient } from "@tickwire/client";
import { CloseCode } from "@tickwire/engine";
import type { MoverState } from "../shared/movement.js";
import { input, type QuestInput, schema } from "../shared/schema.js";
import { checkName } from "../shared/text.js";

export type QuestSchema = typeof schema;

const NAME_KEY = "quest.name";
const SECRET_KEY = "quest.secret";
/** 128 random bits: a secret nobody guesses, so nobody else resumes your character. */
const SECRET_BYTES = 16;

export function rememberedName(): string {
  return localStorage.getItem(NAME_KEY) ?? "";
}

export function rememberName(name: string): void {
  localStorage.setItem(NAME_KEY, name);
}

/** This browser's secret, created on first use. */
export function secret(): string {
  let value = localStorage.getItem(SECRET_KEY);
  if (value === null || value.length !== SECRET_BYTES * 2) {
    const bytes = crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
    value = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    localStorage.setItem(SECRET_KEY, value);
  }
  return value;
}

/** What the title screen checks before asking the server: the server's own rule (it checks again). */
export function nameProblem(name: string): string | null {
  const check = checkName(name);
  return check.ok ? null : check.reason;
}

export interface Matched {
  world: string;
  url: string;
}

/** Asks the server for a world with room. Throws an Error whose message is for the player. */
export async function matchmake(fetchImpl: typeof fetch = fetch): Promise<Matched> {
  let response: Response;
  try {
    response = await fetchImpl("/matchmake");
  } catch {
    throw new Error("The server cannot be reached. Is it running?");
  }
  const body = (await response.json().catch(() => ({}))) as Partial<Matched> & { error?: string };
  if (response.status === 503) throw new Error("Every world is full right now. Try again in a minute.");
  if (!response.ok || typeof body.world !== "string") throw new Error(`Matchmaking failed (${body.error ?? response.status}).`);
  // The server answers with its own view of its address; the page's origin is what we can reach.
  const url = new URL(`/ws?world=${encodeURIComponent(body.world)}`, location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  return { world: body.world, url: url.toString() };
}

/** A refusal or close, as a sentence for the player. */
export function describeError(error: ClientError | CloseInfo): string {
  const reason = "reason" in error && error.reason ? error.reason : "message" in error ? error.message : "";
  // A ClientError's code is a close code only for kind "closed" (an ErrorCode otherwise).
  const closeCode = "kind" in error ? (error.kind === "closed" ? error.code : undefined) : error.code;
  // The server writes kick and join-refusal reasons for the player: show them as they are.
  if (closeCode === CloseCode.Kicked) return reason || "You were removed from the world.";
  if (closeCode === CloseCode.JoinRefused) return `That name cannot be used: ${reason}`;
  if (reason.toLowerCase().includes("full")) return "This world is full. Try again in a minute.";
  return reason ? `Disconnected: ${reason}` : "Disconnected from the server.";
}

export type QuestClient = TickwireClient<QuestSchema, QuestInput, MoverState>;

export function connectQuest(matched: Matched, name: string, predict: PredictConfig<MoverState, QuestInput>): QuestClient {
  return connect<QuestSchema, QuestInput, MoverState>(matched.url, {
    name,
    token: secret(),
    game: { schema, input, predict },
  });
}

/**
 * Who the player is in this browser (a remembered name and a random secret, the auth token
 * that lets the server welcome them back where they left), joining through the framework's
 * matchmaker (`/matchmake?game=quest`), and turning refusals into sentences for the title screen.
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

/** The framework's matchmaker: the client asks it for a world, and again when its server restarts or is lost. */
export const QUEST_MATCHMAKER = "/matchmake?game=quest";

/**
 * Resolves once the matchmaker has named a world (the client is connecting to it). Rejects
 * with a sentence for the title when it cannot: the server is unreachable or every world is
 * full (the client is then closed; the player tries again from the title).
 */
export function untilMatched(client: QuestClient): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      for (const off of offs) off();
    };
    const offs = [
      client.on("matched", () => {
        stop();
        resolve();
      }),
      client.on("error", (error) => {
        if (error.kind !== "matchmaking") return;
        stop();
        client.close();
        reject(new Error(describeError(error)));
      }),
      client.on("close", (info) => {
        stop();
        reject(new Error(describeError(info)));
      }),
    ];
  });
}

/** A refusal or close, as a sentence for the player. */
export function describeError(error: ClientError | CloseInfo): string {
  const reason = "reason" in error && error.reason ? error.reason : "message" in error ? error.message : "";
  // A ClientError's code is a close code only for kind "closed" (an ErrorCode otherwise).
  const closeCode = "kind" in error ? (error.kind === "closed" ? error.code : undefined) : error.code;
  if ("kind" in error && error.kind === "matchmaking") {
    if (error.status === 0) return "The server cannot be reached. Is it running?";
    if (error.status === 503 && reason === "no world available") return "Every world is full right now. Try again in a minute.";
    if (error.status === 503) return "The server is restarting or busy. Try again in a moment.";
    return `Matchmaking failed (${reason}).`;
  }
  // The server writes kick and join-refusal reasons for the player: show them as they are.
  if (closeCode === CloseCode.Kicked) return reason || "You were removed from the world.";
  if (closeCode === CloseCode.JoinRefused) return `That name cannot be used: ${reason}`;
  if (reason.toLowerCase().includes("full")) return "This world is full. Try again in a minute.";
  return reason ? `Disconnected: ${reason}` : "Disconnected from the server.";
}

export type QuestClient = TickwireClient<QuestSchema, QuestInput, MoverState>;

/** Joins through the matchmaker as this browser's player (its secret is the identity the server restores). */
export function connectQuest(name: string, predict: PredictConfig<MoverState, QuestInput>): QuestClient {
  return connect<QuestSchema, QuestInput, MoverState>(QUEST_MATCHMAKER, {
    name,
    token: secret(),
    game: { schema, input, predict },
  });
}

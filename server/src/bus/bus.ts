/**
 * MessageBus: typed messages every server process hears (global chat, population totals,
 * announcements, kicks). Every subscriber of a type gets every message of it, including
 * those its own process published, in publish order per publisher. Every implementation
 * passes the same contract suite (test/contracts/bus.ts).
 */
import { MAX_CHAT_LENGTH, MAX_NAME_LENGTH } from "@tickwire/engine";

export type BusMessage =
  /** Chat meant for every world: `world` is where it was said. */
  | { readonly type: "chat"; readonly world: string; readonly from: string; readonly text: string }
  /** One process's current player count; receivers sum the latest of each process for the total. */
  | { readonly type: "population"; readonly process: string; readonly players: number }
  | { readonly type: "announce"; readonly text: string }
  /** Removes a player wherever it is, by name or by player key. */
  | { readonly type: "kick"; readonly target: KickTarget; readonly reason: string };

export type KickTarget = { readonly name: string } | { readonly playerKey: string };

export type BusMessageType = BusMessage["type"];
export type BusMessageOf<T extends BusMessageType> = Extract<BusMessage, { type: T }>;
export type BusHandler<T extends BusMessageType> = (message: BusMessageOf<T>) => void;

export const BUS_MESSAGE_TYPES: readonly BusMessageType[] = ["chat", "population", "announce", "kick"];

/** Announcements and kick reasons are shown to players like chat: the same bound. */
export const MAX_BUS_TEXT_LENGTH = MAX_CHAT_LENGTH;
/** World ids, process ids and player keys are short tokens. */
export const MAX_BUS_ID_LENGTH = 128;

export interface MessageBus {
  /** Sends to every process; resolves once handed to the transport. Rejects an invalid message. */
  publish(message: BusMessage): Promise<void>;
  /** Calls `handler` for each message of `type`; returns the unsubscribe function. */
  subscribe<T extends BusMessageType>(type: T, handler: BusHandler<T>): () => void;
  close(): Promise<void>;
}

/** Thrown by publish for a message that would be refused on receipt. */
export class InvalidBusMessageError extends Error {
  override readonly name = "InvalidBusMessageError";
}

/** The message if it is a well-formed BusMessage (what arrives from other processes is untrusted), else a reason. */
export function validateBusMessage(value: unknown): { ok: true; message: BusMessage } | { ok: false; reason: string } {
  if (typeof value !== "object" || value === null) return { ok: false, reason: "not an object" };
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case "chat":
      if (!isText(message.world, MAX_BUS_ID_LENGTH)) return { ok: false, reason: "chat.world" };
      if (!isText(message.from, MAX_NAME_LENGTH)) return { ok: false, reason: "chat.from" };
      if (!isText(message.text, MAX_BUS_TEXT_LENGTH)) return { ok: false, reason: "chat.text" };
      return { ok: true, message: { type: "chat", world: message.world, from: message.from, text: message.text } };
    case "population":
      if (!isText(message.process, MAX_BUS_ID_LENGTH)) return { ok: false, reason: "population.process" };
      if (!Number.isSafeInteger(message.players) || (message.players as number) < 0) {
        return { ok: false, reason: "population.players" };
      }
      return { ok: true, message: { type: "population", process: message.process, players: message.players as number } };
    case "announce":
      if (!isText(message.text, MAX_BUS_TEXT_LENGTH)) return { ok: false, reason: "announce.text" };
      return { ok: true, message: { type: "announce", text: message.text } };
    case "kick": {
      const target = kickTarget(message.target);
      if (target === undefined) return { ok: false, reason: "kick.target" };
      if (typeof message.reason !== "string" || message.reason.length > MAX_BUS_TEXT_LENGTH) {
        return { ok: false, reason: "kick.reason" };
      }
      return { ok: true, message: { type: "kick", target, reason: message.reason } };
    }
    default:
      return { ok: false, reason: "type" };
  }
}

function kickTarget(value: unknown): KickTarget | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const target = value as Record<string, unknown>;
  if ("name" in target && isText(target.name, MAX_NAME_LENGTH)) return { name: target.name };
  if ("playerKey" in target && isText(target.playerKey, MAX_BUS_ID_LENGTH)) return { playerKey: target.playerKey };
  return undefined;
}

function isText(value: unknown, maxLength: number): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= maxLength;
}

import { describe, expect, it } from "vitest";
import {
  decodeServerMessage,
  encodeServerMessage,
  ErrorCode,
  type GameEvent,
  MAX_ERROR_MESSAGE_LENGTH,
  MAX_EVENT_NAME_LENGTH,
  MAX_EVENTS_PER_MESSAGE,
  MAX_SERVER_MESSAGE_BYTES,
  MAX_TICK_RATE,
  MAX_UINT32,
  MAX_WIRE_VALUE_DEPTH,
  MsgType,
  NO_INPUT_ACK,
  type WelcomeMessage,
  type WireValue,
} from "../../src/protocol/index.js";
import { raw, serverSamples } from "./helpers.js";

function expectError(bytes: Uint8Array, code: ErrorCode, messagePart?: string): void {
  const result = decodeServerMessage(bytes);
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe(code);
  if (messagePart !== undefined) expect(result.error.message).toContain(messagePart);
}

const expectInvalidField = (envelope: unknown[], messagePart?: string) =>
  expectError(raw(envelope), ErrorCode.InvalidField, messagePart);
const expectAccepted = (envelope: unknown[]) => expect(decodeServerMessage(raw(envelope)).ok).toBe(true);

const welcome = serverSamples[0] as WelcomeMessage;
/** A Welcome envelope with one field replaced. */
function welcomeWith(index: number, value: unknown): unknown[] {
  const envelope: unknown[] = [
    MsgType.Welcome,
    welcome.entityId,
    welcome.resumeToken,
    welcome.tickRate,
    welcome.tick,
    welcome.serverTime,
    welcome.lastReliableId,
    welcome.lastEventSeq,
    welcome.resumed,
    welcome.world,
  ];
  envelope[index] = value;
  return envelope;
}

/** Event data nested `depth` arrays deep. */
function nestedData(depth: number): WireValue {
  let data: WireValue = 0;
  for (let i = 0; i < depth; i++) data = [data];
  return data;
}

describe("server messages round-trip", () => {
  it.each(serverSamples.map((msg) => [MsgType[msg.type], msg] as const))("%s", (_name, msg) => {
    expect(decodeServerMessage(encodeServerMessage(msg))).toEqual({ ok: true, value: msg });
  });

  it("round-trips a Welcome without game data", () => {
    const { data: _omitted, ...withoutData } = welcome;
    const decoded = decodeServerMessage(encodeServerMessage(withoutData));
    expect(decoded).toEqual({ ok: true, value: withoutData });
    expect(decoded.ok && "data" in decoded.value).toBe(false);
  });

  it("round-trips a Snapshot with no events, before any input was acked", () => {
    const msg = {
      type: MsgType.Snapshot,
      tick: 0,
      ackSeq: NO_INPUT_ACK,
      body: new Uint8Array(0),
      events: [],
      firstEventSeq: 0,
    } as const;
    expect(decodeServerMessage(encodeServerMessage(msg))).toEqual({ ok: true, value: msg });
  });

  it("decodes a snapshot body as a view of the frame's bytes, without copying", () => {
    const bytes = encodeServerMessage(serverSamples[1]);
    const decoded = decodeServerMessage(bytes);
    expect(decoded.ok && decoded.value.type === MsgType.Snapshot && decoded.value.body.buffer).toBe(bytes.buffer);
  });

  it("round-trips event data of every wire value type", () => {
    const events: GameEvent[] = [
      { name: "n", data: null },
      { name: "b", data: true },
      { name: "i", data: -123456 },
      { name: "f", data: 0.1 },
      { name: "s", data: "text" },
      { name: "bin", data: new Uint8Array([0, 255]) },
      { name: "list", data: [1, "two", [3]] },
      { name: "record", data: { a: { b: [null] } } },
    ];
    const msg = { type: MsgType.Events, firstEventSeq: 1, events } as const;
    expect(decodeServerMessage(encodeServerMessage(msg))).toEqual({ ok: true, value: msg });
  });
});

describe("server message envelope", () => {
  it("refuses an empty buffer", () => {
    expectError(new Uint8Array(0), ErrorCode.Malformed, "empty");
  });

  it(`refuses a frame over MAX_SERVER_MESSAGE_BYTES (${MAX_SERVER_MESSAGE_BYTES})`, () => {
    expectError(new Uint8Array(MAX_SERVER_MESSAGE_BYTES + 1), ErrorCode.TooLarge);
  });

  it("refuses a wrong type id: unknown or a client type", () => {
    expectError(raw([77]), ErrorCode.UnknownType, "77");
    expectError(raw([MsgType.Ping, 1]), ErrorCode.UnknownType);
  });

  it("refuses wrong arity for every message", () => {
    expectError(raw(welcomeWith(9, "w").slice(0, 9)), ErrorCode.Malformed, "Welcome takes 9 or 10 fields, got 8");
    expectError(raw([...welcomeWith(9, "w"), null, null]), ErrorCode.Malformed, "got 11");
    expectError(raw([MsgType.Snapshot, 1, 1, new Uint8Array(0), null]), ErrorCode.Malformed, "Snapshot");
    expectError(raw([MsgType.Pong, 1, 2, 0]), ErrorCode.Malformed, "Pong");
    expectError(raw([MsgType.Events, 1]), ErrorCode.Malformed, "Events");
    expectError(raw([MsgType.Error, ErrorCode.Malformed]), ErrorCode.Malformed, "Error");
  });
});

describe("Welcome validation", () => {
  it("refuses a entityId or tick that is not a uint32", () => {
    expectInvalidField(welcomeWith(1, -1), "entityId");
    expectInvalidField(welcomeWith(1, MAX_UINT32 + 1), "entityId");
    expectInvalidField(welcomeWith(4, 1.5), "tick");
  });

  it(`refuses a tick rate of zero, below zero, NaN or above MAX_TICK_RATE (${MAX_TICK_RATE})`, () => {
    expectAccepted(welcomeWith(3, MAX_TICK_RATE));
    expectInvalidField(welcomeWith(3, 0), "tickRate");
    expectInvalidField(welcomeWith(3, -20), "tickRate");
    expectInvalidField(welcomeWith(3, Number.NaN), "tickRate");
    expectInvalidField(welcomeWith(3, MAX_TICK_RATE + 1), "tickRate");
  });

  it("refuses an empty resume token, an infinite server time, a non-boolean resumed and an empty world", () => {
    expectInvalidField(welcomeWith(2, ""), "resumeToken");
    expectInvalidField(welcomeWith(5, Number.POSITIVE_INFINITY), "serverTime");
    expectInvalidField(welcomeWith(6, -1), "lastReliableId");
    expectInvalidField(welcomeWith(7, -1), "lastEventSeq");
    expectInvalidField(welcomeWith(8, 1), "resumed must be a boolean");
    expectInvalidField(welcomeWith(9, ""), "world");
  });
});

describe("Snapshot validation", () => {
  it("accepts ackSeq -1 (no input yet) through 65535", () => {
    expectAccepted([MsgType.Snapshot, 1, -1, new Uint8Array(0), null, 0]);
    expectAccepted([MsgType.Snapshot, 1, 65535, new Uint8Array(0), null, 0]);
  });

  it("refuses ackSeq -2, ackSeq 65536 and a non-integer ackSeq", () => {
    expectInvalidField([MsgType.Snapshot, 1, -2, new Uint8Array(0), null, 0], "ackSeq");
    expectInvalidField([MsgType.Snapshot, 1, 65536, new Uint8Array(0), null, 0], "ackSeq");
    expectInvalidField([MsgType.Snapshot, 1, 0.5, new Uint8Array(0), null, 0], "ackSeq");
  });

  it("accepts tick 2^32 - 1 and refuses tick 2^32 and a negative tick", () => {
    expectAccepted([MsgType.Snapshot, MAX_UINT32, 0, new Uint8Array(0), null, 0]);
    expectInvalidField([MsgType.Snapshot, MAX_UINT32 + 1, 0, new Uint8Array(0), null, 0], "tick");
    expectInvalidField([MsgType.Snapshot, -1, 0, new Uint8Array(0), null, 0], "tick");
  });

  it("refuses a body sent as text instead of binary", () => {
    expectInvalidField([MsgType.Snapshot, 1, 0, "body", null, 0], "body must be binary");
    expectInvalidField([MsgType.Snapshot, 1, 0, [1, 2], null, 0], "body must be binary");
  });

  it("refuses events that are neither a list nor nil", () => {
    expectInvalidField([MsgType.Snapshot, 1, 0, new Uint8Array(0), 5, 0], "events must be an array");
    expectInvalidField([MsgType.Events, 1, null], "events must be an array");
  });

  it("refuses a firstEventSeq that is not a uint32, and 0 when there are events", () => {
    const one = [["hit", 1]];
    expectAccepted([MsgType.Snapshot, 1, 0, new Uint8Array(0), one, MAX_UINT32]);
    expectInvalidField([MsgType.Snapshot, 1, 0, new Uint8Array(0), one, 0], "firstEventSeq");
    expectInvalidField([MsgType.Snapshot, 1, 0, new Uint8Array(0), one, MAX_UINT32 + 1], "firstEventSeq");
    expectInvalidField([MsgType.Snapshot, 1, 0, new Uint8Array(0), null, -1], "firstEventSeq");
    expectInvalidField([MsgType.Events, 0, one], "firstEventSeq");
    expectInvalidField([MsgType.Events, 1.5, one], "firstEventSeq");
  });
});

describe("event validation", () => {
  it("refuses an event that is not a [name, data] pair", () => {
    expectInvalidField([MsgType.Events, 1, [["hit"]]], "events[0]");
    expectInvalidField([MsgType.Events, 1, [["ok", 1], ["hit", 1, 2]]], "events[1]");
    expectInvalidField([MsgType.Events, 1, [{ name: "hit", data: 1 }]], "events[0]");
  });

  it(`refuses an empty event name and one over MAX_EVENT_NAME_LENGTH (${MAX_EVENT_NAME_LENGTH})`, () => {
    expectAccepted([MsgType.Events, 1, [["e".repeat(MAX_EVENT_NAME_LENGTH), null]]]);
    expectInvalidField([MsgType.Events, 1, [["", null]]], "event name");
    expectInvalidField([MsgType.Events, 1, [["e".repeat(MAX_EVENT_NAME_LENGTH + 1), null]]], "event name");
    expectInvalidField([MsgType.Events, 1, [[7, null]]], "event name");
  });

  it(`refuses more than MAX_EVENTS_PER_MESSAGE (${MAX_EVENTS_PER_MESSAGE}) events`, () => {
    const events = (count: number) => Array.from({ length: count }, () => ["e", 0]);
    expectAccepted([MsgType.Events, 1, events(MAX_EVENTS_PER_MESSAGE)]);
    expectInvalidField([MsgType.Events, 1, events(MAX_EVENTS_PER_MESSAGE + 1)], "at most");
  });

  it(`accepts event data nested MAX_WIRE_VALUE_DEPTH (${MAX_WIRE_VALUE_DEPTH}) deep and refuses one level more`, () => {
    expectAccepted([MsgType.Events, 1, [["deep", nestedData(MAX_WIRE_VALUE_DEPTH)]]]);
    expectError(raw([MsgType.Events, 1, [["deep", nestedData(MAX_WIRE_VALUE_DEPTH + 1)]]]), ErrorCode.Malformed, "nested");
  });

  it("refuses event data maps whose keys are not strings", () => {
    // fixmap of one entry with integer key 1: {1: 2}
    const bytes = Uint8Array.from([0x93, MsgType.Events, 0x01, 0x91, 0x92, 0xa1, 0x65, 0x81, 0x01, 0x02]);
    expectError(bytes, ErrorCode.Malformed, "map keys must be strings");
  });
});

describe("Error validation", () => {
  it("refuses an unknown error code", () => {
    expectInvalidField([MsgType.Error, 999, "?"], "code must be a known ErrorCode");
    expectInvalidField([MsgType.Error, "1", "?"], "code");
  });

  it(`accepts an empty message and refuses one over MAX_ERROR_MESSAGE_LENGTH (${MAX_ERROR_MESSAGE_LENGTH})`, () => {
    expectAccepted([MsgType.Error, ErrorCode.RateLimited, ""]);
    expectInvalidField([MsgType.Error, ErrorCode.RateLimited, "m".repeat(MAX_ERROR_MESSAGE_LENGTH + 1)], "message");
  });
});

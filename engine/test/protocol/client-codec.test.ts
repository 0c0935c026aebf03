import { describe, expect, it } from "vitest";
import {
  decodeClientMessage,
  defineInput,
  encodeClientMessage,
  ErrorCode,
  inputField,
  MAX_CHAT_LENGTH,
  MAX_CLIENT_MESSAGE_BYTES,
  MAX_COMMAND_ARG_LENGTH,
  MAX_COMMAND_ARGS,
  MAX_COMMAND_NAME_LENGTH,
  MAX_INPUT_FIELDS,
  MAX_NAME_LENGTH,
  MAX_RESUME_TOKEN_LENGTH,
  MAX_UINT32,
  MsgType,
} from "../../src/protocol/index.js";
import { clientSamples, raw } from "./helpers.js";

function expectError(bytes: Uint8Array, code: ErrorCode, messagePart?: string): void {
  const result = decodeClientMessage(bytes);
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe(code);
  if (messagePart !== undefined) expect(result.error.message).toContain(messagePart);
}

const expectInvalidField = (envelope: unknown[], messagePart?: string) =>
  expectError(raw(envelope), ErrorCode.InvalidField, messagePart);
const expectAccepted = (envelope: unknown[]) => expect(decodeClientMessage(raw(envelope)).ok).toBe(true);

describe("client messages round-trip", () => {
  it.each(clientSamples.map((msg) => [MsgType[msg.type], msg] as const))("%s", (_name, msg) => {
    expect(decodeClientMessage(encodeClientMessage(msg))).toEqual({ ok: true, value: msg });
  });

  it("decodes from an ArrayBuffer as uWebSockets.js hands it over", () => {
    const bytes = encodeClientMessage(clientSamples[0]);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
    expect(decodeClientMessage(buffer)).toEqual({ ok: true, value: clientSamples[0] });
  });

  it("encodes an Input as a flat array: [type, seq, ...values]", () => {
    const bytes = encodeClientMessage({ type: MsgType.Input, seq: 5, tick: 0, input: [1, 0, -1] });
    expect(Array.from(bytes)).toEqual(Array.from(raw([MsgType.Input, 5, 0, 1, 0, -1])));
  });

  it("decodes an Input into the game's input object when given its input schema", () => {
    const schema = defineInput({ dx: inputField.int(-1, 1), fire: inputField.bool() });
    const bytes = encodeClientMessage({ type: MsgType.Input, seq: 9, tick: 0, input: schema.encode({ dx: -1, fire: true }) });
    expect(decodeClientMessage(bytes, schema)).toEqual({
      ok: true,
      value: { type: MsgType.Input, seq: 9, tick: 0, input: { dx: -1, fire: true } },
    });
  });

  it("round-trips a Command with no args and with every arg type", () => {
    for (const args of [[], [null, true, false, 0, -3.5, "", "x"]]) {
      const msg = { type: MsgType.Command, rid: 1, name: "who", args } as const;
      expect(decodeClientMessage(encodeClientMessage(msg))).toEqual({ ok: true, value: msg });
    }
  });
});

describe("client message envelope", () => {
  it("refuses text instead of bytes", () => {
    const result = decodeClientMessage("[1,\"Ada\"]" as unknown as Uint8Array);
    expect(result).toEqual({ ok: false, error: { code: ErrorCode.Malformed, message: "expected binary bytes" } });
  });

  it("refuses an empty buffer", () => {
    expectError(new Uint8Array(0), ErrorCode.Malformed, "empty");
  });

  it(`refuses a frame over MAX_CLIENT_MESSAGE_BYTES (${MAX_CLIENT_MESSAGE_BYTES}) before decoding it`, () => {
    const tooLarge = new Uint8Array(MAX_CLIENT_MESSAGE_BYTES + 1).fill(0x90);
    expectError(tooLarge, ErrorCode.TooLarge, String(MAX_CLIENT_MESSAGE_BYTES));
  });

  it("refuses a message that is not an array", () => {
    expectError(raw({ type: 1, name: "Ada" }), ErrorCode.Malformed);
    expectError(raw(1), ErrorCode.Malformed);
    expectError(raw("Ada"), ErrorCode.Malformed);
  });

  it("refuses an empty array", () => {
    expectError(raw([]), ErrorCode.Malformed);
  });

  it("refuses trailing bytes after a valid message", () => {
    const valid = encodeClientMessage(clientSamples[0]);
    expectError(Uint8Array.from([...valid, 0x00]), ErrorCode.Malformed, "trailing");
  });

  it("refuses a wrong type id: unknown, a server type, not an integer", () => {
    expectError(raw([99, "Ada"]), ErrorCode.UnknownType, "99");
    expectError(raw([MsgType.Welcome, 1]), ErrorCode.UnknownType);
    expectError(raw(["1", "Ada"]), ErrorCode.UnknownType, "must be an integer");
    expectError(raw([1.5, "Ada"]), ErrorCode.UnknownType, "must be an integer");
    expectError(raw([null]), ErrorCode.UnknownType);
  });

  it("refuses wrong arity for every fixed-size message", () => {
    expectError(raw([MsgType.Join]), ErrorCode.Malformed, "Join takes 1 fields, got 0");
    expectError(raw([MsgType.Join, "Ada", "extra"]), ErrorCode.Malformed, "got 2");
    expectError(raw([MsgType.Resume, "t"]), ErrorCode.Malformed, "Resume");
    expectError(raw([MsgType.Ping, 1, 2, 3]), ErrorCode.Malformed, "Ping");
    expectError(raw([MsgType.Chat, 1]), ErrorCode.Malformed, "Chat");
    expectError(raw([MsgType.Input, 1]), ErrorCode.Malformed, "Input takes at least 2");
    expectError(raw([MsgType.Command, 1]), ErrorCode.Malformed, "Command takes at least 2");
  });
});

describe("Join and Resume validation", () => {
  it(`accepts a name of 1 to MAX_NAME_LENGTH (${MAX_NAME_LENGTH}) characters`, () => {
    expectAccepted([MsgType.Join, "A"]);
    expectAccepted([MsgType.Join, "n".repeat(MAX_NAME_LENGTH)]);
  });

  it("refuses an oversize name, an empty name and a non-string name", () => {
    expectInvalidField([MsgType.Join, "n".repeat(MAX_NAME_LENGTH + 1)], "name");
    expectInvalidField([MsgType.Join, ""], "name");
    expectInvalidField([MsgType.Join, 42], "name must be a string");
  });

  it("refuses a blank name and a name with control characters", () => {
    expectInvalidField([MsgType.Join, "   "], "blank");
    expectInvalidField([MsgType.Join, "Ada\n"], "control characters");
    expectInvalidField([MsgType.Join, "A\u0000da"], "control characters");
    expectInvalidField([MsgType.Join, "A\u0085da"], "control characters");
  });

  it.each([
    ["zero-width spaces and joiners", "\u200b\u200c\u200d"],
    ["bidi controls and isolates", "\u202e\u2066\u2069\u200f"],
    ["a BOM, word joiner and soft hyphen", "\ufeff\u2060\u00ad"],
    ["Hangul and Braille fillers", "\u3164\u2800"],
    ["combining marks with no base", "\u0301\u0308"],
  ])("refuses a name made only of %s, and accepts one with a visible character among them", (_name, invisible) => {
    expectInvalidField([MsgType.Join, invisible], "invisible");
    expectAccepted([MsgType.Join, `${invisible}Ada`]);
  });

  it("refuses an empty or oversize resume token", () => {
    expectAccepted([MsgType.Resume, "t".repeat(MAX_RESUME_TOKEN_LENGTH), 0]);
    expectInvalidField([MsgType.Resume, "", 0], "token");
    expectInvalidField([MsgType.Resume, "t".repeat(MAX_RESUME_TOKEN_LENGTH + 1), 0], "token");
  });

  it("refuses a resume's lastEventSeq that is not a uint32", () => {
    expectAccepted([MsgType.Resume, "t", MAX_UINT32]);
    expectInvalidField([MsgType.Resume, "t", -1], "lastEventSeq");
    expectInvalidField([MsgType.Resume, "t", MAX_UINT32 + 1], "lastEventSeq");
    expectInvalidField([MsgType.Resume, "t", "3"], "lastEventSeq");
  });
});

describe("Input validation", () => {
  it("accepts seq at both ends of the 16-bit range, 0 and 65535 (the wrap point)", () => {
    expectAccepted([MsgType.Input, 0, 0, 1]);
    expectAccepted([MsgType.Input, 65535, 0, 1]);
  });

  it("refuses seq 65536, a negative seq and a non-integer seq", () => {
    expectInvalidField([MsgType.Input, 65536, 0, 1], "seq must be an integer in 0..65535");
    expectInvalidField([MsgType.Input, -1, 0, 1], "seq");
    expectInvalidField([MsgType.Input, 1.5, 0, 1], "seq");
    expectInvalidField([MsgType.Input, "1", 0, 1], "seq");
  });

  it("accepts a tick of 0 (none) through 2^32 - 1 and refuses a negative, fractional or larger one", () => {
    expectAccepted([MsgType.Input, 1, MAX_UINT32, 1]);
    expectInvalidField([MsgType.Input, 1, -1, 1], "tick");
    expectInvalidField([MsgType.Input, 1, 2.5, 1], "tick");
    expectInvalidField([MsgType.Input, 1, MAX_UINT32 + 1, 1], "tick");
  });

  it("refuses NaN and Infinity input values", () => {
    expectInvalidField([MsgType.Input, 1, 0, Number.NaN], "input value must be a finite number");
    expectInvalidField([MsgType.Input, 1, 0, 0, Number.POSITIVE_INFINITY], "input value");
  });

  it(`refuses more than MAX_INPUT_FIELDS (${MAX_INPUT_FIELDS}) raw input values`, () => {
    expectAccepted([MsgType.Input, 1, 0, ...new Array(MAX_INPUT_FIELDS).fill(0)]);
    expectInvalidField([MsgType.Input, 1, 0, ...new Array(MAX_INPUT_FIELDS + 1).fill(0)], "more than");
  });

  it("refuses wrong input arity and input out of range against the game's schema", () => {
    const schema = defineInput({ dx: inputField.int(-1, 1), dy: inputField.int(-1, 1) });
    const decode = (envelope: unknown[]) => decodeClientMessage(raw(envelope), schema);
    expect(decode([MsgType.Input, 1, 0, 0, 0]).ok).toBe(true);
    expect(decode([MsgType.Input, 1, 0, 0])).toEqual({
      ok: false,
      error: { code: ErrorCode.InvalidField, message: "input has 1 values, expected 2", messageType: MsgType.Input },
    });
    expect(decode([MsgType.Input, 1, 0, 0, 5])).toMatchObject({ ok: false, error: { code: ErrorCode.InvalidField } });
  });

  it("refuses a nested array as an input value", () => {
    expectInvalidField([MsgType.Input, 1, 0, [0]], "input value");
  });
});

describe("failures name the message type", () => {
  it("tells a refused Join from other messages, so a server can answer it with a close", () => {
    expect(decodeClientMessage(raw([MsgType.Join, " \u200b "]))).toEqual({
      ok: false,
      error: { code: ErrorCode.InvalidField, message: "name must not be blank or invisible", messageType: MsgType.Join },
    });
    const garbage = decodeClientMessage(new Uint8Array([0xc1]));
    expect(garbage.ok === false && garbage.error.messageType).toBeUndefined();
  });
});

describe("Ping validation", () => {
  it("refuses NaN, Infinity and non-number client times", () => {
    expectInvalidField([MsgType.Ping, Number.NaN, 0], "clientTime must be a finite number");
    expectInvalidField([MsgType.Ping, Number.NEGATIVE_INFINITY, 0], "clientTime");
    expectInvalidField([MsgType.Ping, "12", 0], "clientTime");
  });

  it("refuses a ping's lastEventSeq that is not a uint32", () => {
    expectInvalidField([MsgType.Ping, 1, 0.5], "lastEventSeq");
    expectInvalidField([MsgType.Ping, 1, null], "lastEventSeq");
  });
});

describe("Chat and Command validation", () => {
  it("accepts rid from 1 to 2^32 - 1", () => {
    expectAccepted([MsgType.Chat, 1, "hi"]);
    expectAccepted([MsgType.Chat, MAX_UINT32, "hi"]);
  });

  it("refuses a negative rid, rid 0 (reserved for none), rid 2^32 and a non-integer rid", () => {
    expectInvalidField([MsgType.Chat, -1, "hi"], "rid");
    expectInvalidField([MsgType.Chat, 0, "hi"], "rid");
    expectInvalidField([MsgType.Chat, MAX_UINT32 + 1, "hi"], "rid");
    expectInvalidField([MsgType.Command, 2.5, "who"], "rid");
  });

  it(`refuses an empty chat, one over MAX_CHAT_LENGTH (${MAX_CHAT_LENGTH}) and one with control characters`, () => {
    expectAccepted([MsgType.Chat, 1, "c".repeat(MAX_CHAT_LENGTH)]);
    expectInvalidField([MsgType.Chat, 1, ""], "text");
    expectInvalidField([MsgType.Chat, 1, "c".repeat(MAX_CHAT_LENGTH + 1)], "text");
    expectInvalidField([MsgType.Chat, 1, "line\rbreak"], "control characters");
  });

  it("refuses an oversize command name and one with whitespace", () => {
    expectAccepted([MsgType.Command, 1, "c".repeat(MAX_COMMAND_NAME_LENGTH)]);
    expectInvalidField([MsgType.Command, 1, "c".repeat(MAX_COMMAND_NAME_LENGTH + 1)], "command name");
    expectInvalidField([MsgType.Command, 1, "give all"], "whitespace");
    expectInvalidField([MsgType.Command, 1, ""], "command name");
  });

  it(`refuses too many args: more than MAX_COMMAND_ARGS (${MAX_COMMAND_ARGS})`, () => {
    expectAccepted([MsgType.Command, 1, "x", ...new Array(MAX_COMMAND_ARGS).fill(1)]);
    expectInvalidField([MsgType.Command, 1, "x", ...new Array(MAX_COMMAND_ARGS + 1).fill(1)], "at most");
  });

  it(`refuses a string arg over MAX_COMMAND_ARG_LENGTH (${MAX_COMMAND_ARG_LENGTH})`, () => {
    expectAccepted([MsgType.Command, 1, "x", "a".repeat(MAX_COMMAND_ARG_LENGTH)]);
    expectInvalidField([MsgType.Command, 1, "x", "ok", "a".repeat(MAX_COMMAND_ARG_LENGTH + 1)], "args[1]");
  });

  it("refuses nested args: arrays and maps", () => {
    expectInvalidField([MsgType.Command, 1, "x", [1]], "args[0] must be null, a boolean, a finite number or a string");
    expectInvalidField([MsgType.Command, 1, "x", 1, { a: 1 }], "args[1]");
  });

  it("refuses NaN and Infinity args", () => {
    expectInvalidField([MsgType.Command, 1, "x", Number.NaN], "args[0]");
    expectInvalidField([MsgType.Command, 1, "x", Number.POSITIVE_INFINITY], "args[0]");
  });

  it("refuses binary args", () => {
    expectInvalidField([MsgType.Command, 1, "x", new Uint8Array([1])], "args[0]");
  });
});

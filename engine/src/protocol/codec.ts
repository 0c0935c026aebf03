import { ErrorCode, isErrorCode, MsgType } from "./codes.js";
import {
  MAX_CHAT_LENGTH,
  MAX_CLIENT_MESSAGE_BYTES,
  MAX_COMMAND_ARG_LENGTH,
  MAX_COMMAND_ARGS,
  MAX_COMMAND_NAME_LENGTH,
  MAX_ERROR_MESSAGE_LENGTH,
  MAX_EVENT_NAME_LENGTH,
  MAX_EVENTS_PER_MESSAGE,
  MAX_INPUT_FIELDS,
  MAX_INPUT_SEQ,
  MAX_NAME_LENGTH,
  MAX_RESUME_TOKEN_LENGTH,
  MAX_SERVER_MESSAGE_BYTES,
  MAX_TICK_RATE,
  MAX_UINT32,
  MAX_WIRE_VALUE_DEPTH,
  MAX_WORLD_ID_LENGTH,
  NO_INPUT_ACK,
} from "./constants.js";
import { type DecodeResult, failure, invalidField, malformed, ProtocolViolation } from "./errors.js";
import { boolean, displayText, expectArity, expectMinArity, finite, integer, text, word } from "./fields.js";
import type { InputSchema } from "./input.js";
import type {
  ClientMessage,
  CommandArg,
  GameEvent,
  InputMessage,
  ServerMessage,
  WelcomeMessage,
  WireValue,
} from "./messages.js";
import { packr, unpackr } from "./msgpack.js";
import { checkShape, startsWithArray } from "./shape.js";
import { eventTuples } from "./snapshot.js";

/**
 * Client messages are one flat array. The second level is allowed only so that a stray
 * nested value is reported as the invalid field it is.
 */
const MAX_CLIENT_NESTING = 2;
/** Envelope, events list, `[name, data]` pair, then the event data itself. */
const MAX_SERVER_NESTING = 3 + MAX_WIRE_VALUE_DEPTH;
const WELCOME_ARITY = 10;

const NO_EVENTS: readonly GameEvent[] = Object.freeze([]);

// Encoders trust their (typed) caller; the receiving side validates.

export function encodeClientMessage(msg: ClientMessage): Uint8Array {
  switch (msg.type) {
    case MsgType.Join:
      return packr.pack([MsgType.Join, msg.name]);
    case MsgType.Resume:
      return packr.pack([MsgType.Resume, msg.token, msg.lastEventSeq]);
    case MsgType.Input:
      return packr.pack([MsgType.Input, msg.seq, msg.tick, ...msg.input]);
    case MsgType.Ping:
      return packr.pack([MsgType.Ping, msg.clientTime, msg.lastEventSeq]);
    case MsgType.Chat:
      return packr.pack([MsgType.Chat, msg.rid, msg.text]);
    case MsgType.Command:
      return packr.pack([MsgType.Command, msg.rid, msg.name, ...msg.args]);
  }
}

/** For snapshots on the hot path, write straight into a ByteWriter with writeSnapshotMessage. */
export function encodeServerMessage(msg: ServerMessage): Uint8Array {
  switch (msg.type) {
    case MsgType.Welcome: {
      const envelope: unknown[] = [
        MsgType.Welcome,
        msg.entityId,
        msg.resumeToken,
        msg.tickRate,
        msg.tick,
        msg.serverTime,
        msg.lastReliableId,
        msg.lastEventSeq,
        msg.resumed,
        msg.world,
      ];
      if (msg.data !== undefined) envelope.push(msg.data);
      return packr.pack(envelope);
    }
    case MsgType.Snapshot:
      return packr.pack([
        MsgType.Snapshot,
        msg.tick,
        msg.ackSeq,
        msg.body,
        msg.events.length > 0 ? eventTuples(msg.events) : null,
        msg.events.length > 0 ? msg.firstEventSeq : 0,
      ]);
    case MsgType.Pong:
      return packr.pack([MsgType.Pong, msg.clientTime, msg.serverTime, msg.lastReliableId, msg.inputMarginMs]);
    case MsgType.Events:
      return packr.pack([MsgType.Events, msg.firstEventSeq, eventTuples(msg.events)]);
    case MsgType.Error:
      return packr.pack([MsgType.Error, msg.code, msg.message]);
  }
}

/**
 * Decodes and validates one client frame. Never throws. With the game's input schema, Input
 * messages carry the game's input object; without it, the raw finite values.
 */
export function decodeClientMessage(bytes: Uint8Array | ArrayBuffer): DecodeResult<ClientMessage>;
export function decodeClientMessage<I>(
  bytes: Uint8Array | ArrayBuffer,
  inputSchema: InputSchema<I>,
): DecodeResult<ClientMessage<I>>;
export function decodeClientMessage<I>(
  bytes: Uint8Array | ArrayBuffer,
  inputSchema?: InputSchema<I>,
): DecodeResult<ClientMessage<I | readonly number[]>> {
  let envelope: unknown[] | undefined;
  try {
    envelope = unpackEnvelope(bytes, MAX_CLIENT_MESSAGE_BYTES, MAX_CLIENT_NESTING);
    return { ok: true, value: readClientMessage(envelope, inputSchema) };
  } catch (error) {
    return failure(error, envelope?.[0]);
  }
}

/** Decodes and validates one server frame. Never throws. A snapshot's body views `bytes`. */
export function decodeServerMessage(bytes: Uint8Array | ArrayBuffer): DecodeResult<ServerMessage> {
  try {
    const envelope = unpackEnvelope(bytes, MAX_SERVER_MESSAGE_BYTES, MAX_SERVER_NESTING);
    return { ok: true, value: readServerMessage(envelope) };
  } catch (error) {
    return failure(error);
  }
}

function unpackEnvelope(bytes: unknown, maxBytes: number, maxNesting: number): unknown[] {
  const view = plainBytes(bytes);
  if (view.length === 0) throw malformed("empty message");
  if (view.length > maxBytes) {
    throw new ProtocolViolation(ErrorCode.TooLarge, `message of ${view.length} bytes exceeds ${maxBytes}`);
  }
  if (!startsWithArray(view)) throw malformed("a message is a [type, ...fields] array");
  checkShape(view, maxNesting);
  const envelope: unknown = unpackr.unpack(view);
  if (!Array.isArray(envelope) || envelope.length === 0) throw malformed("a message is a [type, ...fields] array");
  return envelope;
}

/**
 * A fresh plain Uint8Array over the caller's memory. Fresh, because msgpackr caches a DataView
 * on the object it reads; plain, because Node's Buffer subclass would otherwise leak into
 * decoded binary fields, where its `slice` shares memory instead of copying.
 */
function plainBytes(bytes: unknown): Uint8Array {
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (!(bytes instanceof Uint8Array)) throw malformed("expected binary bytes");
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function readClientMessage<I>(envelope: unknown[], inputSchema?: InputSchema<I>): ClientMessage<I | readonly number[]> {
  const type = envelope[0];
  switch (type) {
    case MsgType.Join:
      expectArity(envelope, 2, "Join");
      return { type: MsgType.Join, name: readPlayerName(envelope[1]) };
    case MsgType.Resume:
      expectArity(envelope, 3, "Resume");
      return {
        type: MsgType.Resume,
        token: text(envelope[1], "token", 1, MAX_RESUME_TOKEN_LENGTH),
        lastEventSeq: readEventSeq(envelope[2], 0, "lastEventSeq"),
      };
    case MsgType.Input:
      expectMinArity(envelope, 3, "Input");
      return readInput(envelope, inputSchema);
    case MsgType.Ping:
      expectArity(envelope, 3, "Ping");
      return {
        type: MsgType.Ping,
        clientTime: finite(envelope[1], "clientTime"),
        lastEventSeq: readEventSeq(envelope[2], 0, "lastEventSeq"),
      };
    case MsgType.Chat:
      expectArity(envelope, 3, "Chat");
      return {
        type: MsgType.Chat,
        rid: readReliableId(envelope[1]),
        text: displayText(envelope[2], "text", MAX_CHAT_LENGTH),
      };
    case MsgType.Command:
      expectMinArity(envelope, 3, "Command");
      return {
        type: MsgType.Command,
        rid: readReliableId(envelope[1]),
        name: word(envelope[2], "command name", MAX_COMMAND_NAME_LENGTH),
        args: readCommandArgs(envelope),
      };
    default:
      throw unknownType(type);
  }
}

function readServerMessage(envelope: unknown[]): ServerMessage {
  const type = envelope[0];
  switch (type) {
    case MsgType.Welcome:
      return readWelcome(envelope);
    case MsgType.Snapshot: {
      expectArity(envelope, 6, "Snapshot");
      const body = envelope[3];
      if (!(body instanceof Uint8Array)) throw invalidField("body must be binary");
      const events = envelope[4] === null ? NO_EVENTS : readEvents(envelope[4]);
      return {
        type: MsgType.Snapshot,
        tick: integer(envelope[1], 0, MAX_UINT32, "tick"),
        ackSeq: integer(envelope[2], NO_INPUT_ACK, MAX_INPUT_SEQ, "ackSeq"),
        body,
        events,
        firstEventSeq: readEventSeq(envelope[5], events.length > 0 ? 1 : 0, "firstEventSeq"),
      };
    }
    case MsgType.Pong:
      expectArity(envelope, 5, "Pong");
      return {
        type: MsgType.Pong,
        clientTime: finite(envelope[1], "clientTime"),
        serverTime: finite(envelope[2], "serverTime"),
        lastReliableId: integer(envelope[3], 0, MAX_UINT32, "lastReliableId"),
        inputMarginMs: envelope[4] === null ? null : finite(envelope[4], "inputMarginMs"),
      };
    case MsgType.Events:
      expectArity(envelope, 3, "Events");
      return {
        type: MsgType.Events,
        firstEventSeq: readEventSeq(envelope[1], 1, "firstEventSeq"),
        events: readEvents(envelope[2]),
      };
    case MsgType.Error: {
      expectArity(envelope, 3, "Error");
      const code = envelope[1];
      if (!isErrorCode(code)) throw invalidField("code must be a known ErrorCode");
      return { type: MsgType.Error, code, message: text(envelope[2], "message", 0, MAX_ERROR_MESSAGE_LENGTH) };
    }
    default:
      throw unknownType(type);
  }
}

function unknownType(type: unknown): ProtocolViolation {
  const what = Number.isInteger(type) ? `unknown message type ${type}` : "message type must be an integer";
  return new ProtocolViolation(ErrorCode.UnknownType, what);
}

/**
 * What renders as nothing: whitespace, format controls (zero-width characters, bidi
 * controls, BOM, soft hyphen), combining marks with no base, and the Hangul and Braille
 * fillers that fonts draw as blanks.
 */
const INVISIBLE = /[\s\p{Cf}\p{Mn}\p{Me}\u115f\u1160\u3164\uffa0\u2800]/gu;

function readPlayerName(value: unknown): string {
  const name = displayText(value, "name", MAX_NAME_LENGTH);
  if (name.replace(INVISIBLE, "").length === 0) throw invalidField("name must not be blank or invisible");
  return name;
}

/** Reliable ids start at 1, so a Welcome's lastReliableId of 0 means none yet. */
function readReliableId(value: unknown): number {
  return integer(value, 1, MAX_UINT32, "rid");
}

/** Event seqs start at 1; 0 stands for "none" where `min` allows it. */
function readEventSeq(value: unknown, min: 0 | 1, name: string): number {
  return integer(value, min, MAX_UINT32, name);
}

function readInput<I>(envelope: unknown[], inputSchema?: InputSchema<I>): InputMessage<I | readonly number[]> {
  const seq = integer(envelope[1], 0, MAX_INPUT_SEQ, "seq");
  const tick = integer(envelope[2], 0, MAX_UINT32, "tick");
  const values = envelope.slice(3);
  if (inputSchema) {
    const result = inputSchema.validate(values);
    if (!result.ok) throw new ProtocolViolation(result.error.code, result.error.message);
    return { type: MsgType.Input, seq, tick, input: result.value };
  }
  if (values.length > MAX_INPUT_FIELDS) throw invalidField(`input has more than ${MAX_INPUT_FIELDS} values`);
  for (const value of values) finite(value, "input value");
  return { type: MsgType.Input, seq, tick, input: values as number[] };
}

function readCommandArgs(envelope: unknown[]): CommandArg[] {
  const args = envelope.slice(3);
  if (args.length > MAX_COMMAND_ARGS) throw invalidField(`a command takes at most ${MAX_COMMAND_ARGS} args`);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg === "string") {
      if (arg.length > MAX_COMMAND_ARG_LENGTH) {
        throw invalidField(`args[${i}] must be at most ${MAX_COMMAND_ARG_LENGTH} characters`);
      }
    } else if (!(arg === null || typeof arg === "boolean" || (typeof arg === "number" && Number.isFinite(arg)))) {
      throw invalidField(`args[${i}] must be null, a boolean, a finite number or a string`);
    }
  }
  return args as CommandArg[];
}

function readWelcome(envelope: unknown[]): WelcomeMessage {
  if (envelope.length !== WELCOME_ARITY && envelope.length !== WELCOME_ARITY + 1) {
    throw malformed(`Welcome takes ${WELCOME_ARITY - 1} or ${WELCOME_ARITY} fields, got ${envelope.length - 1}`);
  }
  const tickRate = finite(envelope[3], "tickRate");
  if (tickRate <= 0 || tickRate > MAX_TICK_RATE) throw invalidField(`tickRate must be in (0, ${MAX_TICK_RATE}]`);
  const welcome: WelcomeMessage = {
    type: MsgType.Welcome,
    entityId: integer(envelope[1], 0, MAX_UINT32, "entityId"),
    resumeToken: text(envelope[2], "resumeToken", 1, MAX_RESUME_TOKEN_LENGTH),
    tickRate,
    tick: integer(envelope[4], 0, MAX_UINT32, "tick"),
    serverTime: finite(envelope[5], "serverTime"),
    lastReliableId: integer(envelope[6], 0, MAX_UINT32, "lastReliableId"),
    lastEventSeq: readEventSeq(envelope[7], 0, "lastEventSeq"),
    resumed: boolean(envelope[8], "resumed"),
    world: text(envelope[9], "world", 1, MAX_WORLD_ID_LENGTH),
  };
  // checkShape admitted only nil, booleans, numbers, strings, binary, arrays and string-keyed maps.
  return envelope.length > WELCOME_ARITY ? { ...welcome, data: envelope[WELCOME_ARITY] as WireValue } : welcome;
}

function readEvents(value: unknown): GameEvent[] {
  if (!Array.isArray(value)) throw invalidField("events must be an array");
  if (value.length > MAX_EVENTS_PER_MESSAGE) throw invalidField(`at most ${MAX_EVENTS_PER_MESSAGE} events per message`);
  const events = new Array<GameEvent>(value.length);
  for (let i = 0; i < value.length; i++) {
    const pair: unknown = value[i];
    if (!Array.isArray(pair) || pair.length !== 2) throw invalidField(`events[${i}] must be a [name, data] pair`);
    // Data passed checkShape, which admits only WireValues.
    events[i] = { name: text(pair[0], "event name", 1, MAX_EVENT_NAME_LENGTH), data: pair[1] as WireValue };
  }
  return events;
}

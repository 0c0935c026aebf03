import type { ByteWriter } from "../binary/writer.js";
import { MsgType } from "./codes.js";
import { MAX_INPUT_SEQ, MAX_UINT32, NO_INPUT_ACK } from "./constants.js";
import type { GameEvent } from "./messages.js";
import { packr } from "./msgpack.js";

// The snapshot envelope `[MsgType.Snapshot, tick, ackSeq, <bin body>, events | nil, firstEventSeq]` written
// by hand, byte for byte what msgpackr writes, so the server can splice pre-encoded body
// chunks and events without re-encoding them.

const FIXARRAY_6 = 0x96;
const NIL = 0xc0;
const UINT8 = 0xcc;
const UINT16 = 0xcd;
const UINT32 = 0xce;
const BIN8 = 0xc4;
const BIN16 = 0xc5;
const BIN32 = 0xc6;
const NEGATIVE_ONE = 0xff;
const MAX_FIXINT = 0x7f;
/** fixarray tag + type + uint32 tick + uint16 ackSeq. */
const MAX_START_BYTES = 1 + 1 + 5 + 3;
/** A uint32 as msgpack: tag + 4 bytes. */
const MAX_UINT32_BYTES = 5;
/** The largest bin header: tag + 4-byte length. */
const BIN32_HEADER_BYTES = 5;

/**
 * Writes a whole Snapshot message whose body is the concatenation of `bodyParts` (e.g. the
 * pre-encoded chunks of the interest cells a client sees plus its own part), ending with
 * `encodedEvents` from encodeEvents, or nil when there are none, and the first event's
 * session sequence number (written 0 when there are no events).
 */
export function writeSnapshotMessage(
  w: ByteWriter,
  tick: number,
  ackSeq: number,
  bodyParts: readonly Uint8Array[],
  encodedEvents?: Uint8Array | null,
  firstEventSeq = 0,
): void {
  let bodyLength = 0;
  for (const part of bodyParts) bodyLength += part.length;
  writeEnvelopeStart(w, tick, ackSeq);
  w.ensure(BIN32_HEADER_BYTES);
  w.length = putBinHeader(w.bytes, w.length, bodyLength);
  for (const part of bodyParts) w.raw(part);
  writeEvents(w, encodedEvents, firstEventSeq);
}

/**
 * Starts a Snapshot message whose body the caller then writes straight into `w` (e.g. with
 * the state module's encodeDelta). Returns the mark to pass to endSnapshotMessage.
 */
export function beginSnapshotMessage(w: ByteWriter, tick: number, ackSeq: number): number {
  writeEnvelopeStart(w, tick, ackSeq);
  w.ensure(BIN32_HEADER_BYTES);
  const mark = w.length;
  w.length += BIN32_HEADER_BYTES;
  return mark;
}

/**
 * Finishes a message begun with beginSnapshotMessage: everything written since is the body.
 * Writes the body's bin header, the events (or nil) and the first event's sequence number.
 */
export function endSnapshotMessage(
  w: ByteWriter,
  mark: number,
  encodedEvents?: Uint8Array | null,
  firstEventSeq = 0,
): void {
  const bodyStart = mark + BIN32_HEADER_BYTES;
  if (!Number.isInteger(mark) || mark < 0 || bodyStart > w.length) {
    throw new RangeError(`mark ${mark} does not come from beginSnapshotMessage on this writer`);
  }
  const bodyLength = w.length - bodyStart;
  const headerBytes = binHeaderBytes(bodyLength);
  if (headerBytes < BIN32_HEADER_BYTES) {
    // Slide the body back so the header is as short as msgpackr would make it.
    w.bytes.copyWithin(mark + headerBytes, bodyStart, w.length);
    w.length -= BIN32_HEADER_BYTES - headerBytes;
  }
  putBinHeader(w.bytes, mark, bodyLength);
  writeEvents(w, encodedEvents, firstEventSeq);
}

/**
 * The msgpack bytes of an events list, encoded once per client and spliced into its
 * snapshot (or sent alone in an Events message).
 */
export function encodeEvents(events: readonly GameEvent[]): Uint8Array {
  return packr.pack(eventTuples(events));
}

/** Events as `[name, data]` pairs, their wire form. */
export function eventTuples(events: readonly GameEvent[]): unknown[] {
  const tuples = new Array<unknown>(events.length);
  for (let i = 0; i < events.length; i++) tuples[i] = [events[i].name, events[i].data];
  return tuples;
}

/** `[MsgType.Snapshot, tick, ackSeq,` — the envelope up to the body. */
function writeEnvelopeStart(w: ByteWriter, tick: number, ackSeq: number): void {
  if (!Number.isInteger(tick) || tick < 0 || tick > MAX_UINT32) throw new RangeError(`tick ${tick} is not a uint32`);
  if (!Number.isInteger(ackSeq) || ackSeq < NO_INPUT_ACK || ackSeq > MAX_INPUT_SEQ) {
    throw new RangeError(`ackSeq ${ackSeq} is not in ${NO_INPUT_ACK}..${MAX_INPUT_SEQ}`);
  }
  w.ensure(MAX_START_BYTES);
  const bytes = w.bytes;
  let at = w.length;
  bytes[at++] = FIXARRAY_6;
  bytes[at++] = MsgType.Snapshot;
  at = putUint(bytes, at, tick);
  if (ackSeq === NO_INPUT_ACK) bytes[at++] = NEGATIVE_ONE;
  else at = putUint(bytes, at, ackSeq);
  w.length = at;
}

function writeEvents(w: ByteWriter, encodedEvents: Uint8Array | null | undefined, firstEventSeq: number): void {
  if (!encodedEvents) {
    w.u8(NIL);
    w.u8(0);
    return;
  }
  if (!Number.isInteger(firstEventSeq) || firstEventSeq < 1 || firstEventSeq > MAX_UINT32) {
    throw new RangeError(`firstEventSeq ${firstEventSeq} is not in 1..${MAX_UINT32}`);
  }
  w.raw(encodedEvents);
  w.ensure(MAX_UINT32_BYTES);
  w.length = putUint(w.bytes, w.length, firstEventSeq);
}

function binHeaderBytes(length: number): number {
  if (length <= 0xff) return 2;
  if (length <= 0xffff) return 3;
  return BIN32_HEADER_BYTES;
}

function putBinHeader(bytes: Uint8Array, at: number, length: number): number {
  if (length <= 0xff) {
    bytes[at] = BIN8;
    bytes[at + 1] = length;
    return at + 2;
  }
  if (length <= 0xffff) {
    bytes[at] = BIN16;
    return putBigEndian(bytes, at + 1, length, 2);
  }
  bytes[at] = BIN32;
  return putBigEndian(bytes, at + 1, length, 4);
}

function putUint(bytes: Uint8Array, at: number, value: number): number {
  if (value <= MAX_FIXINT) {
    bytes[at] = value;
    return at + 1;
  }
  if (value <= 0xff) {
    bytes[at] = UINT8;
    bytes[at + 1] = value;
    return at + 2;
  }
  if (value <= 0xffff) {
    bytes[at] = UINT16;
    return putBigEndian(bytes, at + 1, value, 2);
  }
  bytes[at] = UINT32;
  return putBigEndian(bytes, at + 1, value, 4);
}

function putBigEndian(bytes: Uint8Array, at: number, value: number, size: number): number {
  for (let i = size - 1; i >= 0; i--) {
    bytes[at + i] = value & 0xff;
    value = Math.floor(value / 0x100);
  }
  return at + size;
}

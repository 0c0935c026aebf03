import { describe, expect, it } from "vitest";
import { ByteWriter } from "../../src/binary/writer.js";
import {
  beginSnapshotMessage,
  decodeServerMessage,
  encodeEvents,
  encodeServerMessage,
  endSnapshotMessage,
  type GameEvent,
  MAX_UINT32,
  MsgType,
  NO_INPUT_ACK,
  type SnapshotMessage,
  writeSnapshotMessage,
} from "../../src/protocol/index.js";

const EVENTS: readonly GameEvent[] = [
  { name: "damage", data: { target: 3, amount: 7 } },
  { name: "loot", data: ["gold", 25] },
];
/** A session's event sequence number far enough along to take a uint32 tag. */
const FIRST_EVENT_SEQ = 70_000;

/** A body whose bytes differ position by position, so misplaced bytes show. */
function body(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + 7) & 0xff);
}

/** Byte equality without a deep-equality walk over 64 KiB arrays. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

type FastPath = (
  tick: number,
  ackSeq: number,
  parts: readonly Uint8Array[],
  events?: readonly GameEvent[],
  firstEventSeq?: number,
) => Uint8Array;

/** writeSnapshotMessage: the body as parts whose lengths are known up front. */
const withParts: FastPath = (tick, ackSeq, parts, events, firstEventSeq = FIRST_EVENT_SEQ) => {
  const w = new ByteWriter(16);
  writeSnapshotMessage(w, tick, ackSeq, parts, events ? encodeEvents(events) : null, firstEventSeq);
  return w.copy();
};

/** begin/endSnapshotMessage: the body written straight into the writer, its length found at the end. */
const writtenInPlace: FastPath = (tick, ackSeq, parts, events, firstEventSeq = FIRST_EVENT_SEQ) => {
  const w = new ByteWriter(16);
  const mark = beginSnapshotMessage(w, tick, ackSeq);
  for (const part of parts) w.raw(part);
  endSnapshotMessage(w, mark, events ? encodeEvents(events) : null, firstEventSeq);
  return w.copy();
};

const fastPaths: [string, FastPath][] = [
  ["writeSnapshotMessage", withParts],
  ["begin/endSnapshotMessage", writtenInPlace],
];

describe.each(fastPaths)("%s (snapshot fast path)", (_name, fastPath) => {
  const cases = [0, 1, 255, 256, 65535, 65536].flatMap((length) => [
    [length, false],
    [length, true],
  ]) as [number, boolean][];

  it.each(cases)("writes a %i-byte body (with events: %s) that plain msgpackr decodes exactly", (length, withEvents) => {
    const events = withEvents ? EVENTS : [];
    const firstEventSeq = withEvents ? FIRST_EVENT_SEQ : 0;
    const bytes = fastPath(123_456, 789, [body(length)], withEvents ? events : undefined);
    const decoded = decodeServerMessage(bytes);
    if (!decoded.ok || decoded.value.type !== MsgType.Snapshot) throw new Error(`not a snapshot: ${JSON.stringify(decoded)}`);
    const { body: decodedBody, ...envelope } = decoded.value;
    expect(envelope).toEqual({ type: MsgType.Snapshot, tick: 123_456, ackSeq: 789, events, firstEventSeq });
    expect(sameBytes(decodedBody, body(length))).toBe(true);
    const expected: SnapshotMessage = {
      type: MsgType.Snapshot,
      tick: 123_456,
      ackSeq: 789,
      body: body(length),
      events,
      firstEventSeq,
    };
    expect(sameBytes(bytes, encodeServerMessage(expected))).toBe(true);
  });

  it.each([0, 127, 128, 255, 256, 65535, 65536, MAX_UINT32])("writes tick %i with the integer tag msgpackr uses", (tick) => {
    const msg: SnapshotMessage = { type: MsgType.Snapshot, tick, ackSeq: 0, body: body(3), events: [], firstEventSeq: 0 };
    expect(sameBytes(fastPath(tick, 0, [body(3)]), encodeServerMessage(msg))).toBe(true);
  });

  it.each([NO_INPUT_ACK, 0, 127, 128, 255, 256, 65535])("writes ackSeq %i with the integer tag msgpackr uses", (ackSeq) => {
    const msg: SnapshotMessage = { type: MsgType.Snapshot, tick: 1, ackSeq, body: body(3), events: [], firstEventSeq: 0 };
    expect(sameBytes(fastPath(1, ackSeq, [body(3)]), encodeServerMessage(msg))).toBe(true);
  });

  it.each([1, 127, 128, 255, 256, 65535, 65536, MAX_UINT32])("writes firstEventSeq %i with the integer tag msgpackr uses", (seq) => {
    const msg: SnapshotMessage = { type: MsgType.Snapshot, tick: 1, ackSeq: 0, body: body(3), events: EVENTS, firstEventSeq: seq };
    expect(sameBytes(fastPath(1, 0, [body(3)], EVENTS, seq), encodeServerMessage(msg))).toBe(true);
  });

  it("refuses events without a firstEventSeq in 1..2^32-1", () => {
    for (const seq of [0, -1, 1.5, MAX_UINT32 + 1]) expect(() => fastPath(1, 0, [body(3)], EVENTS, seq)).toThrow(RangeError);
  });

  it("concatenates body parts, including empty ones, into one bin body", () => {
    const parts = [body(300), new Uint8Array(0), body(5), body(70_000)];
    const decoded = decodeServerMessage(fastPath(9, 1, parts, EVENTS));
    const joined = new Uint8Array(70_305);
    joined.set(parts[0], 0);
    joined.set(parts[2], 300);
    joined.set(parts[3], 305);
    expect(decoded.ok && decoded.value.type === MsgType.Snapshot && sameBytes(decoded.value.body, joined)).toBe(true);
  });
});

describe("snapshot fast path on a shared writer", () => {
  it("appends after what the writer already holds and writes identical bytes after reset", () => {
    const single = withParts(5, 5, [body(4)]);
    const w = new ByteWriter();
    w.u8(0xaa);
    writeSnapshotMessage(w, 5, 5, [body(4)]);
    const mark = beginSnapshotMessage(w, 5, 5);
    w.raw(body(4));
    endSnapshotMessage(w, mark);
    const written = w.copy();
    expect(written[0]).toBe(0xaa);
    expect(sameBytes(written.subarray(1, 1 + single.length), single)).toBe(true);
    expect(sameBytes(written.subarray(1 + single.length), single)).toBe(true);
    w.reset();
    writeSnapshotMessage(w, 5, 5, [body(4)]);
    expect(sameBytes(w.copy(), single)).toBe(true);
  });

  it("refuses a tick that is not a uint32 and an ackSeq outside -1..65535, writing nothing", () => {
    const w = new ByteWriter();
    expect(() => writeSnapshotMessage(w, MAX_UINT32 + 1, 0, [])).toThrow(RangeError);
    expect(() => writeSnapshotMessage(w, -1, 0, [])).toThrow(RangeError);
    expect(() => writeSnapshotMessage(w, 1.5, 0, [])).toThrow(RangeError);
    expect(() => beginSnapshotMessage(w, 1, -2)).toThrow(RangeError);
    expect(() => beginSnapshotMessage(w, 1, 65536)).toThrow(RangeError);
    expect(w.length).toBe(0);
  });

  it("refuses to end a snapshot at a mark the writer has not reached", () => {
    const w = new ByteWriter();
    const mark = beginSnapshotMessage(w, 1, 0);
    w.reset();
    expect(() => endSnapshotMessage(w, mark)).toThrow(RangeError);
    expect(() => endSnapshotMessage(w, -1)).toThrow(RangeError);
  });
});

describe("encodeEvents", () => {
  it("encodes events once so the same bytes splice into several clients' snapshots", () => {
    const encoded = encodeEvents(EVENTS);
    for (const tick of [1, 2, 3]) {
      const w = new ByteWriter();
      writeSnapshotMessage(w, tick, 0, [body(2)], encoded, tick);
      const decoded = decodeServerMessage(w.copy());
      expect(decoded).toEqual({
        ok: true,
        value: { type: MsgType.Snapshot, tick, ackSeq: 0, body: body(2), events: EVENTS, firstEventSeq: tick },
      });
    }
  });

  it("writes the same events bytes an Events message carries", () => {
    const events = encodeServerMessage({ type: MsgType.Events, firstEventSeq: 1, events: EVENTS });
    // An Events message is a fixarray of 3, its type id, the first seq (a fixint here), then the events list.
    expect(sameBytes(events.subarray(3), encodeEvents(EVENTS))).toBe(true);
  });

  it("keeps earlier results intact when encoding again", () => {
    const first = encodeEvents(EVENTS);
    const copy = Uint8Array.from(first);
    for (let i = 0; i < 1000; i++) encodeEvents([{ name: `e${i}`, data: "x".repeat(i % 50) }]);
    expect(sameBytes(first, copy)).toBe(true);
  });
});

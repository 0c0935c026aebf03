import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteWriter } from "../../src/binary/writer.js";
import {
  type DecodeResult,
  decodeClientMessage,
  decodeServerMessage,
  encodeClientMessage,
  encodeEvents,
  encodeServerMessage,
  ErrorCode,
  MsgType,
  writeSnapshotMessage,
} from "../../src/protocol/index.js";
import { bytesOf, clientSamples, raw, serverSamples } from "./helpers.js";

type Decoder = (bytes: Uint8Array) => DecodeResult<unknown>;
const decoders: [string, Decoder][] = [
  ["decodeClientMessage", decodeClientMessage],
  ["decodeServerMessage", decodeServerMessage],
];

/** Decodes and checks the result is a well-formed DecodeResult; a throw fails the test. */
function decodeSafely(decode: Decoder, bytes: Uint8Array): DecodeResult<unknown> {
  const result = decode(bytes);
  if (result.ok) expect(result.value).toBeTypeOf("object");
  else expect(ErrorCode[result.error.code]).toBeTypeOf("string");
  return result;
}

/** Runs `decode` `times` times and returns the elapsed milliseconds. */
function timeDecodes(decode: Decoder, bytes: Uint8Array, times: number): number {
  const start = performance.now();
  for (let i = 0; i < times; i++) decode(bytes);
  return performance.now() - start;
}

const FOUR_GIB_CLAIMS: [string, Uint8Array][] = [
  ["array32 as the whole frame", bytesOf(0xdd, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5)],
  ["array32 inside an envelope", bytesOf(0x92, MsgType.Command, 0xdd, 0xff, 0xff, 0xff, 0xff, 1, 2, 3)],
  ["map32 inside an envelope", bytesOf(0x92, MsgType.Events, 0xdf, 0xff, 0xff, 0xff, 0xff, 1, 2, 3)],
  ["str32 inside an envelope", bytesOf(0x92, MsgType.Join, 0xdb, 0xff, 0xff, 0xff, 0xff, 0x61, 0x62, 0x63)],
  ["bin32 inside a snapshot", bytesOf(0x96, MsgType.Snapshot, 1, 0xff, 0xc6, 0xff, 0xff, 0xff, 0xff, 0)],
];

/** A valid sample message of every type and the decoder for its direction. */
const validFrames: [string, Decoder, Uint8Array][] = [
  ...clientSamples.map((msg) => [MsgType[msg.type], decodeClientMessage, encodeClientMessage(msg)] as [string, Decoder, Uint8Array]),
  ...serverSamples.map((msg) => [MsgType[msg.type], decodeServerMessage, encodeServerMessage(msg)] as [string, Decoder, Uint8Array]),
];

describe("hostile input", () => {
  describe.each(decoders)("%s", (_name, decode) => {
    it.each(FOUR_GIB_CLAIMS)("refuses a 10-byte frame claiming 4 GiB (%s) at its header, fast", (_claim, bytes) => {
      expect(bytes.length).toBe(10);
      const result = decode(bytes);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.code).toBe(ErrorCode.Malformed);
      expect(result.error.message).toMatch(/claims 4294967295 (entries|bytes)/);
      // Refusing at the header takes microseconds; allocating or scanning 4 GiB takes seconds.
      expect(timeDecodes(decode, bytes, 1000)).toBeLessThan(1000);
    });

    it("never throws on random garbage bytes", () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 96 }), (bytes) => {
          decodeSafely(decode, bytes);
        }),
        { numRuns: 3000 },
      );
    });

    it("never throws on garbage that starts like a message array", () => {
      fc.assert(
        fc.property(fc.integer({ min: 0x90, max: 0x9f }), fc.uint8Array({ maxLength: 64 }), (tag, rest) => {
          decodeSafely(decode, Uint8Array.from([tag, ...rest]));
        }),
        { numRuns: 3000 },
      );
    });

    it("never throws on any msgpack value", () => {
      fc.assert(
        fc.property(fc.anything({ withTypedArray: true, withNullPrototype: true }), (value) => {
          decodeSafely(decode, raw(value));
          decodeSafely(decode, raw([MsgType.Command, 1, "x", value]));
          decodeSafely(decode, raw([MsgType.Events, [["e", value]]]));
        }),
        { numRuns: 500 },
      );
    });

    it("refuses extension types: records, undefined, timestamps", () => {
      const extensions = [
        bytesOf(0x92, MsgType.Join, 0xd4, 0x72, 0x40), // record definition
        bytesOf(0x92, MsgType.Join, 0xd4, 0x00, 0x00), // undefined
        bytesOf(0x93, MsgType.Ping, 0xd6, 0xff, 0, 0, 0, 1, 0), // timestamp
        bytesOf(0x92, MsgType.Join, 0xc7, 0x01, 0x65, 0x90), // ext8 Error
        bytesOf(0x92, MsgType.Join, 0xc1), // never-used tag
      ];
      for (const bytes of extensions) {
        const result = decode(bytes);
        expect(result.ok).toBe(false);
        expect(!result.ok && result.error.message).toContain("not part of the protocol");
      }
    });

    it("refuses 8,000 nested arrays without exhausting the stack", () => {
      const depth = 8000;
      const bytes = new Uint8Array(depth + 3);
      bytes[0] = 0x92;
      bytes[1] = MsgType.Events;
      bytes.fill(0x91, 2, depth + 2);
      bytes[depth + 2] = 0x90;
      const result = decode(bytes);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error.message).toContain("nested deeper");
    });
  });

  it.each(validFrames)("refuses a %s message truncated at every length", (_name, decode, bytes) => {
    expect(decode(bytes).ok).toBe(true);
    for (let length = 0; length < bytes.length; length++) {
      const result = decodeSafely(decode, bytes.slice(0, length));
      expect(result.ok).toBe(false);
    }
  });

  it("refuses a fast-path snapshot truncated at every length", () => {
    const w = new ByteWriter();
    writeSnapshotMessage(w, 70_000, -1, [new Uint8Array(300).fill(7)], encodeEvents([{ name: "hit", data: 3 }]), 70_000);
    const bytes = w.copy();
    expect(decodeServerMessage(bytes).ok).toBe(true);
    for (let length = 0; length < bytes.length; length++) {
      expect(decodeSafely(decodeServerMessage, bytes.slice(0, length)).ok).toBe(false);
    }
  });

  it.each(validFrames)("never throws on a %s message with random bytes replaced", (_name, decode, bytes) => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const mutated = Uint8Array.from(bytes);
          for (const [index, value] of edits) mutated[index] = value;
          decodeSafely(decode, mutated);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("leaves the caller's bytes object as it was", () => {
    const bytes = Uint8Array.from(encodeServerMessage(serverSamples[1]));
    decodeServerMessage(bytes);
    decodeClientMessage(bytes);
    expect(Object.keys(bytes)).toHaveLength(bytes.length);
  });

  it("does not carry state from one decode into the next", () => {
    const join = encodeClientMessage(clientSamples[0]);
    const before = decodeClientMessage(join);
    for (const garbage of [bytesOf(0x92, 0x01, 0xd4, 0x72, 0x40), bytesOf(0x93, 0x01), raw([1, 2, 3])]) {
      decodeClientMessage(garbage);
    }
    expect(decodeClientMessage(join)).toEqual(before);
  });
});

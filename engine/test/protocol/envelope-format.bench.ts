// Flat arrays versus msgpackr records for the envelopes sent most often: the measurement
// behind the codec's choice of flat arrays. Run: cd engine && npx vitest bench --run test/protocol
import { Packr, Unpackr } from "msgpackr";
import { bench, describe } from "vitest";
import { ByteWriter } from "../../src/binary/writer.js";
import {
  beginSnapshotMessage,
  decodeClientMessage,
  decodeServerMessage,
  defineInput,
  encodeClientMessage,
  encodeServerMessage,
  endSnapshotMessage,
  inputField,
  MsgType,
  writeSnapshotMessage,
} from "../../src/protocol/index.js";

type Variant = { name: string; pack: (value: unknown) => Uint8Array; unpack: (bytes: Uint8Array) => unknown };

/** Record keys per message; each message type gets its own structure, so the record id is its type. */
const STRUCTURES = [["seq", "input"], ["clientTime"], ["tick", "ackSeq", "body", "events"]];

function variant(name: string, options: ConstructorParameters<typeof Packr>[0] & object, shared = false): Variant {
  const structures = () => STRUCTURES.map((keys) => [...keys]);
  const sharing = shared ? { structures: structures(), maxSharedStructures: STRUCTURES.length } : {};
  const packr = new Packr({ ...options, ...sharing });
  const unpackr = new Unpackr({ ...options, ...(shared ? { ...sharing, structures: structures() } : {}) });
  return { name, pack: (value) => packr.pack(value), unpack: (bytes) => unpackr.unpack(bytes) };
}

const flat = variant("flat arrays (chosen)", { useRecords: false });
const sharedRecords = variant("records, shared structures", { useRecords: true }, true);
const inlineRecords = variant("records, definition in every frame", { useRecords: true, sequential: true });
const plainMaps = variant("plain maps", { useRecords: false });

const body = new Uint8Array(40).fill(3);
const messages = [
  { name: "Input", flat: [3, 1234, 1, -1, 0, 100], object: { seq: 1234, input: [1, -1, 0, 100] } },
  { name: "Ping", flat: [4, 123_456.789], object: { clientTime: 123_456.789 } },
  {
    name: "Snapshot envelope (40-byte body)",
    flat: [17, 70_000, 1234, body, null],
    object: { tick: 70_000, ackSeq: 1234, body, events: null },
  },
];

const sizes = messages.map((message) => ({
  message: message.name,
  [flat.name]: flat.pack(message.flat).length,
  [sharedRecords.name]: sharedRecords.pack(message.object).length,
  [inlineRecords.name]: inlineRecords.pack(message.object).length,
  [plainMaps.name]: plainMaps.pack(message.object).length,
}));
console.table(sizes);

for (const message of messages) {
  describe(`${message.name}: encode + decode`, () => {
    const flatBytes = flat.pack(message.flat);
    const recordBytes = sharedRecords.pack(message.object);
    bench(flat.name, () => {
      flat.pack(message.flat);
      flat.unpack(flatBytes);
    });
    bench(sharedRecords.name, () => {
      sharedRecords.pack(message.object);
      sharedRecords.unpack(recordBytes);
    });
  });
}

describe("tickwire codec with validation", () => {
  const schema = defineInput({
    dx: inputField.int(-1, 1),
    dy: inputField.int(-1, 1),
    attack: inputField.bool(),
    aim: inputField.number(-Math.PI, Math.PI),
  });
  const input = { dx: 1, dy: -1, attack: false, aim: 1.25 };
  const inputBytes = encodeClientMessage({ type: MsgType.Input, seq: 1234, tick: 0, input: schema.encode(input) });
  bench("Input: schema encode + encodeClientMessage + decodeClientMessage(schema)", () => {
    encodeClientMessage({ type: MsgType.Input, seq: 1234, tick: 0, input: schema.encode(input) });
    decodeClientMessage(inputBytes, schema);
  });

  const snapshot = { type: MsgType.Snapshot, tick: 70_000, ackSeq: 1234, body, events: [], firstEventSeq: 0 } as const;
  const snapshotBytes = encodeServerMessage(snapshot);
  bench("Snapshot envelope: decodeServerMessage", () => {
    decodeServerMessage(snapshotBytes);
  });
});

describe("Snapshot envelope encode (40-byte body in 2 parts)", () => {
  const writer = new ByteWriter();
  const parts = [body.subarray(0, 20), body.subarray(20)];
  bench("writeSnapshotMessage into a reused ByteWriter", () => {
    writer.reset();
    writeSnapshotMessage(writer, 70_000, 1234, parts);
  });
  bench("begin/endSnapshotMessage around the body written in place", () => {
    writer.reset();
    const mark = beginSnapshotMessage(writer, 70_000, 1234);
    writer.raw(parts[0]);
    writer.raw(parts[1]);
    endSnapshotMessage(writer, mark);
  });
  bench("encodeServerMessage (msgpackr, body joined first)", () => {
    const joined = new Uint8Array(40);
    joined.set(parts[0]);
    joined.set(parts[1], 20);
    encodeServerMessage({ type: MsgType.Snapshot, tick: 70_000, ackSeq: 1234, body: joined, events: [], firstEventSeq: 0 });
  });
});

import { Packr } from "msgpackr";
import {
  type ClientMessage,
  CloseCode,
  ErrorCode,
  MsgType,
  type ServerMessage,
} from "../../src/protocol/index.js";

const rawPackr = new Packr({ useRecords: false });

/** Plain msgpack of any value, to build frames the encoders would never write. */
export function raw(value: unknown): Uint8Array {
  return rawPackr.pack(value);
}

export function bytesOf(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

/** One valid message of every client type. */
export const clientSamples: readonly ClientMessage[] = [
  { type: MsgType.Join, name: "Ada" },
  { type: MsgType.Resume, token: "r3sume-t0ken_abc", lastEventSeq: 70_000 },
  { type: MsgType.Input, seq: 40_000, tick: 123_456, input: [1, -1, 0, 0.25] },
  { type: MsgType.Ping, clientTime: 123_456.789, lastEventSeq: 12 },
  { type: MsgType.Chat, rid: 7, text: "hello, world" },
  { type: MsgType.Command, rid: 8, name: "give", args: ["sword", 2, true, null, -1.5] },
];

/** One valid message of every server type. */
export const serverSamples: readonly ServerMessage[] = [
  {
    type: MsgType.Welcome,
    entityId: 42,
    resumeToken: "r3sume-t0ken_abc",
    tickRate: 20,
    tick: 100_000,
    serverTime: 1_700_000_000_123.5,
    lastReliableId: 3,
    lastEventSeq: 17,
    resumed: true,
    world: "field-1",
    data: { map: "field", spawn: [10, 20], flags: { pvp: false }, blob: new Uint8Array([1, 2, 3]) },
  },
  {
    type: MsgType.Snapshot,
    tick: 70_000,
    ackSeq: 300,
    body: new Uint8Array([9, 8, 7, 6]),
    events: [
      { name: "damage", data: { target: 5, amount: 12 } },
      { name: "death", data: null },
    ],
    firstEventSeq: 300_000,
  },
  { type: MsgType.Pong, clientTime: 1000.25, serverTime: 5000.5, lastReliableId: 7, inputMarginMs: -12.5 },
  { type: MsgType.Events, firstEventSeq: 9, events: [{ name: "chat", data: ["Ada", "hi"] }] },
  { type: MsgType.Error, code: ErrorCode.RateLimited, message: "slow down" },
];

/** Every close code, for tests that must cover them all. */
export const allCloseCodes: readonly CloseCode[] = Object.values(CloseCode).filter(
  (value): value is CloseCode => typeof value === "number",
);

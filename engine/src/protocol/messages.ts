/**
 * The tickwire message catalogue. Every message is one binary WebSocket frame holding a
 * msgpack array whose first element is the MsgType id. Trailing list fields (input values,
 * command args) are flattened into the envelope.
 *
 * | id | message  | dir | wire form                                                   | limits |
 * |----|----------|-----|-------------------------------------------------------------|--------|
 * |  1 | Join     | c→s | `[1, name]`                                                 | name 1..32, no control chars, not blank |
 * |  2 | Resume   | c→s | `[2, token, lastEventSeq]`                                  | token 1..128; lastEventSeq uint32 |
 * |  3 | Input    | c→s | `[3, seq, tick, ...values]`                                 | seq uint16 (wraps); tick uint32 (0: none); ≤ 32 finite values, checked against the game's InputSchema |
 * |  4 | Ping     | c→s | `[4, clientTime, lastEventSeq]`                             | finite float64 ms; lastEventSeq uint32 |
 * |  5 | Chat     | c→s | `[5, rid, text]`                                            | rid 1..2^32-1; text 1..280, no control chars |
 * |  6 | Command  | c→s | `[6, rid, name, ...args]`                                   | name 1..32, no whitespace/control; ≤ 16 args of null, boolean, finite number or string ≤ 256 |
 * | 16 | Welcome  | s→c | `[16, entityId, resumeToken, tickRate, tick, serverTime, lastReliableId, lastEventSeq, resumed, world, data?]` | tickRate (0, 240]; tick, ids, seqs uint32 |
 * | 17 | Snapshot | s→c | `[17, tick, ackSeq, <bin body>, [[name, data], ...] \| nil, firstEventSeq]` | ackSeq -1..65535; ≤ 1024 events; firstEventSeq uint32, 0 without events |
 * | 18 | Pong     | s→c | `[18, clientTime, serverTime, lastReliableId, inputMarginMs]` | finite float64 ms; rid uint32; margin finite or nil |
 * | 19 | Events   | s→c | `[19, firstEventSeq, [[name, data], ...]]`                  | ≤ 1024 events; name 1..64; firstEventSeq 1..2^32-1 |
 * | 20 | Error    | s→c | `[20, code, message]`                                       | code an ErrorCode; message ≤ 256 |
 *
 * Frames are at most MAX_CLIENT_MESSAGE_BYTES (8 KiB) client→server and
 * MAX_SERVER_MESSAGE_BYTES (4 MiB) server→client. Event and welcome data are WireValues
 * nested at most MAX_WIRE_VALUE_DEPTH deep. Fatal conditions are WebSocket close frames
 * (CloseCode), not messages.
 *
 * Reliable ids (`rid`): each session numbers its chat and command messages 1, 2, 3, …; after
 * a resume the client re-sends those above Welcome's `lastReliableId`, and after a Pong those
 * sent before its Ping but above its `lastReliableId`. The server processes only the next id
 * in sequence: it drops any it has already seen, and any after a gap (re-sent in order later).
 *
 * Event sequence numbers mirror them the other way: each session numbers the events it sends
 * 1, 2, 3, … (a Snapshot or Events message carries its first one's). The client reports the
 * last one it processed in every Ping, so the server forgets those, and in Resume, so the
 * server replays the ones after it (Events messages right after the Welcome, whose
 * `lastEventSeq` says where the replay starts). The client skips any it has already
 * processed, and resynchronizes (resumes) on a gap.
 */
import type { ErrorCode, MsgType } from "./codes.js";

/** A value msgpack carries both ways without extensions; binary decodes as a Uint8Array. */
export type WireValue = null | boolean | number | string | Uint8Array | readonly WireValue[] | WireRecord;
export interface WireRecord {
  readonly [key: string]: WireValue;
}

/** A game event (damage, death, loot, chat line). Not coalescable: delivered reliably in order. */
export interface GameEvent {
  readonly name: string;
  readonly data: WireValue;
}

export type CommandArg = number | string | boolean | null;

// ── client → server ──

/** First message of a session; identity comes from the auth token checked at the upgrade. */
export interface JoinMessage {
  readonly type: MsgType.Join;
  readonly name: string;
}

/** First message of a reconnecting session, instead of Join. */
export interface ResumeMessage {
  readonly type: MsgType.Resume;
  /** The resumeToken from the last Welcome. */
  readonly token: string;
  /** Seq of the last server event the client processed (0: none): the server replays those after it. */
  readonly lastEventSeq: number;
}

/**
 * One input tick. On the wire `input` is the values in the order of the game's InputSchema;
 * decoded with that schema it is the game's input object `I`.
 */
export interface InputMessage<I = readonly number[]> {
  readonly type: MsgType.Input;
  /** uint16, wraps at 2^16: compare with seqNewer/seqDiff. */
  readonly seq: number;
  /**
   * The server tick this input is meant for (the client's input timing sent it to arrive
   * just before that tick), or NO_INPUT_TICK (0): apply it when it arrives.
   */
  readonly tick: number;
  readonly input: I;
}

export interface PingMessage {
  readonly type: MsgType.Ping;
  /** The client's clock in ms, echoed in Pong. */
  readonly clientTime: number;
  /** Seq of the last server event the client processed (0: none): the server stops keeping those. */
  readonly lastEventSeq: number;
}

export interface ChatMessage {
  readonly type: MsgType.Chat;
  readonly rid: number;
  readonly text: string;
}

export interface CommandMessage {
  readonly type: MsgType.Command;
  readonly rid: number;
  readonly name: string;
  readonly args: readonly CommandArg[];
}

export type ClientMessage<I = readonly number[]> =
  | JoinMessage
  | ResumeMessage
  | InputMessage<I>
  | PingMessage
  | ChatMessage
  | CommandMessage;

// ── server → client ──

export interface WelcomeMessage {
  readonly type: MsgType.Welcome;
  readonly entityId: number;
  /** Present it in Resume after a dropped connection. */
  readonly resumeToken: string;
  /** Server ticks per second. */
  readonly tickRate: number;
  readonly tick: number;
  /** Server clock in ms when this message was written. */
  readonly serverTime: number;
  /** Highest reliable id the server has processed in this session; 0 when none. */
  readonly lastReliableId: number;
  /**
   * The next server event this connection carries is `lastEventSeq + 1`: on a resume, the
   * client's own report (the ones after it are replayed next), or later when events were lost
   * and the client was told so with an EventOverflow close; 0 for a new session.
   */
  readonly lastEventSeq: number;
  /** True when this session continues a previous one (the player was kept). */
  readonly resumed: boolean;
  /** Id of the world joined. */
  readonly world: string;
  /** Game-defined join data (map name, team...). */
  readonly data?: WireValue;
}

export interface SnapshotMessage {
  readonly type: MsgType.Snapshot;
  /** uint32 tick this state belongs to. */
  readonly tick: number;
  /** Last input seq the server applied for this client, or NO_INPUT_ACK (-1). */
  readonly ackSeq: number;
  /** Entity-delta bytes built by the state module; opaque here. Decoded, it views the frame's bytes. */
  readonly body: Uint8Array;
  readonly events: readonly GameEvent[];
  /** Seq of the first of `events` (the others follow one by one); 0 when there are none. */
  readonly firstEventSeq: number;
}

export interface PongMessage {
  readonly type: MsgType.Pong;
  readonly clientTime: number;
  readonly serverTime: number;
  /**
   * Highest reliable id the session has processed (0: none, or no session yet). Confirms
   * chat and commands by rid: one sent before the ping but above this was not processed
   * (rate-limited or out of order), and the client sends it again.
   */
  readonly lastReliableId: number;
  /**
   * How long before its tick the latest-arriving of the timed inputs received since the
   * previous Ping reached the server, ms (negative: late by that much); null when none did.
   * The client's input lead covers it.
   */
  readonly inputMarginMs: number | null;
}

/** Reliable events sent outside a snapshot. */
export interface EventsMessage {
  readonly type: MsgType.Events;
  /** Seq of the first of `events` (the others follow one by one). */
  readonly firstEventSeq: number;
  readonly events: readonly GameEvent[];
}

/** A non-fatal error; fatal ones are close frames. */
export interface ErrorMessage {
  readonly type: MsgType.Error;
  readonly code: ErrorCode;
  readonly message: string;
}

export type ServerMessage = WelcomeMessage | SnapshotMessage | PongMessage | EventsMessage | ErrorMessage;

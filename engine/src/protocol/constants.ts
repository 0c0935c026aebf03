/** Bumped on any incompatible change to the message catalogue or its encodings. */
export const PROTOCOL_VERSION = 2;

/**
 * Offered by clients in `Sec-WebSocket-Protocol`; the server refuses any other value before
 * the upgrade, so mismatched builds never exchange a frame.
 */
export const SUBPROTOCOL = `tickwire.v${PROTOCOL_VERSION}`;

/**
 * Largest client→server frame. The largest valid message (a command with 16 ASCII
 * arguments of 256 characters) is about 4.2 KiB; anything bigger is refused before decoding.
 */
export const MAX_CLIENT_MESSAGE_BYTES = 8 * 1024;

/**
 * Largest server→client frame the client decodes. A full snapshot of a crowded view is tens
 * of KiB; this bound only stops a corrupt or runaway frame.
 */
export const MAX_SERVER_MESSAGE_BYTES = 4 * 1024 * 1024;

// Text limits count UTF-16 code units (what String#length counts).

/** A player name fits on a name tag above a sprite. */
export const MAX_NAME_LENGTH = 32;

/** One line in the chat box. */
export const MAX_CHAT_LENGTH = 280;

/** Command names are short words like "give" or "teleport". */
export const MAX_COMMAND_NAME_LENGTH = 32;

/** Enough for any admin or game command; keeps a command's validation cost constant. */
export const MAX_COMMAND_ARGS = 16;

/** A single string argument (a message, a player name, an item id). */
export const MAX_COMMAND_ARG_LENGTH = 256;

/** A 256-bit token in base64url is 43 characters; room for a signed format. */
export const MAX_RESUME_TOKEN_LENGTH = 128;

/** A gamepad's worth of axes and buttons. */
export const MAX_INPUT_FIELDS = 32;

/** Event names are identifiers like "damage" or "loot.drop". */
export const MAX_EVENT_NAME_LENGTH = 64;

/** Per message; the server splits a longer backlog into several Events messages. */
export const MAX_EVENTS_PER_MESSAGE = 1024;

/** Nesting of arrays/maps inside event or welcome data; game payloads are shallow records. */
export const MAX_WIRE_VALUE_DEPTH = 16;

/** World ids are short slugs chosen by the server. */
export const MAX_WORLD_ID_LENGTH = 64;

/** Error texts are one sentence for a log line or a toast. */
export const MAX_ERROR_MESSAGE_LENGTH = 256;

/** Above any rate a simulation would target; a larger value can only be corruption. */
export const MAX_TICK_RATE = 240;

/** A close frame's payload is at most 125 bytes and the code takes 2 of them. */
export const MAX_CLOSE_REASON_BYTES = 123;

/** Snapshot `ackSeq` before the server has processed any input from this client. */
export const NO_INPUT_ACK = -1;

/** An Input's `tick` when it is meant for no tick in particular (sent before the client could time it). */
export const NO_INPUT_TICK = 0;

/** Largest input sequence number; seq travels as uint16 and wraps to 0. */
export const MAX_INPUT_SEQ = 0xffff;

/** Ticks, player ids and reliable-message ids travel as uint32. */
export const MAX_UINT32 = 0xffffffff;

/** Message type ids: the first element of every message. One msgpack byte each. */
export enum MsgType {
  // client → server
  Join = 1,
  Resume = 2,
  Input = 3,
  Ping = 4,
  Chat = 5,
  Command = 6,
  // server → client (a separate range, so a message sent the wrong way is an unknown type)
  Welcome = 16,
  Snapshot = 17,
  Pong = 18,
  Events = 19,
  Error = 20,
}

/**
 * WebSocket close codes. 1000–1011 are the standard ones we use; 4000–4999 is the range
 * RFC 6455 leaves to applications.
 */
export enum CloseCode {
  /** The client left for good (`client.leave()`): the only close that ends a session. */
  Normal = 1000,
  /** Server shutting down or restarting. */
  GoingAway = 1001,
  /** Reported locally when the connection dropped without a close frame; never sent. */
  Abnormal = 1006,
  PolicyViolation = 1008,
  /** A frame above MAX_CLIENT_MESSAGE_BYTES. */
  MessageTooBig = 1009,
  InternalError = 1011,
  /** Bytes that are not a message, or a message out of order (input before join). */
  ProtocolError = 4000,
  VersionMismatch = 4001,
  AuthFailed = 4002,
  Kicked = 4003,
  /** Invalid messages kept coming after non-fatal errors. */
  InvalidMessages = 4004,
  InputFlood = 4005,
  /** The bounded event queue overflowed; events are never dropped silently. */
  EventOverflow = 4006,
  /** The socket stayed over its buffer limit for too long. */
  StalledReader = 4007,
  /** The same player connected again elsewhere. */
  SessionReplaced = 4008,
  /** The resume token is unknown or its player has expired. */
  ResumeFailed = 4009,
  WorldClosed = 4010,
  WorldFull = 4011,
  /** No Join or Resume arrived in time after the upgrade. */
  JoinTimeout = 4012,
  /**
   * The client dropped a socket it gave up on (silence, resync, no Welcome) and is
   * reconnecting: the server keeps the player for resume.
   */
  ClientReconnecting = 4013,
  /**
   * The Join was refused: a name the protocol does not accept, or the game refused the
   * player (`JoinRefused` in onJoin). The close reason says why.
   */
  JoinRefused = 4014,
  /** Another server process holds this player (its lease); retrying succeeds once it lets go. */
  PlayerHeldElsewhere = 4015,
  /** The player's saved data could not be loaded; nothing was changed, retrying may succeed. */
  StoreUnavailable = 4016,
  /**
   * The process is draining for a restart or deploy: its players were saved. Retryable, but
   * not here: the client matchmakes again and lands on another process.
   */
  ServerRestarting = 4017,
}

interface CloseInfo {
  readonly reason: string;
  /** Whether reconnecting to the same endpoint with the same credentials can succeed. */
  readonly retryable: boolean;
}

// Reasons travel in the close frame, so each stays within MAX_CLOSE_REASON_BYTES.
const CLOSE_INFO: Record<CloseCode, CloseInfo> = {
  [CloseCode.Normal]: { reason: "session ended", retryable: false },
  [CloseCode.GoingAway]: { reason: "server shutting down", retryable: true },
  [CloseCode.Abnormal]: { reason: "connection lost", retryable: true },
  [CloseCode.PolicyViolation]: { reason: "policy violation", retryable: false },
  [CloseCode.MessageTooBig]: { reason: "message too big", retryable: false },
  [CloseCode.InternalError]: { reason: "internal server error", retryable: true },
  [CloseCode.ProtocolError]: { reason: "protocol error: undecodable or out-of-order message", retryable: false },
  [CloseCode.VersionMismatch]: { reason: "protocol version mismatch: update the client", retryable: false },
  [CloseCode.AuthFailed]: { reason: "authentication failed", retryable: false },
  [CloseCode.Kicked]: { reason: "kicked by the server", retryable: false },
  [CloseCode.InvalidMessages]: { reason: "too many invalid messages", retryable: false },
  [CloseCode.InputFlood]: { reason: "inputs sent faster than the server accepts them", retryable: true },
  [CloseCode.EventOverflow]: {
    reason: "too slow to receive events; your player is kept for resume",
    retryable: true,
  },
  [CloseCode.StalledReader]: {
    reason: "connection stopped reading; your player is kept for resume",
    retryable: true,
  },
  [CloseCode.SessionReplaced]: { reason: "session replaced by a newer connection", retryable: false },
  [CloseCode.ResumeFailed]: { reason: "resume failed: session unknown or expired; join again", retryable: true },
  [CloseCode.WorldClosed]: { reason: "world closed", retryable: false },
  [CloseCode.WorldFull]: { reason: "world is full", retryable: true },
  [CloseCode.JoinTimeout]: { reason: "no join or resume received in time", retryable: true },
  [CloseCode.ClientReconnecting]: { reason: "client reconnecting; player kept for resume", retryable: true },
  [CloseCode.JoinRefused]: { reason: "join refused", retryable: false },
  [CloseCode.PlayerHeldElsewhere]: { reason: "this player is playing on another server", retryable: true },
  [CloseCode.StoreUnavailable]: { reason: "saved player data unavailable; try again shortly", retryable: true },
  [CloseCode.ServerRestarting]: { reason: "server restarting; finding another", retryable: true },
};

function closeInfo(code: number): CloseInfo | undefined {
  return Object.hasOwn(CLOSE_INFO, code) ? CLOSE_INFO[code as CloseCode] : undefined;
}

/** Human text for a close code: the close frame's reason, and what a client shows. */
export function closeReason(code: number): string {
  return closeInfo(code)?.reason ?? `connection closed (code ${code})`;
}

/**
 * Whether reconnecting can help. After ResumeFailed the client must join afresh instead of
 * resuming. Unknown codes count as transport failures, which a reconnect with backoff fixes.
 */
export function retryable(code: number): boolean {
  return closeInfo(code)?.retryable ?? true;
}

/** Non-fatal errors, sent in Error messages and returned by the decoders. */
export enum ErrorCode {
  /** Not a msgpack `[type, ...fields]` array: garbage, truncated, trailing bytes, wrong arity. */
  Malformed = 1,
  UnknownType = 2,
  /** A field has the wrong type, is out of range or too long. */
  InvalidField = 3,
  /** The frame is larger than the protocol allows. */
  TooLarge = 4,
  RateLimited = 5,
  UnknownCommand = 6,
  /** A game message arrived before Join or Resume succeeded. */
  NotJoined = 7,
  AlreadyJoined = 8,
  /** The command handler refused the arguments. */
  CommandFailed = 9,
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "number" && typeof ErrorCode[value] === "string";
}

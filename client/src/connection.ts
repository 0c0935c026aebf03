import { CloseCode, closeReason, retryable } from "@tickwire/engine";
import {
  type ChatMessage,
  type ClientMessage,
  type CommandMessage,
  decodeServerMessage,
  encodeClientMessage,
  type ErrorMessage,
  type EventsMessage,
  MsgType,
  NO_INPUT_TICK,
  type PongMessage,
  type SnapshotMessage,
  SUBPROTOCOL,
  type WelcomeMessage,
} from "@tickwire/engine/wire";
import { Backoff, type BackoffOptions } from "./backoff.js";
import {
  HELD_ELSEWHERE_WINDOW_MS,
  MATCHMAKE_AFTER_FAILED_ATTEMPTS,
  MATCHMAKE_AFTER_LOSS_MS,
  MATCHMAKE_TIMEOUT_MS,
  PING_BURST_COUNT,
  PING_BURST_INTERVAL_MS,
  PREFLIGHT_TIMEOUT_MS,
  RESUME_RETRY_MAX_MS,
  RESUME_RETRY_MIN_MS,
} from "./constants.js";
import {
  askMatchmaker,
  type MatchAnswer,
  type MatchInfo,
  type MatchmakingInfo,
  type MatchmakingReason,
  rematchReason,
  sameWorld,
  withoutReservation,
} from "./matchmaking.js";
import type { NetStats } from "./net-stats.js";
import { type FetchLike, fetchRefusal } from "./preflight.js";
import { ReceivedEvents, ReliableBuffer } from "./reliable.js";
import {
  mayRetryRefusal,
  type Refusal,
  SOCKET_OPEN,
  type WebSocketConstructor,
  type WebSocketLike,
  watchRefusal,
} from "./socket.js";

/**
 * - `connecting`: joining as a new player (first connection, or after the server forgot us).
 * - `open`: welcomed; snapshots flow, inputs are sent.
 * - `resuming`: the connection dropped; reconnecting with the resume token to get the same player back.
 * - `closed`: final. `close()` was called, the server refused in a way retrying cannot fix, or reconnecting gave up.
 */
export type ConnectionState = "connecting" | "open" | "resuming" | "closed";

export type ClientErrorKind =
  /** The server refused the WebSocket upgrade (HTTP status in `status`). */
  | "refused"
  /** The server closed the connection (close code in `code`). */
  | "closed"
  /** Reconnecting failed `maxAttempts` times in a row. */
  | "gave-up"
  /** The matchmaker could not place the client (`status`: its HTTP status, 0 when unreachable). */
  | "matchmaking"
  /** The resume token was not accepted; the client joins as a new player. */
  | "resume-failed"
  /** A chat or command could not be kept: the reliable buffer is full or the client is closed. */
  | "reliable-overflow"
  /** A chat or command breaks the protocol's limits (length, characters, argument types). */
  | "invalid-message"
  /** The server sent bytes the client cannot decode or apply; the client resynchronizes. */
  | "protocol"
  /** A non-fatal Error message from the server (`code` is its ErrorCode). */
  | "server"
  /** An event listener threw. */
  | "listener";

export interface ClientError {
  readonly kind: ClientErrorKind;
  readonly message: string;
  /** Close code (`closed`), ErrorCode (`server`). */
  readonly code?: number;
  /** HTTP status (`refused`, `matchmaking`). */
  readonly status?: number;
  /** Whether the client keeps trying after this error. */
  readonly retrying: boolean;
  readonly cause?: unknown;
}

/** Why the client ended; the last event it emits. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
  /** True when the application called `close()`. */
  readonly byClient: boolean;
}

/** A socket of the session ended (the session itself may go on: see `willRetry`). */
export interface DisconnectInfo {
  /** Close code; 1006 (Abnormal) when the client dropped the socket itself or the transport failed. */
  readonly code: number;
  /** The server's close reason, why the client dropped the socket, or the transport's error. */
  readonly reason: string;
  /** Whether the client reconnects; false when this ends the session (a 'close' event follows). */
  readonly willRetry: boolean;
  /** Whether this socket had been welcomed; false means the connection attempt itself failed. */
  readonly welcomed: boolean;
  /** HTTP status when the server refused the upgrade (from `ws`, or the preflight in browsers), else 0. */
  readonly status: number;
}

/** Direction of a WebSocket frame, for `onFrame`. */
export type FrameDirection = "in" | "out";

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type ReliableMessage = { -readonly [K in keyof ChatMessage]: ChatMessage[K] } | {
  -readonly [K in keyof CommandMessage]: CommandMessage[K];
};

/** What the connection reports to its owner (the client). */
export interface ConnectionHandlers {
  state(state: ConnectionState, previous: ConnectionState): void;
  welcome(message: WelcomeMessage, now: number): void;
  snapshot(message: SnapshotMessage, now: number): void;
  events(message: EventsMessage): void;
  pong(message: PongMessage, now: number): void;
  disconnect(info: DisconnectInfo): void;
  matchmaking(info: MatchmakingInfo): void;
  matched(info: MatchInfo): void;
  serverError(message: ErrorMessage): void;
  error(error: ClientError): void;
  close(info: CloseInfo): void;
}

/** Where to ask for a server when `url` is a matchmaking endpoint. */
export interface ConnectionMatchmaker {
  /** The absolute http(s) URL of the endpoint (`…/matchmake?game=quest`). */
  endpoint: string;
  fetch: FetchLike;
  /** The socket URL to open for the matchmaker's answer (adds the auth token). */
  socketUrl(answered: string): string;
}

export interface ConnectionOptions {
  /** The socket URL; unused with a matchmaker (its answers are). */
  url: string;
  /** With it the client asks the matchmaker first, and again whenever its server or world is gone. */
  matchmaker?: ConnectionMatchmaker;
  name: string;
  WebSocket: WebSocketConstructor;
  /** Asks the server why a socket failed before opening (browsers hide refusals); absent: not asked. */
  fetch?: FetchLike;
  reconnect: BackoffOptions | false;
  now: () => number;
  timers: Timers;
  random: () => number;
  pingIntervalMs: number;
  welcomeTimeoutMs: number;
  silenceTimeoutMs: number;
  /** How long after a drop resuming is retried (at a short interval) before joining afresh. */
  resumeWindowMs: number;
  reliableCapacity: number;
  inputBufferedThreshold: number;
  stats: NetStats;
  /** Every binary frame's payload size, at the time it arrived or was handed to the socket. */
  onFrame?: (direction: FrameDirection, bytes: number, now: number) => void;
}

const IGNORE = () => {};

/**
 * One logical session over a series of WebSockets: join, welcome, pings, reliable
 * messages, inputs, and reconnecting with backoff and resume when a socket dies. The only
 * place that touches the socket.
 */
export class Connection {
  private currentState: ConnectionState = "connecting";
  private socket: WebSocketLike | null = null;
  /** Incremented per socket: events of an abandoned socket are ignored. */
  private generation = 0;
  private token: string | null = null;
  private welcomed = false;
  private everWelcomed = false;
  private refusal: Refusal | null = null;
  private readonly backoff: Backoff;
  private readonly reliable: ReliableBuffer<ReliableMessage>;
  /** The last server event processed, for exactly-once events across reconnects. */
  private readonly receivedEvents = new ReceivedEvents();
  private handshakeTimer: unknown = null;
  private retryTimer: unknown = null;
  private pingTimer: unknown = null;
  private preflightTimer: unknown = null;
  /** Aborts the preflight in flight, if any. */
  private preflightAbort: AbortController | null = null;
  /** Whether the current socket reached 'open' (a failure before it may be a hidden refusal). */
  private opened = false;
  /**
   * A preflight already found no refusal since a socket last opened: the link is down, and
   * asking again would only log one more failed request in the browser's console per retry.
   */
  private preflightAnswered = false;
  private pingsSent = 0;
  private burstPingsLeft = 0;
  /** Ordinals of pings awaiting their pong, oldest first (pongs come back in order). */
  private readonly outstandingPings: number[] = [];
  private lastMessageAt = 0;
  private heldInput: { seq: number; tick: number; values: number[] } | null = null;
  private lastFailure = "";
  /** When the welcomed socket we are resuming from was lost; NaN when not resuming. */
  private resumingSince = Number.NaN;
  /** The transport's error message for the current socket, if it failed. */
  private socketError = "";
  /** When joins started being refused with PlayerHeldElsewhere; NaN otherwise. */
  private heldElsewhereSince = Number.NaN;
  /** The socket URL: `options.url`, or the matchmaker's latest answer. */
  private url: string;
  /** The world of the last Welcome (or of the matchmaker's answer before it): `world=` when matchmaking again. */
  private lastWorld: string | null = null;
  /** Why the next attempt asks the matchmaker first; null: it reconnects to `url`. */
  private matchNeeded: MatchmakingReason | null = null;
  /** Attempts in a row that reached no server (the transport failed: refused, timed out). */
  private failedAttempts = 0;
  /** When a server last answered (a welcomed socket lost, a refusal), or the first failed attempt; NaN while welcomed. */
  private failingSince = Number.NaN;
  private matchTimer: unknown = null;
  /** Aborts the matchmaking request in flight, if any. */
  private matchAbort: AbortController | null = null;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly handlers: ConnectionHandlers,
  ) {
    this.backoff = new Backoff(options.reconnect === false ? {} : options.reconnect, options.random);
    this.reliable = new ReliableBuffer(options.reliableCapacity);
    this.url = options.url;
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** Bytes queued on the current socket. */
  get bufferedAmount(): number {
    return this.socket?.bufferedAmount ?? 0;
  }

  /** Chat and commands not yet known to be delivered. */
  get reliablePending(): number {
    return this.reliable.size;
  }

  start(): void {
    if (this.options.matchmaker === undefined) this.openSocket();
    else {
      // After connect() returns, so the application's listeners see the first 'matchmaking'.
      queueMicrotask(() => {
        if (this.currentState !== "closed") this.matchmake("join");
      });
    }
  }

  /** Ends the session for good; no reconnect. */
  close(code: number = CloseCode.Normal, reason = "closed by client"): void {
    if (this.currentState === "closed") return;
    const socket = this.socket;
    this.detach();
    if (socket !== null && socket.readyState <= SOCKET_OPEN) socket.close(code, reason);
    this.finish({ code, reason, byClient: true });
  }

  /**
   * Sends one input, meant for server tick `tick` (NO_INPUT_TICK: none). Inputs are never
   * queued while disconnected (false) nor behind a backed-up socket: above the threshold the
   * input is held, a newer one replaces it, and the held one goes out when the socket
   * drains (`poll`).
   */
  sendInput(seq: number, values: number[], tick: number = NO_INPUT_TICK): boolean {
    if (!this.welcomed) return false;
    if (this.bufferedAmount > this.options.inputBufferedThreshold) {
      if (this.heldInput !== null) this.options.stats.coalescedInputs++;
      this.heldInput = { seq, tick, values };
      return true;
    }
    if (this.heldInput !== null) {
      this.options.stats.coalescedInputs++;
      this.heldInput = null;
    }
    this.send({ type: MsgType.Input, seq, tick, input: values });
    return true;
  }

  /** Sends a held input once the socket has drained. Called every frame. */
  poll(): void {
    const held = this.heldInput;
    if (held === null || !this.welcomed || this.bufferedAmount > this.options.inputBufferedThreshold) return;
    this.heldInput = null;
    this.send({ type: MsgType.Input, seq: held.seq, tick: held.tick, input: held.values });
  }

  /** Queues a chat or command for exactly-once delivery; false (and an error event) when it cannot. */
  sendReliable(message: ReliableMessage): boolean {
    if (this.currentState === "closed") {
      this.error("reliable-overflow", "the client is closed; message not sent", false);
      return false;
    }
    if (!this.reliable.add(message)) {
      this.error(
        "reliable-overflow",
        `${this.reliable.capacity} chat/command messages are waiting for delivery; message not sent`,
        true,
      );
      return false;
    }
    if (this.welcomed) this.sendReliableNow(message);
    return true;
  }

  /** Abandons the current socket and reconnects with resume (for a full snapshot), e.g. after a desync. */
  resync(reason: string): void {
    if (this.currentState === "closed" || this.socket === null) return;
    this.abandon(reason);
  }

  private openSocket(): void {
    let socket: WebSocketLike;
    try {
      socket = new this.options.WebSocket(this.url, SUBPROTOCOL);
    } catch (cause) {
      this.handlers.error({ kind: "closed", message: `cannot open ${this.url}: ${String(cause)}`, retrying: false, cause });
      this.finish({ code: CloseCode.Abnormal, reason: "invalid URL", byClient: false });
      return;
    }
    const generation = ++this.generation;
    this.socket = socket;
    this.welcomed = false;
    this.opened = false;
    this.refusal = null;
    this.socketError = "";
    socket.binaryType = "arraybuffer";
    watchRefusal(socket, (refusal) => {
      if (generation === this.generation) this.refusal = refusal;
    });
    socket.onopen = () => {
      if (generation === this.generation) this.onOpen();
    };
    socket.onmessage = (event: { data: unknown }) => {
      if (generation === this.generation) this.onMessage(event.data);
    };
    socket.onerror = (event: { message?: unknown }) => {
      if (generation === this.generation && typeof event?.message === "string") {
        this.lastFailure = event.message;
        this.socketError = event.message;
      }
    };
    socket.onclose = (event: { code: number; reason: string }) => {
      if (generation === this.generation) this.ended(event.code, event.reason, this.welcomed);
    };
    this.handshakeTimer = this.options.timers.setTimeout(() => {
      this.handshakeTimer = null;
      this.abandon(`no Welcome within ${this.options.welcomeTimeoutMs} ms`);
    }, this.options.welcomeTimeoutMs);
  }

  private onOpen(): void {
    this.opened = true;
    this.preflightAnswered = false;
    this.lastMessageAt = this.options.now();
    if (this.token !== null) this.send({ type: MsgType.Resume, token: this.token, lastEventSeq: this.receivedEvents.lastSeq });
    else this.send({ type: MsgType.Join, name: this.options.name });
  }

  private onMessage(data: unknown): void {
    const now = this.options.now();
    this.lastMessageAt = now;
    let bytes: Uint8Array;
    if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else {
      this.protocolError("the server sent a text frame");
      return;
    }
    this.options.stats.recordBytesIn(now, bytes.byteLength);
    this.options.onFrame?.("in", bytes.byteLength, now);
    const decoded = decodeServerMessage(bytes);
    if (!decoded.ok) {
      this.protocolError(`undecodable server message: ${decoded.error.message}`);
      return;
    }
    const message = decoded.value;
    if (message.type === MsgType.Welcome) {
      this.onWelcome(message, now);
      return;
    }
    if (!this.welcomed) {
      // Only an Error may precede the Welcome (e.g. a refused Join); anything else is out of order.
      if (message.type === MsgType.Error) this.handlers.serverError(message);
      else this.protocolError(`message type ${message.type} before Welcome`);
      return;
    }
    switch (message.type) {
      case MsgType.Snapshot:
        this.receiveEvents(message, (fresh) => this.handlers.snapshot(fresh, now));
        break;
      case MsgType.Events:
        this.receiveEvents(message, (fresh) => {
          if (fresh.events.length > 0) this.handlers.events(fresh);
        });
        break;
      case MsgType.Pong: {
        const ordinal = this.outstandingPings.shift() ?? -1;
        for (const again of this.reliable.confirm(message.lastReliableId, ordinal)) this.sendReliableNow(again);
        this.handlers.pong(message, now);
        break;
      }
      case MsgType.Error:
        this.handlers.serverError(message);
        break;
    }
  }

  private onWelcome(message: WelcomeMessage, now: number): void {
    if (this.welcomed) {
      this.protocolError("a second Welcome on one connection");
      return;
    }
    this.clearTimer("handshakeTimer");
    this.welcomed = true;
    this.token = message.resumeToken;
    this.receivedEvents.welcome(message.lastEventSeq);
    this.resumingSince = Number.NaN;
    this.heldElsewhereSince = Number.NaN;
    this.backoff.reset();
    this.welcomedIn(message.world);
    if (this.everWelcomed) this.options.stats.reconnects++;
    this.everWelcomed = true;
    this.handlers.welcome(message, now);
    // A listener may have closed the client.
    if (this.currentState === "closed") return;
    this.setState("open");
    for (const pending of this.reliable.welcome(message.lastReliableId, message.resumed)) this.sendReliableNow(pending);
    this.burstPingsLeft = PING_BURST_COUNT;
    this.ping();
  }

  private ping(): void {
    this.pingTimer = null;
    if (!this.welcomed) return;
    const now = this.options.now();
    if (now - this.lastMessageAt > this.options.silenceTimeoutMs) {
      this.abandon(`no message from the server for ${this.options.silenceTimeoutMs} ms`);
      return;
    }
    this.send({ type: MsgType.Ping, clientTime: now, lastEventSeq: this.receivedEvents.lastSeq });
    this.outstandingPings.push(this.pingsSent++);
    let delay = this.options.pingIntervalMs;
    if (this.burstPingsLeft > 0) {
      this.burstPingsLeft--;
      delay = Math.min(delay, PING_BURST_INTERVAL_MS);
    }
    this.pingTimer = this.options.timers.setTimeout(() => this.ping(), delay);
  }

  /**
   * Hands a message with server events to `deliver` so each event is processed once: those
   * processed already (replayed after a resume) are cut off; a gap before them means a
   * socket lost some, and resynchronizing (a resume) brings them back.
   */
  private receiveEvents<M extends SnapshotMessage | EventsMessage>(message: M, deliver: (fresh: M) => void): void {
    const { events, firstEventSeq } = message;
    const skip = this.receivedEvents.alreadyProcessed(firstEventSeq, events.length);
    if (skip < 0) {
      this.protocolError(`server events missing: expected #${this.receivedEvents.lastSeq + 1}, got #${firstEventSeq}`);
      return;
    }
    const generation = this.generation;
    deliver(skip === 0 ? message : { ...message, events: events.slice(skip), firstEventSeq: firstEventSeq + skip });
    // A snapshot the client could not apply (it resynchronizes) did not process its events: they come again.
    if (events.length > 0 && generation === this.generation) this.receivedEvents.processed(firstEventSeq + events.length - 1);
  }

  private sendReliableNow(message: ReliableMessage): void {
    this.send(message);
    this.reliable.markSent(message, this.pingsSent);
  }

  private send(message: ClientMessage): void {
    const socket = this.socket;
    if (socket === null || socket.readyState !== SOCKET_OPEN) return;
    const bytes = encodeClientMessage(message);
    socket.send(bytes);
    const now = this.options.now();
    this.options.stats.recordBytesOut(now, bytes.byteLength);
    this.options.onFrame?.("out", bytes.byteLength, now);
  }

  private protocolError(message: string): void {
    this.error("protocol", message, true);
    this.abandon(message);
  }

  /** Drops the current socket on our side and handles it like a lost connection. */
  private abandon(reason: string): void {
    const socket = this.socket;
    const welcomed = this.welcomed;
    this.detach();
    // Never Normal: that is a goodbye, and the server would forget the player we mean to resume.
    if (socket !== null && socket.readyState <= SOCKET_OPEN) {
      socket.close(CloseCode.ClientReconnecting, closeReason(CloseCode.ClientReconnecting));
    }
    this.ended(CloseCode.Abnormal, reason, welcomed, true);
  }

  /** The socket is gone (closed by the server, the network, or us): decide what comes next. */
  private ended(code: number, reason: string, welcomed: boolean, detached = false): void {
    const opened = this.opened;
    if (!detached) this.detach();
    if (this.currentState === "closed") return;
    // Failed before opening with no status seen: maybe a refusal the browser hid from us.
    if (!detached && !opened && this.refusal === null && this.options.fetch !== undefined && !this.preflightAnswered) {
      this.explainFailure(this.options.fetch, code, reason);
      return;
    }
    this.settle(code, reason, welcomed);
  }

  /** Asks the preflight why the attempt failed, then settles it with the answer (or as a network loss). */
  private explainFailure(fetch: FetchLike, code: number, reason: string): void {
    const generation = this.generation;
    const abort = new AbortController();
    this.preflightAbort = abort;
    this.preflightTimer = this.options.timers.setTimeout(() => {
      this.preflightTimer = null;
      abort.abort();
    }, PREFLIGHT_TIMEOUT_MS);
    fetchRefusal(fetch, this.url, abort.signal).then((refusal) => {
      if (generation !== this.generation || this.currentState === "closed") return;
      this.clearTimer("preflightTimer");
      this.preflightAbort = null;
      this.refusal = refusal;
      this.preflightAnswered = refusal === null;
      this.settle(code, reason, false);
    });
  }

  /** Reports the ended socket and retries or finishes. */
  private settle(code: number, reason: string, welcomed: boolean): void {
    const refusal = this.refusal;
    const mayRetry = this.options.reconnect !== false;
    const rematch = this.rematchNeeded(code, welcomed);
    if (!this.reportDisconnect(code, reason, welcomed, mayRetry, rematch !== null)) return;
    if (rematch !== null) {
      this.rematch(rematch, code, reason);
      return;
    }
    if (refusal !== null) {
      const text = refusal.reason || `HTTP ${refusal.status}`;
      const retrying = mayRetry && mayRetryRefusal(refusal);
      this.handlers.error({ kind: "refused", message: text, status: refusal.status, retrying });
      if (!retrying) {
        this.finish({ code: CloseCode.Abnormal, reason: text, byClient: false });
        return;
      }
      this.lastFailure = text;
    } else if (code === CloseCode.ResumeFailed && mayRetry) {
      this.token = null;
      this.lastFailure = reason || closeReason(code);
      this.handlers.error({ kind: "resume-failed", message: this.lastFailure, code, retrying: true });
    } else if (!retryable(code) || !mayRetry) {
      const text = reason || closeReason(code);
      this.handlers.error({ kind: "closed", message: text, code, retrying: false });
      this.finish({ code, reason: text, byClient: false });
      return;
    } else {
      // A server shutting down lets its players go: no resume there, join afresh with backoff.
      if (code === CloseCode.GoingAway) this.token = null;
      this.lastFailure = reason || this.lastFailure || closeReason(code);
    }
    this.scheduleRetry(code);
  }

  /** Emits 'disconnect'; false when a listener closed the client meanwhile. */
  private reportDisconnect(code: number, reason: string, welcomed: boolean, mayRetry: boolean, rematching: boolean): boolean {
    const refusal = this.refusal;
    const status = refusal?.status ?? 0;
    let retrying: boolean;
    if (rematching) retrying = true;
    else if (refusal !== null) retrying = mayRetry && mayRetryRefusal(refusal);
    else if (code === CloseCode.ResumeFailed) retrying = mayRetry;
    else retrying = mayRetry && retryable(code);
    const text = refusal !== null ? refusal.reason || `HTTP ${status}` : reason || this.socketError || closeReason(code);
    this.handlers.disconnect({ code, reason: text, willRetry: retrying && !this.backoff.exhausted, welcomed, status });
    return this.currentState !== "closed";
  }

  private scheduleRetry(code: number): void {
    if (this.token !== null) {
      const now = this.options.now();
      if (Number.isNaN(this.resumingSince)) this.resumingSince = now;
      if (now - this.resumingSince < this.options.resumeWindowMs) {
        // The player is still kept: retry soon, so play goes on as soon as the link is back.
        this.setState("resuming");
        this.startRetry(RESUME_RETRY_MIN_MS + this.options.random() * (RESUME_RETRY_MAX_MS - RESUME_RETRY_MIN_MS));
        return;
      }
      this.token = null;
      this.resumingSince = Number.NaN;
      this.backoff.reset();
      this.lastFailure = `could not resume within ${Math.round(this.options.resumeWindowMs / 1000)} s: ${this.lastFailure || closeReason(code)}`;
      this.handlers.error({ kind: "resume-failed", message: `${this.lastFailure}; joining as a new player`, code, retrying: true });
    }
    if (code === CloseCode.PlayerHeldElsewhere && this.retryHeldElsewhere()) return;
    const delay = this.backoff.next();
    if (delay === null) {
      this.giveUp(code);
      return;
    }
    this.setState("connecting");
    this.startRetry(delay);
  }

  /**
   * Another process still holds the player (its lease): after a crash it lapses within the
   * lease TTL, so retry at the resume interval for a while, without using up the backoff.
   */
  private retryHeldElsewhere(): boolean {
    const now = this.options.now();
    if (Number.isNaN(this.heldElsewhereSince)) this.heldElsewhereSince = now;
    if (now - this.heldElsewhereSince >= HELD_ELSEWHERE_WINDOW_MS) return false;
    this.setState("connecting");
    this.startRetry(RESUME_RETRY_MIN_MS + this.options.random() * (RESUME_RETRY_MAX_MS - RESUME_RETRY_MIN_MS));
    return true;
  }

  private giveUp(code: number): void {
    const message = `gave up after ${this.backoff.maxAttempts} attempts: ${this.lastFailure || closeReason(code)}`;
    this.handlers.error({ kind: "gave-up", message, code, retrying: false });
    this.finish({ code, reason: message, byClient: false });
  }

  private startRetry(delay: number): void {
    this.retryTimer = this.options.timers.setTimeout(() => {
      this.retryTimer = null;
      if (this.matchNeeded !== null) this.matchmake(this.matchNeeded);
      else this.openSocket();
    }, delay);
  }

  /** Forgets the current socket: its later events are ignored, its timers cancelled. */
  private detach(): void {
    const socket = this.socket;
    this.generation++;
    this.socket = null;
    this.welcomed = false;
    this.heldInput = null;
    this.outstandingPings.length = 0;
    this.reliable.connectionLost();
    this.clearTimer("handshakeTimer");
    this.clearTimer("pingTimer");
    this.clearTimer("preflightTimer");
    this.preflightAbort?.abort();
    this.preflightAbort = null;
    if (socket !== null) {
      socket.onopen = IGNORE;
      socket.onmessage = IGNORE;
      socket.onclose = IGNORE;
      // Keep an error listener: Node's ws throws on an 'error' event nobody listens to.
      socket.onerror = IGNORE;
    }
  }

  private finish(info: CloseInfo): void {
    this.clearTimer("retryTimer");
    this.stopMatchmaking();
    this.setState("closed");
    this.handlers.close(info);
  }

  private setState(next: ConnectionState): void {
    const previous = this.currentState;
    if (previous === next) return;
    this.currentState = next;
    this.handlers.state(next, previous);
  }

  private error(kind: ClientErrorKind, message: string, retrying: boolean): void {
    this.handlers.error({ kind, message, retrying });
  }

  private clearTimer(name: "handshakeTimer" | "retryTimer" | "pingTimer" | "preflightTimer" | "matchTimer"): void {
    if (this[name] === null) return;
    this.options.timers.clearTimeout(this[name]);
    this[name] = null;
  }

  // ── matchmaking (only with `options.matchmaker`) ──

  /** A Welcome arrived: the server works, and the reservation in the URL is spent. */
  private welcomedIn(world: string): void {
    this.lastWorld = world;
    this.failedAttempts = 0;
    this.failingSince = Number.NaN;
    if (this.options.matchmaker !== undefined) this.url = withoutReservation(this.url);
  }

  /**
   * Whether the socket that just ended sends the client back to the matchmaker: its server
   * is restarting, its world or session is gone, or it stopped answering for longer than a
   * crash takes to show (attempts in a row that reached no server, or time).
   */
  private rematchNeeded(code: number, welcomed: boolean): MatchmakingReason | null {
    if (this.options.matchmaker === undefined || this.options.reconnect === false) return null;
    const now = this.options.now();
    const refusal = this.refusal;
    const reason = rematchReason(code, refusal?.status ?? 0);
    if (reason !== null) return reason;
    if (welcomed || refusal !== null || code !== CloseCode.Abnormal) {
      // The server answered (a lost welcomed socket is resumed there first; a refusal such as
      // PlayerHeldElsewhere is retried there): it is alive, whatever else went wrong.
      this.failedAttempts = 0;
      this.failingSince = now;
      return null;
    }
    if (Number.isNaN(this.failingSince)) this.failingSince = now;
    this.failedAttempts++;
    const lost = this.failedAttempts >= MATCHMAKE_AFTER_FAILED_ATTEMPTS || now - this.failingSince >= MATCHMAKE_AFTER_LOSS_MS;
    return lost ? "server-lost" : null;
  }

  /** Schedules matchmaking again, with the join backoff (a drained crowd spreads out). */
  private rematch(reason: MatchmakingReason, code: number, text: string): void {
    this.lastFailure = text || closeReason(code);
    // A resume token is good only on the process that issued it. When the server merely
    // stopped answering, the matchmaker may name the same world again (our link was down):
    // the token is kept until the answer shows otherwise.
    if (reason !== "server-lost") this.forgetSession();
    if (code === CloseCode.ResumeFailed) {
      this.handlers.error({ kind: "resume-failed", message: this.lastFailure, code, retrying: true });
      if (this.currentState === "closed") return;
    }
    this.matchNeeded = reason;
    const delay = this.backoff.next();
    if (delay === null) {
      this.giveUp(code);
      return;
    }
    this.setState(this.token !== null ? "resuming" : "connecting");
    this.startRetry(delay);
  }

  /** Asks the matchmaker where to go, then connects there. */
  private matchmake(reason: MatchmakingReason): void {
    const matchmaker = this.options.matchmaker;
    if (matchmaker === undefined) return;
    this.matchNeeded = reason;
    const previousWorld = this.lastWorld;
    this.handlers.matchmaking({ reason, previousWorld });
    if (this.currentState === "closed") return;
    const abort = new AbortController();
    this.matchAbort = abort;
    this.matchTimer = this.options.timers.setTimeout(() => {
      this.matchTimer = null;
      abort.abort();
    }, MATCHMAKE_TIMEOUT_MS);
    askMatchmaker(matchmaker.fetch, matchmaker.endpoint, previousWorld, abort.signal).then((answer) => {
      if (this.matchAbort !== abort || this.currentState === "closed") return;
      this.matchAbort = null;
      this.clearTimer("matchTimer");
      this.matchAnswered(matchmaker, answer, reason, previousWorld);
    });
  }

  private matchAnswered(matchmaker: ConnectionMatchmaker, answer: MatchAnswer, reason: MatchmakingReason, previousWorld: string | null): void {
    if (!answer.ok) {
      this.lastFailure = answer.reason;
      const retrying = answer.retryable && this.options.reconnect !== false;
      this.handlers.error({ kind: "matchmaking", message: answer.reason, status: answer.status, retrying });
      if (this.currentState === "closed") return;
      if (!retrying) {
        this.finish({ code: CloseCode.Abnormal, reason: answer.reason, byClient: false });
        return;
      }
      const delay = this.backoff.next();
      if (delay === null) {
        this.giveUp(CloseCode.Abnormal);
        return;
      }
      this.startRetry(delay);
      return;
    }
    this.matchNeeded = null;
    this.failedAttempts = 0;
    const url = matchmaker.socketUrl(answer.url);
    if (this.token !== null && !sameWorld(url, this.url)) this.forgetSession();
    this.url = url;
    this.lastWorld = answer.world;
    this.handlers.matched({ world: answer.world, url, reason, previousWorld });
    if (this.currentState === "closed") return;
    if (this.token === null) this.setState("connecting");
    this.openSocket();
  }

  /** The session's resume token is of no use any more: the next attempt joins. */
  private forgetSession(): void {
    this.token = null;
    this.resumingSince = Number.NaN;
  }

  private stopMatchmaking(): void {
    this.clearTimer("matchTimer");
    this.matchAbort?.abort();
    this.matchAbort = null;
  }
}

/**
 * A world's inbox: every message a client sends, from its arrival to its effect. Rate
 * limit, size and frame checks, decoding and validation (bad input is refused with an
 * Error, counted, and closes the peer once it keeps coming), then Ping, Join and
 * Resume (handed to the session lifecycle), inputs (queued on the session, applied in
 * the tick), chat and commands (deduplicated by reliable id, run through the game).
 */
import { CloseCode, type CommandArg, closeReason, ErrorCode, type Schema } from "@tickwire/engine";
import {
  type ClientMessage,
  decodeClientMessage,
  encodeServerMessage,
  MAX_CLIENT_MESSAGE_BYTES,
  MsgType,
  NO_INPUT_TICK,
} from "@tickwire/engine/wire";
import type { Clock } from "./clock.js";
import { fitCloseReason } from "./close-reason.js";
import type { Peer } from "./peer.js";
import { errorLabel, type WorldCounters } from "./counters.js";
import type { GameContext, GameDefinition } from "./game.js";
import type { HandlerGuard } from "./handler-guard.js";
import type { Session } from "./session.js";
import type { SessionLifecycle } from "./session-lifecycle.js";

/**
 * Furthest ahead of the server's clock an input may be timed, ms: the client's lead is at
 * most 150 ms. Inputs timed later (a client sending faster than the tick rate, or a clock
 * running fast) are taken as timed for that point, where all but the newest are dropped,
 * so sending faster builds neither speed nor a backlog.
 */
const MAX_INPUT_AHEAD_MS = 250;

export class Inbox<S extends Schema, I> {
  constructor(
    private readonly game: GameDefinition<S, I>,
    private readonly ctx: GameContext<S>,
    private readonly lifecycle: SessionLifecycle<S, I>,
    private readonly guard: HandlerGuard,
    private readonly counters: WorldCounters,
    private readonly clock: Clock,
    /** Server time on the world's tick timeline, for Pong. */
    private readonly serverTime: (now: number) => number,
    /** Tick length, ms: tick N happens at server time N × tickMs. */
    private readonly tickMs: number,
  ) {}

  /** One WebSocket message. `data` is only valid during this call (uWS neuters it after). */
  receive(peer: Peer<Session<S, I>>, data: ArrayBuffer, isBinary: boolean): void {
    if (peer.closed) return;
    const now = this.clock();
    const counters = this.counters;
    counters.messagesIn++;
    counters.bytesIn += data.byteLength;
    if (!peer.admitMessage(now)) {
      counters.rateLimited++;
      if (!peer.tolerateDrop(now)) {
        this.lifecycle.closePeer(peer, CloseCode.InputFlood);
      } else if (!peer.limited) {
        peer.limited = true;
        this.sendError(peer, ErrorCode.RateLimited, "messages sent too fast; some were dropped");
      }
      return;
    }
    peer.limited = false;
    if (data.byteLength > MAX_CLIENT_MESSAGE_BYTES) {
      counters.metrics.invalidMessages.inc({ reason: "too_large" });
      this.lifecycle.closePeer(peer, CloseCode.MessageTooBig);
      return;
    }
    if (!isBinary) {
      this.refuse(peer, "text_frame", ErrorCode.Malformed, "text frames are not accepted: send binary msgpack");
      return;
    }
    const result = decodeClientMessage(new Uint8Array(data), this.game.input);
    if (!result.ok) {
      if (result.error.messageType === MsgType.Join && peer.session === undefined) {
        // A Join the protocol refuses (a blank name): a clear close at once, not a wait for a Welcome.
        counters.metrics.invalidMessages.inc({ reason: errorLabel(result.error.code) });
        this.lifecycle.closePeer(peer, CloseCode.JoinRefused, fitCloseReason(result.error.message, closeReason(CloseCode.JoinRefused)));
        return;
      }
      this.refuse(peer, errorLabel(result.error.code), result.error.code, result.error.message);
      return;
    }
    this.handle(peer, result.value, now);
  }

  private handle(peer: Peer<Session<S, I>>, message: ClientMessage<I>, now: number): void {
    if (message.type === MsgType.Ping) {
      peer.session?.sentEvents.confirm(message.lastEventSeq);
      peer.outbox.send(
        encodeServerMessage({
          type: MsgType.Pong,
          clientTime: message.clientTime,
          serverTime: this.serverTime(now),
          lastReliableId: peer.session?.lastReliableId ?? 0,
          inputMarginMs: peer.session?.takeInputMargin() ?? null,
        }),
      );
      return;
    }
    const session = peer.session;
    if (message.type === MsgType.Join || message.type === MsgType.Resume) {
      if (session !== undefined || this.lifecycle.isLoading(peer)) {
        this.refuse(peer, "already_joined", ErrorCode.AlreadyJoined, "this connection already has a player");
      } else if (message.type === MsgType.Join) {
        this.lifecycle.join(peer, message.name);
      } else {
        this.lifecycle.resume(peer, message.token, message.lastEventSeq);
      }
      return;
    }
    if (session === undefined) {
      this.refuse(peer, "not_joined", ErrorCode.NotJoined, "send Join or Resume first");
      return;
    }
    switch (message.type) {
      case MsgType.Input: {
        let tick = message.tick;
        if (tick !== NO_INPUT_TICK) {
          const serverTime = this.serverTime(now);
          tick = Math.min(tick, Math.ceil((serverTime + MAX_INPUT_AHEAD_MS) / this.tickMs));
          session.noteInputMargin(tick * this.tickMs - serverTime);
        }
        const refusal = session.queueInput(message.seq, message.input, tick);
        if (refusal !== undefined) this.counters.metrics.inputDrops.inc({ reason: refusal });
        return;
      }
      case MsgType.Chat:
        if (!session.acceptReliable(message.rid)) return;
        if (this.game.onChat === undefined) {
          this.sendError(peer, ErrorCode.UnknownCommand, "this game has no chat");
          return;
        }
        this.guard.invoke("onChat", () => this.game.onChat?.(this.ctx, session, message.text));
        return;
      case MsgType.Command:
        if (!session.acceptReliable(message.rid)) return;
        this.command(peer, session, message.name, message.args);
        return;
    }
  }

  private command(peer: Peer<Session<S, I>>, session: Session<S, I>, name: string, args: readonly CommandArg[]): void {
    const onCommand = this.game.onCommand;
    if (onCommand === undefined) {
      this.sendError(peer, ErrorCode.UnknownCommand, `unknown command "${name}"`);
      return;
    }
    const failed = this.guard.invoke("onCommand", () => onCommand.call(this.game, this.ctx, session, name, args));
    if (failed) this.sendError(peer, ErrorCode.CommandFailed, `command "${name}" failed`);
  }

  private refuse(peer: Peer<Session<S, I>>, reason: string, code: ErrorCode, message: string): void {
    this.counters.metrics.invalidMessages.inc({ reason });
    this.sendError(peer, code, message);
    if (!peer.tolerateInvalid(this.clock())) this.lifecycle.closePeer(peer, CloseCode.InvalidMessages);
  }

  private sendError(peer: Peer<Session<S, I>>, code: ErrorCode, message: string): void {
    peer.outbox.send(encodeServerMessage({ type: MsgType.Error, code, message }));
  }
}

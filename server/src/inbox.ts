/**
 * A world's inbox: every message a client sends, from its arrival to its effect. Rate
 * limit, size and frame checks, decoding and validation (bad input is refused with an
 * Error, counted, and closes the connection once it keeps coming), then Ping, Join and
 * Resume (handed to the session lifecycle), inputs (queued on the session, applied in
 * the tick), chat and commands (deduplicated by reliable id, run through the game).
 */
import { CloseCode, type CommandArg, ErrorCode, type Schema } from "@tickwire/engine";
import {
  type ClientMessage,
  decodeClientMessage,
  encodeServerMessage,
  MAX_CLIENT_MESSAGE_BYTES,
  MsgType,
} from "@tickwire/engine/wire";
import type { Clock } from "./clock.js";
import type { Connection } from "./connection.js";
import { errorLabel, type WorldCounters } from "./counters.js";
import type { GameContext, GameDefinition } from "./game.js";
import type { HandlerGuard } from "./handler-guard.js";
import type { Session } from "./session.js";
import type { SessionLifecycle } from "./session-lifecycle.js";

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
  ) {}

  /** One WebSocket message. `data` is only valid during this call (uWS neuters it after). */
  receive(connection: Connection<Session<S, I>>, data: ArrayBuffer, isBinary: boolean): void {
    if (connection.closed) return;
    const now = this.clock();
    const counters = this.counters;
    counters.messagesIn++;
    counters.bytesIn += data.byteLength;
    if (!connection.admitMessage(now)) {
      counters.rateLimited++;
      if (!connection.tolerateDrop(now)) {
        this.lifecycle.closeConnection(connection, CloseCode.InputFlood);
      } else if (!connection.limited) {
        connection.limited = true;
        this.sendError(connection, ErrorCode.RateLimited, "messages sent too fast; some were dropped");
      }
      return;
    }
    connection.limited = false;
    if (data.byteLength > MAX_CLIENT_MESSAGE_BYTES) {
      counters.metrics.invalidMessages.inc({ reason: "too_large" });
      this.lifecycle.closeConnection(connection, CloseCode.MessageTooBig);
      return;
    }
    if (!isBinary) {
      this.refuse(connection, "text_frame", ErrorCode.Malformed, "text frames are not accepted: send binary msgpack");
      return;
    }
    const result = decodeClientMessage(new Uint8Array(data), this.game.input);
    if (!result.ok) {
      this.refuse(connection, errorLabel(result.error.code), result.error.code, result.error.message);
      return;
    }
    this.handle(connection, result.value, now);
  }

  private handle(connection: Connection<Session<S, I>>, message: ClientMessage<I>, now: number): void {
    if (message.type === MsgType.Ping) {
      connection.outbox.send(
        encodeServerMessage({
          type: MsgType.Pong,
          clientTime: message.clientTime,
          serverTime: this.serverTime(now),
          lastReliableId: connection.session?.lastReliableId ?? 0,
        }),
      );
      return;
    }
    const session = connection.session;
    if (message.type === MsgType.Join || message.type === MsgType.Resume) {
      if (session !== undefined) {
        this.refuse(connection, "already_joined", ErrorCode.AlreadyJoined, "this connection already has a player");
      } else if (message.type === MsgType.Join) {
        this.lifecycle.join(connection, message.name);
      } else {
        this.lifecycle.resume(connection, message.token);
      }
      return;
    }
    if (session === undefined) {
      this.refuse(connection, "not_joined", ErrorCode.NotJoined, "send Join or Resume first");
      return;
    }
    switch (message.type) {
      case MsgType.Input: {
        const refusal = session.queueInput(message.seq, message.input);
        if (refusal !== undefined) this.counters.metrics.inputDrops.inc({ reason: refusal });
        return;
      }
      case MsgType.Chat:
        if (!session.acceptReliable(message.rid)) return;
        if (this.game.onChat === undefined) {
          this.sendError(connection, ErrorCode.UnknownCommand, "this game has no chat");
          return;
        }
        this.guard.invoke("onChat", () => this.game.onChat?.(this.ctx, session, message.text));
        return;
      case MsgType.Command:
        if (!session.acceptReliable(message.rid)) return;
        this.command(connection, session, message.name, message.args);
        return;
    }
  }

  private command(connection: Connection<Session<S, I>>, session: Session<S, I>, name: string, args: readonly CommandArg[]): void {
    const onCommand = this.game.onCommand;
    if (onCommand === undefined) {
      this.sendError(connection, ErrorCode.UnknownCommand, `unknown command "${name}"`);
      return;
    }
    const failed = this.guard.invoke("onCommand", () => onCommand.call(this.game, this.ctx, session, name, args));
    if (failed) this.sendError(connection, ErrorCode.CommandFailed, `command "${name}" failed`);
  }

  private refuse(connection: Connection<Session<S, I>>, reason: string, code: ErrorCode, message: string): void {
    this.counters.metrics.invalidMessages.inc({ reason });
    this.sendError(connection, code, message);
    if (!connection.tolerateInvalid(this.clock())) this.lifecycle.closeConnection(connection, CloseCode.InvalidMessages);
  }

  private sendError(connection: Connection<Session<S, I>>, code: ErrorCode, message: string): void {
    connection.outbox.send(encodeServerMessage({ type: MsgType.Error, code, message }));
  }
}

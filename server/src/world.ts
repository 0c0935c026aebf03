/**
 * One world: its entity store, its tick loop, its players and their connections. It
 * knows nothing about uWS: the server feeds it sockets (anything `SocketLike`) and their
 * messages, so tests can drive a world with fake sockets and a fake clock.
 *
 * Per tick (DESIGN.md, Data flow): queued inputs (at most the banked credit per player, in
 * seq order) → `step` → `store.commit()` → interest grid → every due client's snapshot,
 * right away so an input's ack leaves within the tick that applied it.
 */
import {
  ByteWriter,
  type ClientMessage,
  CloseCode,
  closeReason,
  type CommandArg,
  EntityStore,
  type Entity,
  type EntityBase,
  ErrorCode,
  encodeEvents,
  encodeServerMessage,
  FixedStep,
  type GameEvent,
  MAX_CLIENT_MESSAGE_BYTES,
  MAX_EVENT_NAME_LENGTH,
  MsgType,
  decodeClientMessage,
  retryable,
  Rng,
  type Schema,
  type SpawnInit,
  type TypeName,
  type WireValue,
} from "@tickwire/engine";
import type { Clock } from "./clock.js";
import { Connection, type ConnectionInfo, NO_CLOSE_CODE } from "./connection.js";
import {
  DEFAULT_CAPACITY,
  DEFAULT_TICK_RATE,
  type EventTarget,
  type GameContext,
  type GameDefinition,
  type Player,
} from "./game.js";
import type { ServerLimits } from "./limits.js";
import type { Logger } from "./log.js";
import type { ServerMetrics } from "./metrics.js";
import { type Outbox, OutboxStats, type SocketLike } from "./outbox.js";
import { createResumeToken, Session } from "./session.js";
import { SnapshotPipeline } from "./snapshot-pipeline.js";

/** Seed of `ctx.rng` when the game gives none. */
const DEFAULT_SEED = 1;

let lastSessionId = 0;

/** A metrics label for a close code: `stalled_reader`, or `code_1234` for codes we do not name. */
export function closeLabel(code: number): string {
  const name = (CloseCode as unknown as Record<number, string | undefined>)[code];
  return name === undefined ? `code_${code}` : snakeCase(name);
}

/** A metrics label for a protocol error code: `invalid_field`. */
function errorLabel(code: ErrorCode): string {
  return snakeCase(ErrorCode[code] ?? "unknown");
}

function snakeCase(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}

export interface WorldOptions<S extends Schema, I> {
  readonly id: string;
  readonly game: GameDefinition<S, I>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
  readonly limits: ServerLimits;
}

/**
 * Snapshots are built this many at a time, then sent: building and the kernel's send path
 * each keep their memory in cache (sending after each build cost about 4% more CPU at
 * 1000 clients); a client waits for at most this many others' builds.
 */
const SEND_BATCH = 64;

export class World<S extends Schema = Schema, I = unknown> {
  readonly id: string;
  readonly game: GameDefinition<S, I>;
  readonly store: EntityStore<S>;
  readonly tickRate: number;
  readonly capacity: number;
  readonly gameName: string;
  /** Players, connected or kept for resume. */
  readonly sessions = new Set<Session<S, I>>();
  private readonly byToken = new Map<string, Session<S, I>>();
  private readonly connections = new Set<Connection<S, I>>();
  /** Player sessions by their entity's id, for events sent near a point. */
  private sessionByEntity: (Session<S, I> | undefined)[] = [];
  private readonly pipeline: SnapshotPipeline<S>;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly metrics: ServerMetrics;
  private readonly limits: ServerLimits;
  private readonly stats = new OutboxStats();
  private readonly ctx: WorldContext<S, I>;
  private readonly fixedStep: FixedStep;
  private timer: NodeJS.Timeout | undefined;
  private closing = false;
  /** Admission slots held by upgrades and connections that have not joined yet. */
  private pending = 0;
  private disconnectedCount = 0;
  /** Events for everyone emitted since the last snapshots, and their shared encoding. */
  private readonly broadcast: GameEvent[] = [];
  private broadcastEncoded: Uint8Array | null = null;
  private readonly message = new ByteWriter(16 * 1024);
  /** Built snapshots waiting to be sent, written back to back: each one's end and outbox. */
  private readonly batch = new ByteWriter(64 * 1024);
  private readonly batchEnds = new Int32Array(SEND_BATCH);
  private readonly batchOutboxes: (Outbox | undefined)[] = [];
  private readonly nearIds: number[] = [];
  private messagesIn = 0;
  private bytesIn = 0;
  private rateLimited = 0;
  private eventsSent = 0;
  private lastDroppedTicks = 0;
  private readonly tickDuration;
  private readonly tickOverruns;
  private readonly droppedTicks;
  private readonly population;
  private readonly tickListeners: ((durationMs: number, tick: number) => void)[] = [];

  constructor(options: WorldOptions<S, I>) {
    this.id = options.id;
    this.game = options.game;
    this.gameName = options.game.name ?? "game";
    this.clock = options.clock;
    this.logger = options.logger.child({ world: options.id });
    this.metrics = options.metrics;
    this.limits = options.limits;
    this.tickRate = options.game.tickRate ?? DEFAULT_TICK_RATE;
    this.capacity = options.game.capacity ?? DEFAULT_CAPACITY;
    this.store = new EntityStore(options.game.schema);
    this.pipeline = new SnapshotPipeline(this.store, options.game.interest ?? "all", options.game.world);
    this.fixedStep = new FixedStep({ tickRate: this.tickRate, startTime: this.clock() });
    this.ctx = new WorldContext(this, new Rng(options.game.seed ?? DEFAULT_SEED));
    this.tickDuration = this.metrics.tickDuration.labels({ world: this.id });
    this.tickOverruns = this.metrics.tickOverruns.labels({ world: this.id });
    this.droppedTicks = this.metrics.droppedTicks.labels({ world: this.id });
    this.population = this.metrics.population.labels({ world: this.id });
    // Its spawns are committed with the first tick.
    if (this.game.onCreate !== undefined) this.invoke("onCreate", () => this.game.onCreate?.(this.ctx));
  }

  /**
   * Calls `listener` after every tick with its duration in ms (simulation, snapshot build
   * and send), for benchmarks and operators' own stats. Returns the unsubscribe function.
   */
  onTick(listener: (durationMs: number, tick: number) => void): () => void {
    this.tickListeners.push(listener);
    return () => {
      const index = this.tickListeners.indexOf(listener);
      if (index >= 0) this.tickListeners.splice(index, 1);
    };
  }

  get tickMs(): number {
    return this.fixedStep.tickMs;
  }

  /** Server time in ms on the world's tick timeline: tick N is simulated at N × tickMs. */
  serverTime(now = this.clock()): number {
    return now - this.fixedStep.tickToTime(0);
  }

  // ── admission (called by the handshake before a socket exists) ──

  /**
   * Why a new connection cannot be admitted now, or undefined. Players kept for resume do
   * not count against it: their connection may be the one coming back.
   */
  admissionRefusal(): string | undefined {
    if (this.closing) return "world closed";
    if (this.sessions.size - this.disconnectedCount + this.pending >= this.capacity) return "world full";
    return undefined;
  }

  /** Holds a slot for an upgrade in progress; `release` it if the upgrade fails. */
  reserve(): void {
    this.pending++;
  }

  release(): void {
    this.pending--;
  }

  // ── tick loop ──

  start(): void {
    if (this.timer !== undefined || this.closing) return;
    this.schedule();
  }

  private schedule(): void {
    // Whole milliseconds, rounded up: a timer that fires early only costs a second wake-up.
    this.timer = setTimeout(this.onTimer, Math.ceil(this.fixedStep.msUntilNextTick(this.clock())));
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    if (this.closing) return;
    const due = this.fixedStep.advance(this.clock());
    try {
      for (let i = 0; i < due; i++) this.runTick();
    } catch (error) {
      // Game code is already guarded; this is a server bug. Keep the world (and process) alive.
      this.handlerThrew("tick", error);
    }
    const dropped = this.fixedStep.droppedTicks;
    if (dropped !== this.lastDroppedTicks) {
      this.droppedTicks.inc(dropped - this.lastDroppedTicks);
      this.lastDroppedTicks = dropped;
    }
    if (!this.closing) this.schedule();
  };

  /** Runs one tick now. The timer calls it; tests may call it directly instead of start(). */
  runTick(): void {
    const started = this.clock();
    let backlogDrops = 0;
    for (const session of this.sessions) {
      if (session.connected) backlogDrops += session.drainInputs(this.applyInput);
    }
    if (backlogDrops > 0) this.metrics.inputDrops.inc({ reason: "backlog" }, backlogDrops);
    if (this.game.step !== undefined) this.invoke("step", () => this.game.step?.(this.ctx, 1 / this.tickRate));
    this.store.commit();
    this.pipeline.afterCommit();
    this.sendSnapshots(started);
    this.expire(started);
    this.flushMetrics();
    const durationMs = this.clock() - started;
    this.tickDuration.observe(durationMs / 1000);
    if (durationMs > this.fixedStep.tickMs) this.tickOverruns.inc();
    for (const listener of this.tickListeners) listener(durationMs, this.store.tick);
  }

  private sendSnapshots(now: number): void {
    const tick = this.store.tick;
    const batch = this.batch;
    let count = 0;
    for (const session of this.sessions) {
      this.trackEntity(session);
      const connection = session.connection as Connection<S, I> | undefined;
      if (connection === undefined) continue;
      const decision = connection.outbox.decide(tick, now);
      if (decision === "send") {
        this.pipeline.writeSnapshot(session, this.takeEvents(session), batch);
        this.batchOutboxes[count] = connection.outbox;
        this.batchEnds[count] = batch.length;
        if (++count === SEND_BATCH) {
          this.sendBatch(count, tick);
          count = 0;
        }
      } else if (decision === "stalled") {
        this.closeConnection(connection, CloseCode.StalledReader);
      }
    }
    this.sendBatch(count, tick);
    this.broadcast.length = 0;
    this.broadcastEncoded = null;
  }

  /** Sends the batch's `count` snapshots and empties it. */
  private sendBatch(count: number, tick: number): void {
    const { batch, batchEnds, batchOutboxes } = this;
    let start = 0;
    for (let i = 0; i < count; i++) {
      (batchOutboxes[i] as Outbox).sendSnapshotCorked(batch.bytes.subarray(start, batchEnds[i]), tick);
      batchOutboxes[i] = undefined;
      start = batchEnds[i];
    }
    batch.reset();
  }

  private sendSnapshot(session: Session<S, I>, connection: Connection<S, I>): void {
    const events = this.takeEvents(session);
    this.pipeline.writeSnapshot(session, events, this.message.reset());
    connection.outbox.sendSnapshotCorked(this.message.view(), this.store.tick);
  }

  /** The session's pending events, encoded (shared when they are exactly this tick's broadcast). */
  private takeEvents(session: Session<S, I>): Uint8Array | null {
    const events = session.events;
    if (events.length === 0) return null;
    this.eventsSent += events.length;
    let encoded: Uint8Array;
    const onlyBroadcast =
      !session.hasPersonalEvents && events.length === this.broadcast.length && events[0] === this.broadcast[0];
    if (onlyBroadcast) {
      this.broadcastEncoded ??= encodeEvents(this.broadcast);
      encoded = this.broadcastEncoded;
    } else {
      encoded = encodeEvents(events);
    }
    events.length = 0;
    session.hasPersonalEvents = false;
    return encoded;
  }

  /** Join timeouts and resume grace. */
  private expire(now: number): void {
    for (const connection of this.connections) {
      if (connection.session === undefined && now - connection.openedAt >= this.limits.joinTimeoutMs) {
        this.closeConnection(connection, CloseCode.JoinTimeout);
      }
    }
    if (this.disconnectedCount === 0) return;
    for (const session of this.sessions) {
      if (!session.connected && now - session.disconnectedAt >= this.limits.resumeGraceMs) {
        this.logger.info({ player: session.id, name: session.name }, "resume grace expired");
        this.leave(session);
      }
    }
  }

  private flushMetrics(): void {
    const { metrics, stats } = this;
    if (stats.messages > 0) {
      metrics.messagesOut.inc(stats.messages);
      metrics.bytesOut.inc(stats.bytes);
    }
    if (stats.snapshots > 0) {
      metrics.snapshotsSent.inc(stats.snapshots);
      metrics.snapshotBytes.inc(stats.snapshotBytes);
    }
    if (stats.skipped > 0) metrics.snapshotsSkipped.inc(stats.skipped);
    if (stats.rateDrops > 0) metrics.snapshotRateDrops.inc(stats.rateDrops);
    if (stats.sendDrops > 0) metrics.sendDrops.inc(stats.sendDrops);
    stats.reset();
    if (this.messagesIn > 0) {
      metrics.messagesIn.inc(this.messagesIn);
      metrics.bytesIn.inc(this.bytesIn);
      this.messagesIn = 0;
      this.bytesIn = 0;
    }
    if (this.rateLimited > 0) {
      metrics.rateLimited.inc(this.rateLimited);
      this.rateLimited = 0;
    }
    if (this.eventsSent > 0) {
      metrics.eventsSent.inc(this.eventsSent);
      this.eventsSent = 0;
    }
    this.population.set(this.sessions.size);
  }

  // ── connections (called by the transport) ──

  /** A socket opened after a successful handshake; it holds the slot reserved at the upgrade. */
  connect(socket: SocketLike, info: ConnectionInfo): Connection<S, I> {
    const connection = new Connection<S, I>(socket, info, this.limits, this.stats, this.clock());
    this.connections.add(connection);
    this.metrics.connections.inc();
    this.metrics.connectionsOpened.inc();
    this.logger.info({ ip: info.ip }, "connection open");
    // An upgrade whose auth hook resolved after shutdown began.
    if (this.closing) this.closeConnection(connection, CloseCode.GoingAway);
    return connection;
  }

  /** One WebSocket message. `data` is only valid during this call (uWS neuters it after). */
  receive(connection: Connection<S, I>, data: ArrayBuffer, isBinary: boolean): void {
    if (connection.closed) return;
    const now = this.clock();
    this.messagesIn++;
    this.bytesIn += data.byteLength;
    if (!connection.admitMessage(now)) {
      this.rateLimited++;
      if (!connection.tolerateDrop(now)) {
        this.closeConnection(connection, CloseCode.InputFlood);
      } else if (!connection.limited) {
        connection.limited = true;
        this.sendError(connection, ErrorCode.RateLimited, "messages sent too fast; some were dropped");
      }
      return;
    }
    connection.limited = false;
    if (data.byteLength > MAX_CLIENT_MESSAGE_BYTES) {
      this.metrics.invalidMessages.inc({ reason: "too_large" });
      this.closeConnection(connection, CloseCode.MessageTooBig);
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

  private handle(connection: Connection<S, I>, message: ClientMessage<I>, now: number): void {
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
        this.join(connection, message.name);
      } else {
        this.resume(connection, message.token);
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
        if (refusal !== undefined) this.metrics.inputDrops.inc({ reason: refusal });
        return;
      }
      case MsgType.Chat:
        if (!session.acceptReliable(message.rid)) return;
        if (this.game.onChat === undefined) {
          this.sendError(connection, ErrorCode.UnknownCommand, "this game has no chat");
          return;
        }
        this.invoke("onChat", () => this.game.onChat?.(this.ctx, session, message.text));
        return;
      case MsgType.Command:
        if (!session.acceptReliable(message.rid)) return;
        this.command(connection, session, message.name, message.args);
        return;
    }
  }

  private command(connection: Connection<S, I>, session: Session<S, I>, name: string, args: readonly CommandArg[]): void {
    const onCommand = this.game.onCommand;
    if (onCommand === undefined) {
      this.sendError(connection, ErrorCode.UnknownCommand, `unknown command "${name}"`);
      return;
    }
    const failed = this.invoke("onCommand", () => onCommand.call(this.game, this.ctx, session, name, args));
    if (failed) this.sendError(connection, ErrorCode.CommandFailed, `command "${name}" failed`);
  }

  private join(connection: Connection<S, I>, name: string): void {
    this.settleReservation(connection);
    if (this.sessions.size >= this.capacity || this.closing) {
      this.closeConnection(connection, this.closing ? CloseCode.WorldClosed : CloseCode.WorldFull);
      return;
    }
    const session = new Session<S, I>(
      ++lastSessionId,
      name,
      connection.info.identity,
      createResumeToken(),
      this.limits.inputQueueLength,
      this.limits.maxInputsPerTick,
      this.limits.inputBacklogTicks,
    );
    let entity: EntityBase | undefined;
    const failed = this.invoke("onJoin", () => {
      entity = this.game.onJoin(this.ctx, session);
    });
    if (failed || entity === undefined || !entity.alive) {
      if (!failed) this.logger.error({ name }, "onJoin must return the player's live entity");
      this.closeConnection(connection, CloseCode.InternalError);
      return;
    }
    session.entity = entity as Session<S, I>["entity"];
    this.sessions.add(session);
    this.byToken.set(session.resumeToken, session);
    this.trackEntity(session);
    this.attach(connection, session, false);
    this.logger.info({ player: session.id, name, ip: connection.info.ip }, "player joined");
  }

  private resume(connection: Connection<S, I>, token: string): void {
    this.settleReservation(connection);
    const session = this.byToken.get(token);
    if (session === undefined) {
      this.closeConnection(connection, CloseCode.ResumeFailed);
      return;
    }
    const previous = session.connection as Connection<S, I> | undefined;
    if (previous !== undefined) {
      // Detach first, so the old socket's close does not start a grace period.
      session.connection = undefined;
      previous.session = undefined;
      this.closeConnection(previous, CloseCode.SessionReplaced);
    } else {
      this.disconnectedCount--;
      session.disconnectedAt = -1;
    }
    session.resetView();
    this.attach(connection, session, true);
    this.logger.info({ player: session.id, name: session.name, ip: connection.info.ip }, "player resumed");
  }

  private attach(connection: Connection<S, I>, session: Session<S, I>, resumed: boolean): void {
    connection.session = session;
    session.connection = connection;
    const data = this.game.welcomeData === undefined ? undefined : this.welcomeData(session);
    connection.outbox.send(
      encodeServerMessage({
        type: MsgType.Welcome,
        playerId: session.entity?.id ?? 0,
        resumeToken: session.resumeToken,
        tickRate: this.tickRate,
        tick: this.store.tick,
        serverTime: this.serverTime(),
        lastReliableId: session.lastReliableId,
        resumed,
        world: this.id,
        ...(data === undefined ? {} : { data }),
      }),
    );
  }

  private welcomeData(session: Session<S, I>): WireValue | undefined {
    let data: WireValue | undefined;
    this.invoke("welcomeData", () => {
      data = this.game.welcomeData?.(this.ctx, session);
    });
    return data;
  }

  private settleReservation(connection: Connection<S, I>): void {
    if (!connection.reserved) return;
    connection.reserved = false;
    this.pending--;
  }

  /** The socket closed, whoever closed it. uWS calls this synchronously from ws.end(). */
  disconnected(connection: Connection<S, I>, code: number): void {
    connection.outbox.closed = true;
    if (!this.connections.delete(connection)) return;
    this.settleReservation(connection);
    this.metrics.connections.dec();
    const byServer = connection.closeCode !== NO_CLOSE_CODE;
    const effectiveCode = byServer ? connection.closeCode : code;
    this.metrics.clientsClosed.inc({ reason: closeLabel(effectiveCode) });
    const session = connection.session;
    const durationMs = Math.round(this.clock() - connection.openedAt);
    this.logger.info(
      { ip: connection.info.ip, player: session?.id, code: effectiveCode, reason: closeReason(effectiveCode), byServer, durationMs },
      "connection closed",
    );
    if (session === undefined || session.connection !== connection) return;
    session.connection = undefined;
    session.clearInputs();
    const goodbye = !byServer && code === CloseCode.Normal;
    if (goodbye || (byServer && !retryable(effectiveCode)) || this.closing) {
      this.leave(session);
      return;
    }
    session.disconnectedAt = this.clock();
    this.disconnectedCount++;
  }

  /** uWS drained the socket's buffer: a client that skipped snapshots catches up now. */
  drained(connection: Connection<S, I>): void {
    const session = connection.session;
    if (session === undefined || !connection.outbox.canCatchUp()) return;
    this.sendSnapshot(session, connection);
    this.flushMetrics();
  }

  /** Closes a connection with `code` and its standard reason. */
  closeConnection(connection: Connection<S, I>, code: CloseCode): void {
    if (connection.closed) return;
    connection.closeCode = code;
    connection.outbox.close(code, closeReason(code));
    // uWS reports the close synchronously; a fake socket might not.
    this.disconnected(connection, code);
  }

  private leave(session: Session<S, I>): void {
    if (!this.sessions.delete(session)) return;
    this.byToken.delete(session.resumeToken);
    if (!session.connected) this.disconnectedCount--;
    const connection = session.connection as Connection<S, I> | undefined;
    if (connection !== undefined) {
      session.connection = undefined;
      connection.session = undefined;
      this.closeConnection(connection, CloseCode.Kicked);
    }
    const entity = session.entity;
    this.invoke("onLeave", () => this.game.onLeave?.(this.ctx, session));
    if (entity !== undefined && session.entity === entity && entity.alive) this.store.despawn(entity);
    this.untrackEntity(session);
    this.logger.info({ player: session.id, name: session.name }, "player left");
  }

  /** Kicks a player: its connection closes with CloseCode.Kicked and it leaves now. */
  kick(session: Session<S, I>): void {
    const connection = session.connection as Connection<S, I> | undefined;
    if (connection !== undefined) this.closeConnection(connection, CloseCode.Kicked);
    this.leave(session);
  }

  // ── events ──

  emit(to: EventTarget<S>, name: string, data: WireValue = null): void {
    if (typeof name !== "string" || name.length === 0 || name.length > MAX_EVENT_NAME_LENGTH) {
      throw new TypeError(`event name must be 1..${MAX_EVENT_NAME_LENGTH} characters`);
    }
    const event: GameEvent = { name, data };
    if (to === "all") {
      this.broadcast.push(event);
      this.broadcastEncoded = null;
      for (const session of this.sessions) this.queueEvent(session, event, false);
      return;
    }
    if (to instanceof Session) {
      this.queueEvent(to as Session<S, I>, event, true);
      return;
    }
    const near = to as { x: number; y: number; radius?: number };
    const radius = near.radius ?? this.pipeline.interestRadius;
    const count = this.pipeline.queryRadius(near.x, near.y, radius, this.nearIds);
    for (let i = 0; i < count; i++) {
      const session = this.sessionByEntity[this.nearIds[i]];
      if (session !== undefined) this.queueEvent(session, event, true);
    }
  }

  private queueEvent(session: Session<S, I>, event: GameEvent, personal: boolean): void {
    session.events.push(event);
    if (personal) session.hasPersonalEvents = true;
    if (session.events.length <= this.limits.maxPendingEvents) return;
    // Never a silent drop: the client learns from the close (or a failed resume) that it missed events.
    session.events.length = 0;
    session.hasPersonalEvents = false;
    const connection = session.connection as Connection<S, I> | undefined;
    if (connection !== undefined) this.closeConnection(connection, CloseCode.EventOverflow);
    else this.logger.warn({ player: session.id }, "event queue overflowed while disconnected; events discarded");
  }

  // ── shutdown ──

  /** Stops ticking, flushes pending events, closes every client with `code`, and lets players leave. */
  shutdown(code: CloseCode = CloseCode.GoingAway): void {
    if (this.closing) return;
    this.closing = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const connection of [...this.connections]) {
      const session = connection.session;
      if (session !== undefined && session.events.length > 0) {
        connection.outbox.send(encodeServerMessage({ type: MsgType.Events, events: session.events }));
        session.events.length = 0;
      }
      this.closeConnection(connection, code);
    }
    for (const session of [...this.sessions]) this.leave(session);
    this.flushMetrics();
  }

  // ── internals ──

  private refuse(connection: Connection<S, I>, reason: string, code: ErrorCode, message: string): void {
    this.metrics.invalidMessages.inc({ reason });
    this.sendError(connection, code, message);
    if (!connection.tolerateInvalid(this.clock())) this.closeConnection(connection, CloseCode.InvalidMessages);
  }

  private sendError(connection: Connection<S, I>, code: ErrorCode, message: string): void {
    connection.outbox.send(encodeServerMessage({ type: MsgType.Error, code, message }));
  }

  /** Runs game code; a throw is logged and counted, never propagated. Returns true when it threw. */
  private invoke(handler: string, run: () => void): boolean {
    try {
      run();
      return false;
    } catch (error) {
      this.handlerThrew(handler, error);
      return true;
    }
  }

  private handlerThrew(handler: string, error: unknown): void {
    this.metrics.handlerErrors.inc({ world: this.id, handler });
    this.logger.error({ err: error, handler }, "game handler threw");
  }

  /** onInput without a closure per input: this runs for every input of every player. */
  private readonly applyInput = (session: Session<S, I>, input: I): void => {
    const onInput = this.game.onInput;
    if (onInput === undefined) return;
    try {
      onInput.call(this.game, this.ctx, session, input);
    } catch (error) {
      this.handlerThrew("onInput", error);
    }
  };

  /** Keeps `sessionByEntity` current when the game replaces a player's entity. */
  private trackEntity(session: Session<S, I>): void {
    const id = session.entity?.alive === true ? session.entity.id : -1;
    if (id === session.trackedEntityId) return;
    this.untrackEntity(session);
    if (id < 0) return;
    this.sessionByEntity[id] = session;
    session.trackedEntityId = id;
  }

  private untrackEntity(session: Session<S, I>): void {
    const id = session.trackedEntityId;
    if (id >= 0 && this.sessionByEntity[id] === session) this.sessionByEntity[id] = undefined;
    session.trackedEntityId = -1;
  }
}

/** The `ctx` handed to game code: a thin view of the world. */
class WorldContext<S extends Schema, I> implements GameContext<S> {
  constructor(
    private readonly world: World<S, I>,
    readonly rng: Rng,
  ) {}

  get worldId(): string {
    return this.world.id;
  }

  get store(): EntityStore<S> {
    return this.world.store;
  }

  get tick(): number {
    return this.world.store.tick + 1;
  }

  get time(): number {
    return this.tick * this.world.tickMs;
  }

  get tickRate(): number {
    return this.world.tickRate;
  }

  get players(): ReadonlySet<Player<S>> {
    return this.world.sessions;
  }

  spawn<K extends TypeName<S>>(type: K, init?: SpawnInit<S, K>): Entity<S, K> {
    return this.world.store.spawn(type, init);
  }

  despawn(entity: EntityBase | number): void {
    this.world.store.despawn(entity);
  }

  emit(to: EventTarget<S>, name: string, data?: WireValue): void {
    this.world.emit(to, name, data);
  }

  kick(player: Player<S>): void {
    if (player instanceof Session) this.world.kick(player as Session<S, I>);
  }
}

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
  CloseCode,
  closeReason,
  type CommandArg,
  EntityStore,
  type Entity,
  type EntityBase,
  ErrorCode,
  type GameEvent,
  MAX_EVENT_NAME_LENGTH,
  retryable,
  Rng,
  type Schema,
  type SpawnInit,
  type TypeName,
  type WireValue,
} from "@tickwire/engine";
import {
  ByteWriter,
  type ClientMessage,
  encodeEvents,
  encodeServerMessage,
  FixedStep,
  MAX_CLIENT_MESSAGE_BYTES,
  MsgType,
  decodeClientMessage,
} from "@tickwire/engine/wire";
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
import { type Refusal, refusals } from "./handshake.js";
import type { ServerLimits } from "./limits.js";
import type { Logger } from "./log.js";
import type { ServerMetrics } from "./metrics.js";
import { type Outbox, OutboxStats, type SocketLike } from "./outbox.js";
import { createResumeToken, Session } from "./session.js";
import { SnapshotPipeline } from "./snapshot/pipeline.js";
import { wireValueProblem } from "./wire-value.js";

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

/** How long /healthz reports a join refused as full below capacity: several probes see it. */
const FULL_REFUSAL_REPORT_MS = 10_000;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

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
  /**
   * Upgrades in progress (their ticket) and connections that have not joined yet, with their
   * address. They hold no player slot (that is taken at Join) but are bounded per address.
   */
  private readonly unjoined = new Map<object, string>();
  /** Players whose connection is gone, kept for resume: a set, so the count cannot drift. */
  private readonly awaitingResume = new Set<Session<S, I>>();
  /** Health (issue 10): when the last tick completed, since when every tick had a handler fail. */
  private lastTickCompletedAt: number;
  private failingSince: number | undefined;
  private failingHandler = "";
  private inTick = false;
  private tickHandlerFailures = 0;
  private fullRefusal: { at: number; population: number } | undefined;
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
    const seed = options.game.seed ?? DEFAULT_SEED;
    // A throw here fails the world's creation: handlers must never see a world without its state.
    const state = options.game.state?.({ worldId: this.id, tickRate: this.tickRate, seed });
    this.ctx = new WorldContext(this, new Rng(seed), state);
    this.tickDuration = this.metrics.tickDuration.labels({ world: this.id });
    this.tickOverruns = this.metrics.tickOverruns.labels({ world: this.id });
    this.droppedTicks = this.metrics.droppedTicks.labels({ world: this.id });
    this.population = this.metrics.population.labels({ world: this.id });
    this.lastTickCompletedAt = this.clock();
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

  /** Player slots free: capacity minus the players held, connected or kept for resume. */
  get openSlots(): number {
    return this.capacity - this.sessions.size;
  }

  /** Upgrades in progress and connections that have not sent Join or Resume yet. */
  get unjoinedCount(): number {
    return this.unjoined.size;
  }

  /**
   * Why a new connection cannot be admitted now, or undefined. A full world still admits
   * connections while a player is kept for resume: that connection may be the one coming
   * back (a Join on it is refused with WorldFull).
   */
  admissionRefusal(): string | undefined {
    if (this.closing) return "world closed";
    if (this.sessions.size >= this.capacity && this.awaitingResume.size === 0) return "world full";
    return undefined;
  }

  /**
   * Why a connection from `ip` cannot be admitted now: too many sockets not joined yet, in
   * the world or from that address, or the address already holds its share of the world.
   * Its players kept for resume do not count here, so they can come back.
   */
  addressRefusal(ip: string): Refusal | undefined {
    if (this.unjoined.size >= this.limits.maxUnjoined) return refusals.unavailable("world busy");
    let unjoinedFromIp = 0;
    for (const address of this.unjoined.values()) if (address === ip) unjoinedFromIp++;
    if (unjoinedFromIp >= this.limits.maxUnjoinedPerIp) return refusals.tooManyFromIp();
    let connectedFromIp = 0;
    for (const session of this.sessions) if (session.connected && session.address === ip) connectedFromIp++;
    if (unjoinedFromIp + connectedFromIp >= this.sharePerIp) return refusals.addressShare();
    return undefined;
  }

  /** Players (and unjoined sockets) one address may hold: its fraction of capacity, at least one. */
  get sharePerIp(): number {
    return Math.max(1, Math.floor(this.capacity * this.limits.maxWorldSharePerIp));
  }

  /** Counts an upgrade in progress from `ip`; hand the ticket to `connect`, or `release` it if the upgrade fails. */
  reserve(ip: string): object {
    const ticket = {};
    this.unjoined.set(ticket, ip);
    return ticket;
  }

  release(ticket: object): void {
    this.unjoined.delete(ticket);
  }

  /** The server refused a join as full; recorded for /healthz when the world was not. */
  noteFullRefusal(): void {
    const population = this.sessions.size;
    if (population < this.capacity) this.fullRefusal = { at: this.clock(), population };
  }

  /** What is wrong with this world, for /healthz, or undefined when it is healthy. */
  healthProblem(now = this.clock()): string | undefined {
    if (this.closing) return undefined;
    const limit = this.limits.unhealthyAfterMs;
    const sinceTick = now - this.lastTickCompletedAt;
    if (sinceTick >= limit) return `world ${this.id}: no tick completed for ${Math.round(sinceTick)} ms`;
    if (this.failingSince !== undefined && now - this.failingSince >= limit) {
      const ms = Math.round(now - this.failingSince);
      return `world ${this.id}: the ${this.failingHandler} handler has failed on every tick for ${ms} ms`;
    }
    const refusal = this.fullRefusal;
    if (refusal !== undefined && now - refusal.at < FULL_REFUSAL_REPORT_MS) {
      return `world ${this.id}: refused a join as full with ${refusal.population} of ${this.capacity} players`;
    }
    return undefined;
  }

  // ── tick loop ──

  start(): void {
    if (this.timer !== undefined || this.closing) return;
    this.lastTickCompletedAt = this.clock();
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
    this.inTick = true;
    this.tickHandlerFailures = 0;
    try {
      let backlogDrops = 0;
      for (const session of this.sessions) {
        if (session.connected) backlogDrops += session.drainInputs(this.applyInput);
      }
      if (backlogDrops > 0) this.metrics.inputDrops.inc({ reason: "backlog" }, backlogDrops);
      if (this.game.step !== undefined) this.invoke("step", () => this.game.step?.(this.ctx, 1 / this.tickRate));
      this.store.commit();
      this.pipeline.afterCommit();
      this.sendSnapshots(started);
    } finally {
      // Whatever failed above, this tick's broadcast is over and expiry still runs.
      this.inTick = false;
      this.broadcast.length = 0;
      this.broadcastEncoded = null;
      this.expire(started);
      this.flushMetrics();
    }
    if (this.tickHandlerFailures === 0) this.failingSince = undefined;
    else this.failingSince ??= started;
    const durationMs = this.clock() - started;
    this.lastTickCompletedAt = this.clock();
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
        const start = batch.length;
        try {
          this.pipeline.writeSnapshot(session, this.takeEvents(session), batch);
        } catch (error) {
          // One client's snapshot or events failed to encode: it alone is closed (kept for resume).
          batch.length = start;
          this.sendFailed(session, connection, error);
          continue;
        }
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
  }

  private sendFailed(session: Session<S, I>, connection: Connection<S, I>, error: unknown): void {
    this.metrics.sendFailures.inc();
    this.discardEvents(session);
    this.logger.error({ err: error, player: session.id }, "snapshot encoding failed; client closed");
    this.closeConnection(connection, CloseCode.InternalError);
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
    try {
      const events = this.takeEvents(session);
      this.pipeline.writeSnapshot(session, events, this.message.reset());
    } catch (error) {
      this.sendFailed(session, connection, error);
      return;
    }
    connection.outbox.sendSnapshotCorked(this.message.view(), this.store.tick);
  }

  /** The session's pending events, encoded (shared when they are exactly this tick's broadcast). */
  private takeEvents(session: Session<S, I>): Uint8Array | null {
    const events = session.events;
    if (events.length === 0) return null;
    let encoded: Uint8Array;
    const onlyBroadcast =
      !session.hasPersonalEvents && events.length === this.broadcast.length && events[0] === this.broadcast[0];
    if (onlyBroadcast) {
      this.broadcastEncoded ??= encodeEvents(this.broadcast);
      encoded = this.broadcastEncoded;
    } else {
      encoded = encodeEvents(events);
    }
    this.eventsSent += events.length;
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
    for (const session of this.awaitingResume) {
      if (now - session.disconnectedAt >= this.limits.resumeGraceMs) {
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

  /** A socket opened after a successful handshake; it takes over the upgrade's `ticket`. */
  connect(socket: SocketLike, info: ConnectionInfo, ticket?: object): Connection<S, I> {
    const connection = new Connection<S, I>(socket, info, this.limits, this.stats, this.clock());
    if (ticket !== undefined) this.unjoined.delete(ticket);
    this.unjoined.set(connection, info.ip);
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
    this.unjoined.delete(connection);
    if (this.sessions.size >= this.capacity || this.closing) {
      this.closeConnection(connection, this.closing ? CloseCode.WorldClosed : CloseCode.WorldFull);
      return;
    }
    const ip = connection.info.ip;
    let heldFromIp = 0;
    for (const session of this.sessions) if (session.address === ip) heldFromIp++;
    if (heldFromIp >= this.sharePerIp) {
      // This address holds its share of the world already (its players kept for resume count).
      this.closeConnection(connection, CloseCode.WorldFull);
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
      this.pipeline.createViewer(),
    );
    session.address = ip;
    const playerData = this.game.playerData;
    if (playerData !== undefined) {
      const failed = this.invoke("playerData", () => {
        session.data = playerData.call(this.game, this.ctx, session);
      });
      if (failed) {
        this.closeConnection(connection, CloseCode.InternalError);
        return;
      }
    }
    let entity: EntityBase | undefined;
    const failed = this.invoke("onJoin", () => {
      entity = this.game.onJoin(this.ctx, session);
      this.guardAsync("onJoin", entity);
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
    this.unjoined.delete(connection);
    const session = this.byToken.get(token);
    if (session === undefined) {
      this.closeConnection(connection, CloseCode.ResumeFailed);
      return;
    }
    if (session.eventsLost > 0) {
      // Its event queue overflowed while it was away: it learns so as a connected player
      // would, from an EventOverflow close; the player is kept and its next resume succeeds.
      this.logger.warn({ player: session.id, eventsLost: session.eventsLost }, "resume refused once: events were lost while away");
      session.eventsLost = 0;
      session.disconnectedAt = this.clock();
      this.closeConnection(connection, CloseCode.EventOverflow);
      return;
    }
    const previous = session.connection as Connection<S, I> | undefined;
    if (previous !== undefined) {
      // Detach first, so the old socket's close does not start a grace period.
      session.connection = undefined;
      previous.session = undefined;
      this.closeConnection(previous, CloseCode.SessionReplaced);
    } else {
      this.awaitingResume.delete(session);
      session.disconnectedAt = -1;
    }
    session.address = connection.info.ip;
    session.viewer.reset();
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
      const value = this.game.welcomeData?.(this.ctx, session);
      this.guardAsync("welcomeData", value);
      const problem = value === undefined ? undefined : wireValueProblem(value);
      if (problem !== undefined) throw new TypeError(`welcomeData ${problem}`);
      data = value;
    });
    return data;
  }

  /** The socket closed, whoever closed it. uWS calls this synchronously from ws.end(). */
  disconnected(connection: Connection<S, I>, code: number): void {
    connection.outbox.closed = true;
    if (!this.connections.delete(connection)) return;
    this.unjoined.delete(connection);
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
    this.awaitingResume.add(session);
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
    this.awaitingResume.delete(session);
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
    // Checked here, where the game can see the throw, not when it would stop a tick.
    const problem = wireValueProblem(data);
    if (problem !== undefined) throw new TypeError(`event "${name}" data ${problem}`);
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
    // Never a silent drop: the client learns from an EventOverflow close, now or when it resumes.
    const lost = this.discardEvents(session);
    const connection = session.connection as Connection<S, I> | undefined;
    if (connection !== undefined) {
      this.closeConnection(connection, CloseCode.EventOverflow);
    } else {
      session.eventsLost += lost;
      this.logger.warn({ player: session.id }, "event queue overflowed while disconnected; its resume will be told");
    }
  }

  /** Drops a session's pending events, counted; returns how many. */
  private discardEvents(session: Session<S, I>): number {
    const count = session.events.length;
    if (count > 0) this.metrics.eventsDiscarded.inc(count);
    session.events.length = 0;
    session.hasPersonalEvents = false;
    return count;
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

  /**
   * Runs game code; a throw, or the rejection of a handler that returned a promise, is
   * logged and counted, never propagated. Returns true when it threw.
   */
  private invoke(handler: string, run: () => unknown): boolean {
    try {
      this.guardAsync(handler, run());
      return false;
    } catch (error) {
      this.handlerThrew(handler, error);
      return true;
    }
  }

  /** An async handler's rejection is a throw that came late: logged and counted like one. */
  private guardAsync(handler: string, result: unknown): void {
    if (isThenable(result)) result.then(undefined, (error: unknown) => this.handlerThrew(handler, error));
  }

  private handlerThrew(handler: string, error: unknown): void {
    if (this.inTick) {
      this.tickHandlerFailures++;
      this.failingHandler = handler;
    }
    this.metrics.handlerErrors.inc({ world: this.id, handler });
    this.logger.error({ err: error, handler }, "game handler threw");
  }

  /** onInput without a closure per input: this runs for every input of every player. */
  private readonly applyInput = (session: Session<S, I>, input: I): void => {
    const onInput = this.game.onInput;
    if (onInput === undefined) return;
    try {
      this.guardAsync("onInput", onInput.call(this.game, this.ctx, session, input));
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
    readonly state: unknown,
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

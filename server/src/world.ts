/**
 * One world: its entity store and its tick loop, composed of the parts a reader can follow
 * one by one. It knows nothing about uWS: the server feeds it sockets (anything
 * `SocketLike`) and their messages, so tests can drive a world with fake sockets and a
 * fake clock.
 *
 * - `inbox.ts`: a client's message, from arrival to effect (validation, inputs, chat, commands);
 * - `session-lifecycle.ts`: admission, join, resume, disconnect, leave, expiry;
 * - `event-routing.ts`: where `ctx.emit` goes and each player's pending events;
 * - `snapshot/`: every client's snapshot after a tick;
 * - `counters.ts`, `handler-guard.ts`: what is counted, and game code that cannot stop a tick.
 *
 * Per tick (DESIGN.md, Data flow): queued inputs (at most the banked credit per player, in
 * seq order) → `step` → `store.commit()` → interest grid → every due client's snapshot,
 * right away so an input's ack leaves within the tick that applied it.
 */
import {
  CloseCode,
  type Entity,
  type EntityBase,
  EntityStore,
  Rng,
  type Schema,
  type SpawnInit,
  type TypeName,
  type WireValue,
} from "@tickwire/engine";
import { ByteWriter, FixedStep } from "@tickwire/engine/wire";
import type { Clock } from "./clock.js";
import type { Peer, PeerInfo } from "./peer.js";
import { WorldCounters } from "./counters.js";
import { EventRouter } from "./event-routing.js";
import {
  DEFAULT_CAPACITY,
  DEFAULT_TICK_RATE,
  type EventTarget,
  type GameContext,
  type GameDefinition,
  type GlobalChatMessage,
  type Player,
} from "./game.js";
import { HandlerGuard } from "./handler-guard.js";
import type { Refusal } from "./handshake.js";
import { Inbox } from "./inbox.js";
import type { ServerLimits } from "./limits.js";
import type { Logger } from "./log.js";
import type { ServerMetrics } from "./metrics.js";
import type { Outbox, SocketLike } from "./outbox.js";
import type { PlayerRecord } from "./persistence/player-store.js";
import type { PersistenceHost, PlayerPersistence } from "./persistence/world-persistence.js";
import { Session } from "./session.js";
import { SessionLifecycle } from "./session-lifecycle.js";
import { SnapshotPipeline } from "./snapshot/pipeline.js";

/** Seed of `ctx.rng` when the game gives none. */
const DEFAULT_SEED = 1;

export interface WorldOptions<S extends Schema, I> {
  readonly id: string;
  readonly game: GameDefinition<S, I>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
  readonly limits: ServerLimits;
  /** Loads and saves the players of a game with `persist` (one per server). */
  readonly persistence?: PlayerPersistence;
  /** What the world's game sees of the other worlds and processes; default this world alone. */
  readonly network?: WorldNetwork;
}

/** The world's view of the rest of the deployment (`cluster.ts` wires it to the message bus). */
export interface WorldNetwork {
  /** Players on every process. */
  totalPlayers(): number;
  /** Sends a global chat line to every world of every process. */
  globalChat(message: GlobalChatMessage): void;
}

/**
 * Snapshots are built this many at a time, then sent: building and the kernel's send path
 * each keep their memory in cache (sending after each build cost about 4% more CPU at
 * 1000 clients); a client waits for at most this many others' builds.
 */
const SEND_BATCH = 64;

/** How long /healthz reports a join refused as full below capacity: several probes see it. */
const FULL_REFUSAL_REPORT_MS = 10_000;

/** A peer of this world's players. */
export type WorldPeer<S extends Schema = Schema, I = unknown> = Peer<Session<S, I>>;

export class World<S extends Schema = Schema, I = unknown> implements PersistenceHost<Session<S, I>> {
  readonly id: string;
  readonly game: GameDefinition<S, I>;
  readonly store: EntityStore<S>;
  readonly tickRate: number;
  readonly capacity: number;
  readonly gameName: string;
  /** Players, connected or kept for resume. */
  readonly sessions = new Set<Session<S, I>>();
  private readonly pipeline: SnapshotPipeline<S>;
  private readonly lifecycle: SessionLifecycle<S, I>;
  private readonly inbox: Inbox<S, I>;
  private readonly events: EventRouter<S, I>;
  private readonly counters: WorldCounters;
  private readonly guard: HandlerGuard;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly metrics: ServerMetrics;
  private readonly limits: ServerLimits;
  private readonly ctx: WorldContext<S, I>;
  private readonly fixedStep: FixedStep;
  private timer: NodeJS.Timeout | undefined;
  /** Set by freeze(): no more ticks. */
  private frozen = false;
  /** Health (issue 10): when the last tick completed, since when every tick had a handler fail. */
  private lastTickCompletedAt: number;
  private failingSince: number | undefined;
  private fullRefusal: { at: number; population: number } | undefined;
  private readonly message = new ByteWriter(16 * 1024);
  /** Built snapshots waiting to be sent, written back to back: each one's end and outbox. */
  private readonly batch = new ByteWriter(64 * 1024);
  private readonly batchEnds = new Int32Array(SEND_BATCH);
  private readonly batchOutboxes: (Outbox | undefined)[] = [];
  private lastDroppedTicks = 0;
  private readonly tickDuration;
  private readonly tickOverruns;
  private readonly droppedTicks;
  private readonly tickListeners: ((durationMs: number, tick: number) => void)[] = [];
  // ── persistence hook: saves players of a game with `persist` (loads and leaves: session-lifecycle.ts) ──
  private readonly persistence: PlayerPersistence | undefined;
  readonly network: WorldNetwork;

  constructor(options: WorldOptions<S, I>) {
    this.id = options.id;
    this.game = options.game;
    this.gameName = options.game.name ?? "game";
    this.clock = options.clock;
    this.logger = options.logger.child({ world: options.id });
    this.metrics = options.metrics;
    this.limits = options.limits;
    this.persistence = options.game.persist === undefined ? undefined : options.persistence;
    this.network = options.network ?? {
      totalPlayers: () => this.sessions.size,
      globalChat: (message) => queueMicrotask(() => this.hearGlobalChat(message)),
    };
    this.tickRate = options.game.tickRate ?? DEFAULT_TICK_RATE;
    this.capacity = options.game.capacity ?? DEFAULT_CAPACITY;
    this.store = new EntityStore(options.game.schema);
    this.pipeline = new SnapshotPipeline(this.store, options.game.interest ?? "all", options.game.bounds);
    this.fixedStep = new FixedStep({ tickRate: this.tickRate, startTime: this.clock() });
    this.counters = new WorldCounters(this.metrics, this.id);
    this.guard = new HandlerGuard(this.id, this.metrics, this.logger);
    const seed = options.game.seed ?? DEFAULT_SEED;
    // A throw here fails the world's creation: handlers must never see a world without its state.
    const state = options.game.state?.({ worldId: this.id, tickRate: this.tickRate, seed });
    this.ctx = new WorldContext(this, new Rng(seed), state);
    this.events = new EventRouter(this.sessions, this.pipeline, this.limits, this.counters, this.logger, (peer, code) =>
      this.lifecycle.closePeer(peer, code),
    );
    this.lifecycle = new SessionLifecycle({
      sessions: this.sessions,
      events: this.events,
      world: this,
      game: this.game,
      ctx: this.ctx,
      store: this.store,
      pipeline: this.pipeline,
      capacity: this.capacity,
      guard: this.guard,
      counters: this.counters,
      clock: this.clock,
      logger: this.logger,
      limits: this.limits,
      persistence: this.persistence,
    });
    this.inbox = new Inbox(this.game, this.ctx, this.lifecycle, this.guard, this.counters, this.clock, (now) => this.serverTime(now), this.fixedStep.tickMs);
    this.tickDuration = this.metrics.tickDuration.labels({ world: this.id });
    this.tickOverruns = this.metrics.tickOverruns.labels({ world: this.id });
    this.droppedTicks = this.metrics.droppedTicks.labels({ world: this.id });
    this.lastTickCompletedAt = this.clock();
    // Its spawns are committed with the first tick.
    if (this.game.onCreate !== undefined) this.guard.invoke("onCreate", () => this.game.onCreate?.(this.ctx));
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

  // ── admission (called by the handshake before a socket exists; see session-lifecycle.ts) ──

  /** Player slots free: capacity minus the players held, connected or kept for resume. */
  get openSlots(): number {
    return this.capacity - this.sessions.size;
  }

  /** Upgrades in progress and connections that have not sent Join or Resume yet. */
  get unjoinedCount(): number {
    return this.lifecycle.unjoinedCount;
  }

  admissionRefusal(): string | undefined {
    return this.lifecycle.admissionRefusal();
  }

  addressRefusal(ip: string): Refusal | undefined {
    return this.lifecycle.addressRefusal(ip);
  }

  get sharePerIp(): number {
    return this.lifecycle.sharePerIp;
  }

  reserve(ip: string): object {
    return this.lifecycle.reserve(ip);
  }

  release(ticket: object): void {
    this.lifecycle.release(ticket);
  }

  /** The server refused a join as full; recorded for /healthz when the world was not. */
  noteFullRefusal(): void {
    const population = this.sessions.size;
    if (population < this.capacity) this.fullRefusal = { at: this.clock(), population };
  }

  /** What is wrong with this world, for /healthz, or undefined when it is healthy. */
  healthProblem(now = this.clock()): string | undefined {
    if (this.lifecycle.closing) return undefined;
    const limit = this.limits.unhealthyAfterMs;
    const sinceTick = now - this.lastTickCompletedAt;
    if (sinceTick >= limit) return `world ${this.id}: no tick completed for ${Math.round(sinceTick)} ms`;
    if (this.failingSince !== undefined && now - this.failingSince >= limit) {
      const ms = Math.round(now - this.failingSince);
      return `world ${this.id}: the ${this.guard.failingHandler} handler has failed on every tick for ${ms} ms`;
    }
    const refusal = this.fullRefusal;
    if (refusal !== undefined && now - refusal.at < FULL_REFUSAL_REPORT_MS) {
      return `world ${this.id}: refused a join as full with ${refusal.population} of ${this.capacity} players`;
    }
    return undefined;
  }

  // ── connections (called by the transport) ──

  /** A socket opened after a successful handshake; it takes over the upgrade's `ticket`. */
  connect(socket: SocketLike, info: PeerInfo, ticket?: object): WorldPeer<S, I> {
    return this.lifecycle.connect(socket, info, ticket);
  }

  /** One WebSocket message. `data` is only valid during this call (uWS neuters it after). */
  receive(peer: WorldPeer<S, I>, data: ArrayBuffer, isBinary: boolean): void {
    this.inbox.receive(peer, data, isBinary);
  }

  /** The socket closed, whoever closed it. uWS calls this synchronously from ws.end(). */
  disconnected(peer: WorldPeer<S, I>, code: number): void {
    this.lifecycle.disconnected(peer, code);
  }

  /** uWS drained the socket's buffer: a client that skipped snapshots catches up now. */
  drained(peer: WorldPeer<S, I>): void {
    const session = peer.session;
    if (session === undefined || !peer.outbox.canCatchUp()) return;
    this.sendSnapshot(session, peer);
    this.flushMetrics();
  }

  /** Closes a peer with `code` and its standard reason (or `reason`, at most 123 bytes). */
  closePeer(peer: WorldPeer<S, I>, code: CloseCode, reason?: string): void {
    this.lifecycle.closePeer(peer, code, reason);
  }

  /** Kicks a player: its peer closes with `code` (Kicked) and `reason`, and it leaves now. */
  kick(session: Session<S, I>, reason?: string, code: CloseCode = CloseCode.Kicked): void {
    this.lifecycle.kick(session, reason, code);
  }

  /** The game's record of a player (`persist.save`), guarded like any handler; undefined when it threw. */
  recordOf(session: Session<S, I>): PlayerRecord | undefined {
    const persist = this.game.persist;
    if (persist === undefined) return undefined;
    let record: PlayerRecord | undefined;
    this.guard.invoke("persist.save", () => {
      record = persist.save(this.ctx, session);
    });
    return record;
  }

  emit(to: EventTarget<S>, name: string, data: WireValue = null): void {
    this.events.emit(to, name, data);
  }

  // ── messages from the bus (cluster.ts): they run between ticks, like a client's chat ──

  /** A global chat line from any world: the game's `onGlobalChat`, guarded. */
  hearGlobalChat(message: GlobalChatMessage): void {
    const hook = this.game.onGlobalChat;
    if (hook === undefined || this.lifecycle.closing) return;
    this.guard.invoke("onGlobalChat", () => hook.call(this.game, this.ctx, message));
  }

  /** A server-wide announcement: the game's `onAnnounce`, or the `"announce"` event to everyone. */
  announce(text: string): void {
    if (this.lifecycle.closing) return;
    const hook = this.game.onAnnounce;
    if (hook === undefined) this.events.emit("all", "announce", { text });
    else this.guard.invoke("onAnnounce", () => hook.call(this.game, this.ctx, text));
  }

  /** The game's key of a player (`persist.key`), or undefined for a guest or a game that does not persist. */
  playerKey(session: Session<S, I>): string | undefined {
    const persist = this.game.persist;
    if (persist === undefined) return undefined;
    let key: string | undefined;
    this.guard.invoke("persist.key", () => {
      key = persist.key({ name: session.name, identity: session.identity });
    });
    return key;
  }

  /** Stops ticking without closing anyone (a drain saves the players of a world that no longer changes). */
  freeze(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.frozen = true;
  }

  // ── tick loop ──

  start(): void {
    if (this.timer !== undefined || this.lifecycle.closing || this.frozen) return;
    this.lastTickCompletedAt = this.clock();
    this.schedule();
  }

  private schedule(): void {
    // Whole milliseconds, rounded up: a timer that fires early only costs a second wake-up.
    this.timer = setTimeout(this.onTimer, Math.ceil(this.fixedStep.msUntilNextTick(this.clock())));
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    if (this.lifecycle.closing || this.frozen) return;
    const due = this.fixedStep.advance(this.clock());
    try {
      for (let i = 0; i < due; i++) this.runTick();
    } catch (error) {
      // Game code is already guarded; this is a server bug. Keep the world (and process) alive.
      this.guard.threw("tick", error);
    }
    const dropped = this.fixedStep.droppedTicks;
    if (dropped !== this.lastDroppedTicks) {
      this.droppedTicks.inc(dropped - this.lastDroppedTicks);
      this.lastDroppedTicks = dropped;
    }
    if (!this.lifecycle.closing) this.schedule();
  };

  /** Runs one tick now. The timer calls it; tests may call it directly instead of start(). */
  runTick(): void {
    const started = this.clock();
    const guard = this.guard;
    guard.inTick = true;
    guard.tickFailures = 0;
    try {
      let backlogDrops = 0;
      // The tick being simulated: the one committed below.
      const tick = this.store.tick + 1;
      for (const session of this.sessions) {
        if (session.connected) backlogDrops += session.drainInputs(this.runOnInput, tick);
      }
      if (backlogDrops > 0) this.metrics.inputDrops.inc({ reason: "backlog" }, backlogDrops);
      if (this.game.step !== undefined) guard.invoke("step", () => this.game.step?.(this.ctx, 1 / this.tickRate));
      this.store.commit();
      this.pipeline.afterCommit();
      this.sendSnapshots(started);
      // ── persistence hook: this tick's share of the periodic saves (handed to the saver, written after the tick) ──
      this.persistence?.tick(this, this.store.tick);
    } finally {
      // Whatever failed above, this tick's broadcast is over and expiry still runs.
      guard.inTick = false;
      this.events.endTick();
      this.lifecycle.expire(started);
      this.flushMetrics();
    }
    if (guard.tickFailures === 0) this.failingSince = undefined;
    else this.failingSince ??= started;
    const durationMs = this.clock() - started;
    this.lastTickCompletedAt = this.clock();
    this.tickDuration.observe(durationMs / 1000);
    if (durationMs > this.fixedStep.tickMs) this.tickOverruns.inc();
    for (const listener of this.tickListeners) listener(durationMs, this.store.tick);
  }

  /** onInput without a closure per input: this runs for every input of every player. */
  private readonly runOnInput = (session: Session<S, I>, input: I): void => {
    const onInput = this.game.onInput;
    if (onInput === undefined) return;
    try {
      this.guard.guardAsync("onInput", onInput.call(this.game, this.ctx, session, input));
    } catch (error) {
      this.guard.threw("onInput", error);
    }
  };

  private sendSnapshots(now: number): void {
    const tick = this.store.tick;
    const batch = this.batch;
    let count = 0;
    for (const session of this.sessions) {
      this.events.trackEntity(session);
      const peer = session.peer;
      if (peer === undefined) continue;
      const decision = peer.outbox.decide(tick, now);
      if (decision === "send") {
        const start = batch.length;
        try {
          const events = this.events.takeEvents(session);
          this.pipeline.writeSnapshot(session, events, this.events.takenFirstSeq, batch);
        } catch (error) {
          // One client's snapshot or events failed to encode: it alone is closed (kept for resume).
          batch.length = start;
          this.sendFailed(session, peer, error);
          continue;
        }
        this.batchOutboxes[count] = peer.outbox;
        this.batchEnds[count] = batch.length;
        if (++count === SEND_BATCH) {
          this.sendBatch(count, tick);
          count = 0;
        }
      } else if (decision === "stalled") {
        this.lifecycle.closePeer(peer, CloseCode.StalledReader);
      }
    }
    this.sendBatch(count, tick);
  }

  private sendFailed(session: Session<S, I>, peer: WorldPeer<S, I>, error: unknown): void {
    this.metrics.sendFailures.inc();
    this.events.discardEvents(session);
    this.logger.error({ err: error, player: session.id }, "snapshot encoding failed; client closed");
    this.lifecycle.closePeer(peer, CloseCode.InternalError);
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

  private sendSnapshot(session: Session<S, I>, peer: WorldPeer<S, I>): void {
    try {
      const events = this.events.takeEvents(session);
      this.pipeline.writeSnapshot(session, events, this.events.takenFirstSeq, this.message.reset());
    } catch (error) {
      this.sendFailed(session, peer, error);
      return;
    }
    peer.outbox.sendSnapshotCorked(this.message.view(), this.store.tick);
  }

  private flushMetrics(): void {
    this.counters.flush(this.sessions.size);
  }

  // ── shutdown ──

  /** Stops ticking, flushes pending events, closes every client with `code`, and lets players leave. */
  shutdown(code: CloseCode = CloseCode.GoingAway): void {
    if (this.lifecycle.closing) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.lifecycle.shutdown(code);
    this.flushMetrics();
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

  kick(player: Player<S>, reason?: string): void {
    if (player instanceof Session) this.world.kick(player as Session<S, I>, reason);
  }

  get totalPlayers(): number {
    return this.world.network.totalPlayers();
  }

  globalChat(from: string, text: string): void {
    this.world.network.globalChat({ world: this.world.id, from, text });
  }
}

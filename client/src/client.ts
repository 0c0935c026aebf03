import { CloseCode, type CommandArg, type GameEvent, type InputSchema, type Schema } from "@tickwire/engine";
import {
  AdaptiveDelay,
  ClockSync,
  DEFAULT_CORRECTION_EPSILON,
  decodeClientMessage,
  encodeClientMessage,
  DEFAULT_MAX_CATCH_UP_TICKS,
  InputTiming,
  MsgType,
  NO_INPUT_ACK,
  NO_INPUT_TICK,
  type SnapshotMessage,
  seqDiff,
  type WelcomeMessage,
} from "@tickwire/engine/wire";
import type { BackoffOptions } from "./backoff.js";
import {
  INPUT_BUFFERED_THRESHOLD,
  MAX_INPUT_LEAD_MS,
  PING_INTERVAL_MS,
  RELIABLE_BUFFER_CAPACITY,
  RESUME_WINDOW_MS,
  SILENCE_TIMEOUT_MS,
  WELCOME_TIMEOUT_MS,
} from "./constants.js";
import {
  type ClientError,
  type CloseInfo,
  Connection,
  type ConnectionMatchmaker,
  type ConnectionState,
  type DisconnectInfo,
  type FrameDirection,
  type ReliableMessage,
  type Timers,
} from "./connection.js";
import { Emitter } from "./emitter.js";
import { isMatchmakerUrl, type MatchInfo, type MatchmakingInfo } from "./matchmaking.js";
import { NetStats } from "./net-stats.js";
import { LocalPrediction, type PredictConfig } from "./prediction.js";
import type { FetchLike } from "./preflight.js";
import type { WebSocketConstructor } from "./socket.js";
import { type ClientEntity, ClientScene, type EntityRecord, type InterpolationOptions } from "./scene.js";

/** What the client needs to know about the game: the same schema and input the server uses. */
export interface ClientGame<S extends Schema, I, P = unknown> {
  /**
   * Without it the client runs light: `scene` stays null and snapshot bodies are not
   * applied (no entities), while inputs, acks and the 'snapshot' event work as usual.
   * For bot swarms that only measure.
   */
  schema?: S;
  input: InputSchema<I>;
  /** Predict the entity this client controls (Welcome's `entityId`) with the shared step; needs `schema`. */
  predict?: PredictConfig<P, I>;
  interpolation?: InterpolationOptions;
}

/** How to reach the game and play it; see the README's defaults table for `tuning`. */
export interface ConnectOptions<S extends Schema = Schema, I = unknown, P = unknown> {
  /** Player name sent in Join. */
  name: string;
  /** Auth token, sent as the `token` query parameter of the upgrade request. */
  token?: string;
  /** What the game is: its schema, input, prediction and interpolation, shared with the server. */
  game?: ClientGame<S, I, P>;
  /**
   * Input source for `update()`: called once per input tick (the server's tick rate) while
   * open; its value is predicted and sent. Without it, call `sendInput` yourself each tick.
   */
  input?: () => I;
  /** Delays, backoff and buffers; every field has a default (`src/constants.ts`). */
  tuning?: ClientTuning;
  /** What the client runs on: socket class, fetch, clock, timers, randomness, frame hook. */
  runtime?: ClientRuntime;
}

/** How the client behaves on the network. Defaults: the table in the package README. */
export interface ClientTuning {
  /** Reconnect policy, or false to end the session on the first connection loss. */
  reconnect?: BackoffOptions | false;
  /**
   * "aligned" (default): each input is timed to reach the server just before the tick that
   * applies it (InputTiming). "free": one input per tick on a timer of the client's own,
   * unrelated to the server's ticks (inputs then wait half a tick on average).
   */
  inputTiming?: "aligned" | "free";
  pingIntervalMs?: number;
  welcomeTimeoutMs?: number;
  silenceTimeoutMs?: number;
  /** How long after a drop the client retries resuming (at most 500 ms apart) before it joins as a new player. */
  resumeWindowMs?: number;
  /** Chat/command messages kept for delivery across reconnects. */
  reliableCapacity?: number;
  /** Socket bytes queued above which inputs are coalesced. */
  inputBufferedThreshold?: number;
}

/** What one `update()` does besides the defaults. */
export interface UpdateOptions {
  /** False: skip interpolation sampling, leaving every entity's `render` values as they were. Default true. */
  sample?: boolean;
}

/** What the client runs on: injected so that tests run on fake sockets and simulated time. */
export interface ClientRuntime {
  /** WebSocket implementation; default the global one (browsers). In Node pass `WebSocket` from `ws`. */
  WebSocket?: WebSocketConstructor;
  /**
   * `fetch` for the preflight that explains a connection attempt refused before it opened
   * (browsers hide the refusal's status and reason), and for matchmaking; default the global
   * one. null: no preflight (matchmaking then uses the global one).
   */
  fetch?: FetchLike | null;
  /** Clock in ms; default `performance.now`. */
  now?: () => number;
  /** Timer functions; default the global setTimeout/clearTimeout. */
  timers?: Timers;
  /** Uniform [0, 1) source for backoff jitter; default Math.random. */
  random?: () => number;
  /**
   * Called for every binary frame with its payload size: `now` is its arrival time ("in",
   * before the client handles it) or when it was handed to the socket ("out"). Frames of a
   * socket the client already dropped are not seen. A throw becomes a `listener` error.
   */
  onFrame?: (direction: FrameDirection, bytes: number, now: number) => void;
}

export interface ClientEvents<S extends Schema> {
  /** Every Welcome: the first join, each resume, or a new join after the server forgot us. */
  welcome: (welcome: WelcomeMessage) => void;
  /**
   * After a snapshot's state was applied (unless light) and its lifecycle events and game
   * events emitted; `now` is when its frame arrived.
   */
  snapshot: (snapshot: SnapshotMessage, now: number) => void;
  /** A clock-sync ping came back: its round trip in ms, and when the pong arrived. */
  pong: (rttMs: number, now: number) => void;
  /**
   * A socket closed (by the server, the network, or the client dropping a dead one), before
   * any retry is scheduled. Not emitted for `close()`.
   */
  disconnect: (info: DisconnectInfo) => void;
  /**
   * With a matchmaking URL: the client asks the matchmaker for a world, first to join and
   * again when its server restarts or is lost or its world is gone (`reason`), e.g. to show
   * "moving you to another server".
   */
  matchmaking: (info: MatchmakingInfo) => void;
  /** The matchmaker answered; the client connects to `url` (a 'welcome' follows once it is in). */
  matched: (info: MatchInfo) => void;
  spawn: (entity: ClientEntity<S>) => void;
  update: (entity: ClientEntity<S>, mask: number) => void;
  /** The entity left the client's view or the world; it is no longer in `entities`. */
  despawn: (entity: ClientEntity<S>) => void;
  /** Game events from the server, in the order it sent them. */
  event: (event: GameEvent) => void;
  state: (state: ConnectionState, previous: ConnectionState) => void;
  error: (error: ClientError) => void;
  /** The client is closed for good; the last event. */
  close: (info: CloseInfo) => void;
}

const defaultTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const defaultNow = (): number => performance.now();
/** Render time off real time by more than this between two samples was re-anchored (the delay itself drifts < 1 ms a frame). */
const RENDER_TIME_JUMP_MS = 10;
/** The adaptive delay moves the render clock by at most this fraction of real time (its increase rate, with room). */
const RENDER_DRIFT_FRACTION = 0.06;
/** After silence longer than this, remote entities snap to where they are instead of sliding there. */
const MAX_BLENDED_OUTAGE_MS = 1_500;
const NO_ENTITIES: readonly never[] = Object.freeze([]);

/**
 * A connected game client: connection and resume, clock sync, the authoritative mirror with
 * entity lifecycle events, prediction of the local player and interpolation of the rest.
 *
 * Drive it from the render loop: `update()` once per frame, then draw `entities` from their
 * `render` values. See the package README.
 */
export class TickwireClient<S extends Schema = Schema, I = unknown, P = unknown> {
  readonly stats = new NetStats();
  readonly clock = new ClockSync();
  /** Null without a game schema: snapshots are then only passed on as 'snapshot' events. */
  readonly scene: ClientScene<S> | null;
  private readonly emitter: Emitter<ClientEvents<S>>;
  private readonly connection: Connection;
  private readonly now: () => number;
  private readonly game: ClientGame<S, I, P> | undefined;
  private readonly inputTimingMode: "aligned" | "free";
  private prediction: LocalPrediction<P, I> | null = null;
  private predictionNeedsReset = false;
  private delay: AdaptiveDelay | null = null;
  /** Times inputs to reach the server just before their tick; null before the first Welcome. */
  private inputTiming: InputTiming | null = null;
  /** When the next input is due on the free-running schedule (inputTiming "free", or before clock sync has a sample). */
  private freeInputAt = Number.NaN;
  private lastWelcome: WelcomeMessage | null = null;
  private controlledId = -1;
  private tickRate = 0;
  private lastTick = -1;
  private nextSeq = 0;
  /** Without prediction: the last input seq sent, and how many inputs await an ack. */
  private lastSentSeq = -1;
  private unackedInputs = 0;
  private lastUpdateAt = Number.NaN;
  private lastRenderTime = Number.NaN;
  private lastSnapshotAt = Number.NaN;
  /** Time between the two newest snapshot arrivals. */
  private snapshotGapMs = 0;
  private lastSampleAt = Number.NaN;
  private readonly listener = {
    spawn: (entity: EntityRecord) => this.emitter.emit("spawn", entity as unknown as ClientEntity<S>),
    update: (entity: EntityRecord, mask: number) => this.emitter.emit("update", entity as unknown as ClientEntity<S>, mask),
    despawn: (entity: EntityRecord) => this.emitter.emit("despawn", entity as unknown as ClientEntity<S>),
    wantsUpdates: () => this.emitter.has("update"),
  };

  constructor(
    url: string | URL,
    private readonly options: ConnectOptions<S, I, P>,
  ) {
    const runtime = options.runtime ?? {};
    const tuning = options.tuning ?? {};
    this.now = runtime.now ?? defaultNow;
    this.inputTimingMode = tuning.inputTiming ?? "aligned";
    this.game = options.game;
    const schema = options.game?.schema;
    if (options.game?.predict !== undefined && schema === undefined) throw new TypeError("game.predict needs game.schema");
    this.scene = schema !== undefined ? new ClientScene(schema, options.game?.interpolation) : null;
    this.emitter = new Emitter<ClientEvents<S>>((error, event) => {
      if (event === "error") {
        // A throwing error listener must not loop back into itself: surface it outside.
        queueMicrotask(() => {
          throw error;
        });
        return;
      }
      const message = `a '${String(event)}' listener threw: ${String(error)}`;
      this.emitter.emit("error", { kind: "listener", message, retrying: true, cause: error });
    });
    const WebSocketImpl = runtime.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (WebSocketImpl === undefined) throw new TypeError("no global WebSocket: pass `runtime.WebSocket` (e.g. from 'ws') in connect's options");
    const fetch = runtime.fetch === undefined ? defaultFetch() : (runtime.fetch ?? undefined);
    const matchmaker = isMatchmakerUrl(url) ? matchmakerOf(url, options.token, fetch ?? defaultFetch()) : undefined;
    this.connection = new Connection(
      {
        url: matchmaker === undefined ? socketUrl(url, options.token) : "",
        matchmaker,
        name: options.name,
        WebSocket: WebSocketImpl,
        fetch,
        reconnect: tuning.reconnect ?? {},
        now: this.now,
        timers: runtime.timers ?? defaultTimers,
        random: runtime.random ?? Math.random,
        pingIntervalMs: tuning.pingIntervalMs ?? PING_INTERVAL_MS,
        welcomeTimeoutMs: tuning.welcomeTimeoutMs ?? WELCOME_TIMEOUT_MS,
        silenceTimeoutMs: tuning.silenceTimeoutMs ?? SILENCE_TIMEOUT_MS,
        resumeWindowMs: tuning.resumeWindowMs ?? RESUME_WINDOW_MS,
        reliableCapacity: tuning.reliableCapacity ?? RELIABLE_BUFFER_CAPACITY,
        inputBufferedThreshold: tuning.inputBufferedThreshold ?? INPUT_BUFFERED_THRESHOLD,
        stats: this.stats,
        onFrame: runtime.onFrame === undefined ? undefined : this.guardFrame(runtime.onFrame),
      },
      {
        state: (state, previous) => this.emitter.emit("state", state, previous),
        welcome: (message) => this.onWelcome(message),
        snapshot: (message, now) => this.onSnapshot(message, now),
        events: (message) => this.emitEvents(message.events),
        pong: (message, now) => {
          this.clock.addSample(message.clientTime, message.serverTime, now);
          if (message.inputMarginMs !== null) this.inputTiming?.observeMargin(message.inputMarginMs);
          this.emitter.emit("pong", now - message.clientTime, now);
        },
        disconnect: (info) => this.emitter.emit("disconnect", info),
        matchmaking: (info) => this.emitter.emit("matchmaking", info),
        matched: (info) => this.emitter.emit("matched", info),
        serverError: (message) =>
          this.emitter.emit("error", { kind: "server", message: message.message, code: message.code, retrying: true }),
        error: (error) => this.emitter.emit("error", error),
        close: (info) => this.emitter.emit("close", info),
      },
    );
  }

  get state(): ConnectionState {
    return this.connection.state;
  }

  /** The last Welcome (entityId, world, tickRate, data); null before the first. */
  get welcome(): WelcomeMessage | null {
    return this.lastWelcome;
  }

  /** Id of the entity this client controls: Welcome's `entityId` unless `controlEntity` changed it; -1 before. */
  get entityId(): number {
    return this.controlledId;
  }

  /** Every known entity (remote and local), in no particular order. */
  get entities(): readonly ClientEntity<S>[] {
    return (this.scene?.entities ?? NO_ENTITIES) as unknown as readonly ClientEntity<S>[];
  }

  get(id: number): ClientEntity<S> | undefined {
    return this.scene?.get(id) as ClientEntity<S> | undefined;
  }

  /** The entity this client controls, once the server has sent it. */
  get local(): ClientEntity<S> | undefined {
    return this.scene?.local as ClientEntity<S> | undefined;
  }

  /** The predicted state of the local entity; undefined without prediction or before its first snapshot. */
  get predicted(): P | undefined {
    return this.prediction?.ready ? this.prediction.state : undefined;
  }

  /**
   * The visual offset still hiding the last corrections of a predicted field (0 without
   * prediction); it decays to 0. A game that draws the local entity from `predicted` its own
   * way (say, stepping a grid walk between ticks) adds it so corrections stay smooth.
   */
  correctionOf(field: keyof P & string): number {
    return this.prediction?.correctionOf(field) ?? 0;
  }

  /** Chat and command messages not yet known to be delivered. */
  get pendingReliable(): number {
    return this.connection.reliablePending;
  }

  /** Inputs sent and not yet acknowledged by a snapshot. */
  get pendingInputs(): number {
    return this.prediction?.reconciler.pendingCount ?? this.unackedInputs;
  }

  /** Current interpolation delay behind the snapshot stream, ms (0 before the first Welcome). */
  get interpolationDelayMs(): number {
    return this.delay?.delayMs ?? 0;
  }

  /** Whether the interpolation delay has settled on its target. */
  get interpolationSettled(): boolean {
    return this.delay?.settled ?? false;
  }

  on<K extends keyof ClientEvents<S>>(event: K, listener: ClientEvents<S>[K]): () => void {
    return this.emitter.on(event, listener);
  }

  off<K extends keyof ClientEvents<S>>(event: K, listener: ClientEvents<S>[K]): void {
    this.emitter.off(event, listener);
  }

  /** Estimated server clock (ms) at local time `now`. */
  serverNow(now = this.now()): number {
    return this.clock.serverNow(now);
  }

  /**
   * The server time remote entities are drawn at: the snapshot timeline as it typically
   * arrives, minus the adaptive interpolation delay. NaN before the first snapshot.
   */
  renderTime(now = this.now()): number {
    return this.delay?.renderTime(now) ?? Number.NaN;
  }

  /**
   * One input tick: applies `input` to the predicted state at once and sends it with the next
   * seq. Returns the seq, or -1 when nothing was sent (not open, or the local entity has not
   * arrived yet): inputs are never queued while disconnected.
   */
  sendInput(input: I): number {
    return this.sendInputDue(input, this.now());
  }

  /** Sends an input that was due at `dueAt` (the local player is drawn from that moment on). */
  private sendInputDue(input: I, dueAt: number): number {
    const game = this.game;
    if (game === undefined) throw new TypeError("sendInput needs connect's `game` option (its input schema)");
    if (this.connection.state !== "open") return -1;
    const values = game.input.encode(input);
    let seq: number;
    if (this.prediction !== null) {
      if (!this.prediction.ready || this.predictionNeedsReset) return -1;
      seq = this.prediction.applyInput(input, dueAt);
    } else {
      seq = this.nextSeq;
      this.nextSeq = (seq + 1) & 0xffff;
      this.lastSentSeq = seq;
      this.unackedInputs++;
    }
    const timing = this.inputTiming;
    const now = this.now();
    // The tick it is timed for, so the server applies it in that tick whatever the jitter.
    const tick = timing !== null && this.timesInputs ? timing.targetTick(this.serverArrival(now)) : NO_INPUT_TICK;
    this.connection.sendInput(seq, values, tick);
    if (timing !== null) {
      // A free schedule keeps its phase; after a stall it restarts instead of bursting.
      const stalled = Number.isNaN(this.freeInputAt) || now - this.freeInputAt > timing.tickMs * DEFAULT_MAX_CATCH_UP_TICKS;
      this.freeInputAt = stalled ? now + timing.tickMs : this.freeInputAt + timing.tickMs;
      if (tick !== NO_INPUT_TICK) timing.sent(seq, tick);
    }
    return seq;
  }

  /**
   * Local time at which the next input should go out: timed to reach the server just before
   * the tick that will apply it (InputTiming), once clock sync has a sample; before that, or
   * with inputTiming "free", one tick after the last input. Infinity before the first Welcome.
   */
  nextInputTime(now = this.now()): number {
    const timing = this.inputTiming;
    if (timing === null) return Number.POSITIVE_INFINITY;
    if (!this.timesInputs) return Number.isNaN(this.freeInputAt) ? now : this.freeInputAt;
    const arrival = this.serverArrival(now);
    // sendServerTime is on the server clock; the same offset brings it back to ours.
    return now + timing.sendServerTime(timing.targetTick(arrival), 0) - arrival;
  }

  /** Inputs follow InputTiming: it is asked for, and clock sync has a sample to time them by. */
  private get timesInputs(): boolean {
    return this.inputTimingMode === "aligned" && this.clock.sampleCount > 0;
  }

  /** Estimated server time at which something sent now arrives: server now plus half the RTT. */
  private serverArrival(now: number): number {
    return this.clock.serverNow(now) + this.clock.rtt / 2;
  }

  /** How long before its tick an input is meant to arrive, ms (NaN before the first Welcome). */
  get inputLeadMs(): number {
    return this.inputTiming?.leadMs ?? Number.NaN;
  }

  /**
   * Call once per rendered frame: runs due input ticks (with the `input` option), sends a
   * held input once the socket drains, advances the correction smoothing and the adaptive
   * delay, samples every entity at the render time, and refreshes the net stats.
   * With `{ sample: false }` it does all of that but the sampling: `render` values stay as
   * they were (for clients that draw nothing, such as bots; the costliest part by far).
   */
  update(now = this.now(), options?: UpdateOptions): void {
    const dt = Number.isNaN(this.lastUpdateAt) ? 0 : now - this.lastUpdateAt;
    this.lastUpdateAt = now;
    this.connection.poll();
    const source = this.options.input;
    if (source !== undefined) {
      // Frames are coarser than the schedule: catch up on ticks a slow frame passed.
      for (let i = 0; i < DEFAULT_MAX_CATCH_UP_TICKS; i++) {
        const due = this.nextInputTime(now);
        if (now < due || this.sendInputDue(source(), due) < 0) break;
      }
    }
    if (dt > 0) {
      this.prediction?.update(dt);
      this.delay?.update(dt);
    }
    // Re-anchoring after an outage may move the render clock back: hold instead, so nothing
    // drawn walks backwards.
    const renderTime = Math.max(this.renderTime(now), this.lastRenderTime);
    if (options?.sample !== false) this.sample(Number.isNaN(renderTime) ? this.renderTime(now) : renderTime, now);
    const stats = this.stats;
    stats.rttMs = this.clock.rtt;
    stats.jitterMs = this.clock.jitter;
    stats.clockOffsetMs = this.clock.offset;
    if (this.delay !== null) {
      stats.interpDelayMs = this.delay.delayMs;
      stats.interpTargetMs = this.delay.targetMs;
    }
    if (this.scene !== null && this.tickRate > 0) {
      stats.bufferAheadMs = this.scene.newestSnapshotTime - renderTime;
      stats.bufferDepth = Math.max(0, (stats.bufferAheadMs * this.tickRate) / 1000);
    }
    stats.update(now);
  }

  /**
   * Writes every entity's `render` values at `renderTime`: remote entities interpolated,
   * the local one predicted and smoothed. Allocation-free; `update()` calls it.
   */
  sample(renderTime: number, now = this.now()): void {
    const scene = this.scene;
    if (scene === null) return;
    // The render clock moves with real time (give or take the delay's slow drift); a jump
    // means it was re-anchored after an outage.
    const elapsed = now - this.lastSampleAt;
    // Beyond what the delay's own drift (at most 5% of the elapsed time) explains.
    const jumped = Math.abs(renderTime - this.lastRenderTime - elapsed) > RENDER_TIME_JUMP_MS + RENDER_DRIFT_FRACTION * elapsed;
    this.lastRenderTime = renderTime;
    this.lastSampleAt = now;
    scene.sample(renderTime, jumped, this.snapshotGapMs < MAX_BLENDED_OUTAGE_MS);
    const local = scene.local;
    if (local !== undefined && this.prediction?.ready) this.prediction.draw(local.fields, local.drawn, now);
  }

  /** Sends a chat line, delivered exactly once even across reconnects. False (and an error event) if refused. */
  chat(text: string): boolean {
    return this.sendReliable({ type: MsgType.Chat, rid: 0, text });
  }

  /** Sends a game command, delivered exactly once even across reconnects. False (and an error event) if refused. */
  command(name: string, args: readonly CommandArg[] = []): boolean {
    return this.sendReliable({ type: MsgType.Command, rid: 0, name, args: [...args] });
  }

  /**
   * Makes `id` the entity this client controls and predicts, e.g. after the game respawned
   * the player as a new entity and told the client with an event.
   */
  controlEntity(id: number): void {
    this.scene?.setLocalId(id);
    this.controlledId = id;
    this.predictionNeedsReset = true;
  }

  /**
   * Leaves for good: the server ends the player's session at once. The only way a session
   * ends by the client's choice; every other socket the client drops keeps the player for resume.
   */
  leave(): void {
    this.connection.close(CloseCode.Normal, "left");
  }

  /** Same as `leave()`. */
  close(): void {
    this.leave();
  }

  /** Starts connecting; `connect()` calls it. */
  start(): this {
    this.connection.start();
    return this;
  }

  private sendReliable(message: ReliableMessage): boolean {
    // Validate with the server's own rules now, rather than after a round trip.
    const check = decodeClientMessage(encodeClientMessage({ ...message, rid: 1 }));
    if (!check.ok) {
      this.emitter.emit("error", { kind: "invalid-message", message: check.error.message, retrying: true });
      return false;
    }
    return this.connection.sendReliable(message);
  }

  private onWelcome(message: WelcomeMessage): void {
    const newTimeline = message.tickRate !== this.tickRate || (!message.resumed && message.tick < this.lastTick);
    if (newTimeline) {
      this.tickRate = message.tickRate;
      this.lastTick = -1;
      this.delay = new AdaptiveDelay({ snapshotIntervalMs: 1000 / message.tickRate });
      this.scene?.resetTimeline();
      const predict = this.game?.predict;
      if (predict !== undefined) this.prediction = new LocalPrediction(predict, 1 / message.tickRate);
    }
    if (!message.resumed) {
      this.lastRenderTime = Number.NaN;
      this.clock.reset();
      // A new player: the server will never acknowledge the old one's inputs.
      this.unackedInputs = 0;
    }
    if (newTimeline) this.inputTiming = new InputTiming({ tickMs: 1000 / message.tickRate, maxLeadMs: MAX_INPUT_LEAD_MS });
    else {
      this.inputTiming?.reset();
      // The outage before this resume is no measure of jitter: keep the delay, forget the gap.
      this.delay?.restart();
    }
    this.freeInputAt = Number.NaN;
    this.lastWelcome = message;
    this.controlledId = message.entityId;
    this.scene?.setLocalId(message.entityId);
    this.predictionNeedsReset = true;
    this.stats.newConnection();
    this.emitter.emit("welcome", message);
  }

  private onSnapshot(message: SnapshotMessage, now: number): void {
    this.stats.recordSnapshot(now, message.tick);
    this.snapshotGapMs = Number.isNaN(this.lastSnapshotAt) ? 0 : now - this.lastSnapshotAt;
    this.lastSnapshotAt = now;
    this.lastTick = message.tick;
    this.inputTiming?.acked(message.tick, message.ackSeq, now);
    const scene = this.scene;
    if (scene !== null) {
      // The server's clock runs on its tick timeline: tick N happens at N × tick length.
      const time = (message.tick * 1000) / this.tickRate;
      const result = scene.apply(message.body, message.tick, time, this.listener);
      if (!result.ok) {
        // Out of sync with the server: a resume brings a full snapshot.
        this.emitter.emit("error", { kind: "protocol", message: `snapshot not applicable: ${result.message}`, retrying: true });
        this.connection.resync(result.message);
        return;
      }
      this.delay?.onSnapshot(now, time);
      this.reconcile(message.ackSeq, now);
    }
    if (this.prediction === null && message.ackSeq !== NO_INPUT_ACK && this.unackedInputs > 0) {
      this.unackedInputs = Math.min(this.unackedInputs, Math.max(0, seqDiff(this.lastSentSeq, message.ackSeq)));
    }
    this.emitEvents(message.events);
    this.emitter.emit("snapshot", message, now);
  }

  private reconcile(ackSeq: number, now: number): void {
    const prediction = this.prediction;
    if (prediction === null) return;
    const local = this.scene?.local;
    if (local === undefined) {
      // Not in view (or despawned): start over from its state when it is back.
      this.predictionNeedsReset = true;
      return;
    }
    if (this.predictionNeedsReset || !prediction.ready) {
      prediction.reset(local.values);
      this.predictionNeedsReset = false;
      return;
    }
    const error = prediction.reconcile(local.values, ackSeq);
    if (error > DEFAULT_CORRECTION_EPSILON) this.stats.recordCorrection(now, error);
  }

  /** Wraps the frame hook so a throw cannot break the socket handler it runs in. */
  private guardFrame(onFrame: NonNullable<ClientRuntime["onFrame"]>): NonNullable<ClientRuntime["onFrame"]> {
    return (direction, bytes, now) => {
      try {
        onFrame(direction, bytes, now);
      } catch (error) {
        this.emitter.emit("error", { kind: "listener", message: `onFrame threw: ${String(error)}`, retrying: true, cause: error });
      }
    };
  }

  private emitEvents(events: readonly GameEvent[]): void {
    for (let i = 0; i < events.length; i++) this.emitter.emit("event", events[i]);
  }
}

/** Adds the token to the URL; resolves a path against the page's location in browsers. */
function socketUrl(url: string | URL, token: string | undefined): string {
  const location = (globalThis as { location?: { href: string } }).location;
  const resolved = new URL(url, location?.href);
  if (resolved.protocol === "http:") resolved.protocol = "ws:";
  else if (resolved.protocol === "https:") resolved.protocol = "wss:";
  if (token !== undefined) resolved.searchParams.set("token", token);
  return resolved.toString();
}

/** The matchmaking endpoint `url` (resolved against the page in browsers) and how to reach its answers. */
function matchmakerOf(url: string | URL, token: string | undefined, fetch: FetchLike | undefined): ConnectionMatchmaker {
  if (fetch === undefined) throw new TypeError("matchmaking needs fetch: pass `runtime.fetch` in connect's options");
  const location = (globalThis as { location?: { href: string } }).location;
  const endpoint = new URL(url, location?.href);
  return {
    endpoint: endpoint.toString(),
    fetch,
    socketUrl(answered) {
      const socket = new URL(socketUrl(answered, token));
      // Reached over TLS (a proxy in front), a server that knows only its own ws:// address is
      // behind the same TLS; a browser would refuse ws:// from an https page anyway.
      if (endpoint.protocol === "https:" && socket.protocol === "ws:") socket.protocol = "wss:";
      return socket.toString();
    },
  };
}

/**
 * Connects to a tickwire server. `url` is the world's WebSocket URL, e.g.
 * `ws://localhost:8080/ws?world=main` (a path like `/ws?world=main` resolves against the
 * page in browsers), or a matchmaking endpoint: an http(s) URL or a path ending in
 * `/matchmake` (`/matchmake?game=quest`). With a matchmaker the client asks it for a world,
 * and asks again (as the same player, `token`) when its server restarts or is lost or its
 * world is gone. The client starts connecting at once; listen for 'welcome' or 'state'.
 */
export function connect<S extends Schema = Schema, I = unknown, P = unknown>(
  url: string | URL,
  options: ConnectOptions<S, I, P>,
): TickwireClient<S, I, P> {
  return new TickwireClient(url, options).start();
}

/** The global fetch, bound (some browsers throw on an unbound call), or undefined where there is none. */
function defaultFetch(): FetchLike | undefined {
  const global = globalThis as { fetch?: FetchLike };
  return typeof global.fetch === "function" ? global.fetch.bind(globalThis) : undefined;
}

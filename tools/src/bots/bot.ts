import { connect, INPUT_BUFFERED_THRESHOLD, type Timers, type TickwireClient } from "@tickwire/client";
import {
  closeReason,
  decodeServerMessage,
  encodeClientMessage,
  FixedStep,
  type GameEvent,
  MsgType,
  nextSeq,
  Rng,
  type SnapshotMessage,
  type WelcomeMessage,
} from "@tickwire/engine";
import { AckTracker } from "./ack-tracker.js";
import type { Behavior, BotView } from "./behavior.js";
import type { BotGame } from "./game.js";
import { createBotHistogram, summarize, toMicros } from "./histogram.js";
import { type BotSummary, emptyTotals, type GroupRecorder, type SwarmTotals } from "./metrics.js";
import { type BotSocket, botSocketClass, frameOverheadBytes, peekMessageType, type SocketObserver } from "./socket.js";

export interface BotOptions {
  /** Index in the whole swarm. */
  index: number;
  name: string;
  url: string;
  game: BotGame;
  behavior: Behavior;
  /** Track snapshots (ticks, acks, bytes) without applying their bodies. */
  light: boolean;
  seed: number;
  localAddress?: string;
  recorder: GroupRecorder;
  now: () => number;
  timers: Timers;
}

/** Per-socket facts the close handler needs. */
interface SocketRecord {
  openingAt: number;
  welcomed: boolean;
  refusedStatus: number;
  error: string;
}

/** WebSocket readyState values (the same in browsers and ws). */
const OPEN = 1;
const CLOSED = 3;

/** A distinct stream per bot (and per purpose) from one run seed. */
export function botSeed(seed: number, index: number, stream: number): number {
  return (Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35)) >>> 0;
}

/**
 * One simulated player: a real `@tickwire/client` session whose sockets report every frame
 * to it, a behaviour that produces its inputs at the server's tick rate, and the bot's
 * measurements (recorded into its own histograms and its group's).
 */
export class Bot implements SocketObserver {
  readonly totals: SwarmTotals = emptyTotals();
  disconnects = 0;
  connectFailures = 0;
  errors = 0;
  /** Why the client ended for good, when it did before the run. */
  ended = "";
  readonly view: BotView;
  private readonly client: TickwireClient;
  private readonly rng: Rng;
  private readonly acks = new AckTracker();
  private readonly ackHistogram = createBotHistogram();
  private readonly rttHistogram = createBotHistogram();
  private readonly sockets = new Map<BotSocket, SocketRecord>();
  private socket: BotSocket | null = null;
  private stopping = false;
  private connectedAtStop = false;
  private inputClock: FixedStep | null = null;
  private inputTimer: unknown = null;
  private inputTick = 0;
  private lightSeq = 0;
  private tickRate = 0;
  private tickMs = 0;
  private lastTick = -1;
  private lastSnapshotAt = 0;
  private lastArrival = 0;
  private connectedSince = -1;
  private connectedMs = 0;
  private closedResolve: (() => void) | null = null;
  private readonly socketClosed: Promise<void>;
  private readonly recordAck = (latencyMs: number): void => {
    this.options.recorder.recordAck(latencyMs);
    this.ackHistogram.recordValue(toMicros(latencyMs));
  };

  constructor(private readonly options: BotOptions) {
    this.rng = new Rng(botSeed(options.seed, options.index, 0));
    const backoffRng = new Rng(botSeed(options.seed, options.index, 1));
    const light = options.light || options.game.schema === undefined;
    const { game } = options;
    const memory: Record<string, unknown> = {};
    this.socketClosed = new Promise((resolve) => {
      this.closedResolve = resolve;
    });
    this.client = connect(options.url, {
      name: options.name,
      WebSocket: botSocketClass(this, { localAddress: options.localAddress }),
      game: light || game.schema === undefined ? undefined : { schema: game.schema, input: game.input, predict: game.predict },
      now: options.now,
      timers: options.timers,
      random: () => backoffRng.next(),
    });
    const bot = this;
    this.view = {
      index: options.index,
      name: options.name,
      get playerId() {
        return bot.client.playerId;
      },
      get tickRate() {
        return bot.tickRate;
      },
      light,
      client: this.client,
      memory,
    };
    this.client.on("welcome", (welcome) => this.onWelcome(welcome));
    this.client.on("snapshot", (snapshot) => this.onSnapshot(snapshot));
    this.client.on("event", (event) => this.onEvent(event));
    this.client.on("state", (state, previous) => {
      if (previous === "open" && state !== "open") this.leaveOpen();
    });
    this.client.on("error", (error) => this.countError(error.kind));
    this.client.on("close", (info) => {
      this.leaveOpen();
      this.stopInputs();
      if (!this.stopping) this.ended = info.reason;
      if (this.socket === null || this.socket.readyState === CLOSED) this.closedResolve?.();
    });
  }

  get connected(): boolean {
    return this.client.state === "open";
  }

  /** Ends the session (close 1000); resolves once its socket has closed. */
  stop(): Promise<void> {
    if (!this.stopping) {
      this.connectedAtStop = this.connected;
      this.stopping = true;
      this.leaveOpen();
      this.stopInputs();
      this.client.close();
      if (this.socket === null || this.socket.readyState === CLOSED) this.closedResolve?.();
    }
    return this.socketClosed;
  }

  summary(): BotSummary {
    this.syncTotals();
    const ack = summarize(this.ackHistogram);
    const connectedSec = (this.connectedMs + (this.connectedSince >= 0 ? this.options.now() - this.connectedSince : 0)) / 1000;
    const perSec = (bytes: number) => (connectedSec > 0 ? bytes / connectedSec : 0);
    const t = this.totals;
    return {
      index: this.options.index,
      name: this.options.name,
      connected: this.stopping ? this.connectedAtStop : this.connected,
      connectedSec,
      welcomes: t.welcomes,
      disconnects: this.disconnects,
      connectFailures: this.connectFailures,
      inputsSent: t.inputsSent,
      inputsAcked: t.inputsAcked,
      inputsLost: t.inputsLost,
      ackP50Ms: ack.p50,
      ackP99Ms: ack.p99,
      ackMaxMs: ack.max,
      rttP50Ms: summarize(this.rttHistogram).p50,
      snapshots: t.snapshots,
      skippedSnapshots: t.skippedSnapshots,
      bytesIn: t.bytesIn,
      bytesOut: t.bytesOut,
      bytesInPerSec: perSec(t.bytesIn),
      bytesOutPerSec: perSec(t.bytesOut),
      corrections: t.corrections,
      ended: this.ended,
    };
  }

  /** Brings the counters the ack tracker and the client keep into `totals`. */
  syncTotals(): SwarmTotals {
    this.totals.inputsAcked = this.acks.acked;
    this.totals.inputsLost = this.acks.lost;
    this.totals.corrections = this.client.stats.corrections;
    if (!this.view.light) this.totals.inputsCoalesced = this.client.stats.coalescedInputs;
    return this.totals;
  }

  // ── socket observer ──

  opening(socket: BotSocket): void {
    this.socket = socket;
    this.sockets.set(socket, { openingAt: this.options.now(), welcomed: false, refusedStatus: 0, error: "" });
  }

  received(socket: BotSocket, data: Uint8Array): void {
    const now = this.options.now();
    const t = this.totals;
    t.bytesIn += data.byteLength;
    t.wireBytesIn += data.byteLength + frameOverheadBytes(data.byteLength, false);
    t.framesIn++;
    if (socket !== this.socket) return;
    this.lastArrival = now;
    if (peekMessageType(data) !== MsgType.Pong) return;
    const decoded = decodeServerMessage(data);
    if (decoded.ok && decoded.value.type === MsgType.Pong) {
      const rtt = now - decoded.value.clientTime;
      this.options.recorder.record(this.options.recorder.rtt, rtt);
      this.rttHistogram.recordValue(toMicros(rtt));
    }
  }

  sent(_socket: BotSocket, bytes: number): void {
    const t = this.totals;
    t.bytesOut += bytes;
    t.wireBytesOut += bytes + frameOverheadBytes(bytes, true);
    t.framesOut++;
  }

  refused(socket: BotSocket, status: number): void {
    const record = this.sockets.get(socket);
    if (record !== undefined) record.refusedStatus = status;
  }

  failed(socket: BotSocket, message: string): void {
    const record = this.sockets.get(socket);
    if (record !== undefined && record.error === "") record.error = message;
  }

  closed(socket: BotSocket, code: number, reason: string): void {
    const record = this.sockets.get(socket);
    this.sockets.delete(socket);
    if (this.stopping) {
      if (socket === this.socket) this.closedResolve?.();
      return;
    }
    if (record === undefined) return;
    const recorder = this.options.recorder;
    if (record.welcomed) {
      this.disconnects++;
      recorder.disconnects.add(`${code} ${reason || closeReason(code)}`);
    } else {
      this.connectFailures++;
      const label = record.refusedStatus > 0 ? `HTTP ${record.refusedStatus}` : `${code} ${reason || record.error || closeReason(code)}`;
      recorder.connectFailures.add(label);
    }
  }

  // ── client events ──

  private onWelcome(welcome: WelcomeMessage): void {
    const now = this.options.now();
    const socket = this.socket;
    const record = socket === null ? undefined : this.sockets.get(socket);
    if (record !== undefined) {
      record.welcomed = true;
      this.options.recorder.record(this.options.recorder.connect, now - record.openingAt);
    }
    const t = this.totals;
    t.welcomes++;
    if (t.welcomes > 1) t.reconnects++;
    if (!welcome.resumed) this.acks.reset();
    this.connectedSince = now;
    this.tickRate = welcome.tickRate;
    this.tickMs = 1000 / welcome.tickRate;
    this.lastTick = -1;
    if (!welcome.resumed) this.guard(() => this.options.behavior.onSpawn?.(this.view, this.rng));
    this.inputClock = new FixedStep({ tickRate: welcome.tickRate, startTime: now });
    this.scheduleInputs(now);
  }

  private onSnapshot(snapshot: SnapshotMessage): void {
    const arrival = this.lastArrival;
    const t = this.totals;
    t.snapshots++;
    const recorder = this.options.recorder;
    if (this.lastTick >= 0) {
      const ticks = snapshot.tick - this.lastTick;
      if (ticks >= 1) {
        t.skippedSnapshots += ticks - 1;
        const gap = arrival - this.lastSnapshotAt;
        recorder.record(recorder.interArrival, gap);
        // RFC 3550's transit-time difference: arrival spacing against the server's tick spacing.
        recorder.record(recorder.jitter, Math.abs(gap - ticks * this.tickMs));
      }
    }
    this.lastTick = snapshot.tick;
    this.lastSnapshotAt = arrival;
    this.acks.ack(snapshot.ackSeq, arrival, this.recordAck);
  }

  private onEvent(event: GameEvent): void {
    const onEvent = this.options.behavior.onEvent;
    if (onEvent !== undefined) this.guard(() => onEvent(this.view, event, this.rng));
  }

  private leaveOpen(): void {
    if (this.connectedSince < 0) return;
    this.connectedMs += this.options.now() - this.connectedSince;
    this.connectedSince = -1;
  }

  private countError(kind: string): void {
    this.errors++;
    this.options.recorder.errors.add(kind);
  }

  /** Runs behaviour code; a throw is counted, not fatal to the bot. */
  private guard(call: () => void): void {
    try {
      call();
    } catch {
      this.countError("behavior");
    }
  }

  // ── input ticks ──

  private scheduleInputs(now: number): void {
    this.stopInputs();
    const clock = this.inputClock;
    if (clock === null || this.stopping) return;
    this.inputTimer = this.options.timers.setTimeout(() => {
      this.inputTimer = null;
      this.runInputTicks();
    }, clock.msUntilNextTick(now));
  }

  private stopInputs(): void {
    if (this.inputTimer === null) return;
    this.options.timers.clearTimeout(this.inputTimer);
    this.inputTimer = null;
  }

  private runInputTicks(): void {
    const clock = this.inputClock;
    if (clock === null || this.stopping) return;
    const now = this.options.now();
    const due = clock.advance(now);
    if (this.client.state === "open") {
      for (let i = 0; i < due; i++) this.inputOnce(now);
      if (!this.view.light) this.client.update(now);
    }
    this.scheduleInputs(now);
  }

  private inputOnce(now: number): void {
    let input: unknown;
    try {
      input = this.options.behavior.input(this.view, this.inputTick++, this.rng);
    } catch {
      this.countError("behavior");
      return;
    }
    if (input === null || input === undefined) return;
    let seq: number;
    try {
      seq = this.view.light ? this.sendLight(input) : this.client.sendInput(input);
    } catch {
      // The game's input schema refused what the behaviour produced.
      this.countError("invalid-input");
      return;
    }
    if (seq < 0) return;
    this.totals.inputsSent++;
    this.acks.sent(seq, now);
  }

  /**
   * Light mode: the client has no game (it applies nothing), so the bot frames the input
   * itself on the client's current, welcomed socket, with the client's coalescing rule.
   */
  private sendLight(input: unknown): number {
    const socket = this.socket;
    const record = socket === null ? undefined : this.sockets.get(socket);
    if (socket === null || record === undefined || !record.welcomed || socket.readyState !== OPEN) return -1;
    const values = this.options.game.input.encode(input);
    if (socket.bufferedAmount > INPUT_BUFFERED_THRESHOLD) {
      this.totals.inputsCoalesced++;
      return -1;
    }
    const seq = this.lightSeq;
    this.lightSeq = nextSeq(seq);
    socket.send(encodeClientMessage({ type: MsgType.Input, seq, input: values }));
    return seq;
  }
}

import { type DisconnectInfo, type FrameDirection, connect, type Timers, type TickwireClient, type UpdateOptions } from "@tickwire/client";
import { type GameEvent, Rng, type Schema } from "@tickwire/engine";
import type { SnapshotMessage, WelcomeMessage } from "@tickwire/engine/wire";
import { AckTracker } from "./ack-tracker.js";
import type { Behavior, BotView } from "./behavior.js";
import type { BotGame } from "./game.js";
import { createBotHistogram, summarize, toMicros } from "./histogram.js";
import { type BotSummary, emptyTotals, type GroupRecorder, type SwarmTotals } from "./metrics.js";
import { type BotSocket, botSocketClass, frameOverheadBytes } from "./socket.js";

export interface BotOptions {
  /** Index in the whole swarm. */
  index: number;
  name: string;
  url: string;
  game: BotGame;
  behavior: Behavior;
  /** Track snapshots (ticks, acks, bytes) without applying their bodies. */
  light: boolean;
  /** The client's input timing: "aligned" to the server's ticks, or "free". */
  inputTiming: "aligned" | "free";
  seed: number;
  localAddress?: string;
  recorder: GroupRecorder;
  now: () => number;
  timers: Timers;
}

/** Timers fire on whole milliseconds: one this early still counts as due. */
const TIMER_SLACK_MS = 1;
/** WebSocket readyState of a closed socket (the same in browsers and ws). */
const CLOSED = 3;

/** A distinct stream per bot (and per purpose) from one run seed. */
export function botSeed(seed: number, index: number, stream: number): number {
  return (Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35)) >>> 0;
}

/** Interpolation options that interpolate no field of any type: `render` stays empty. */
function noInterpolatedFields(schema: Schema): Record<string, Record<string, never>> {
  return Object.fromEntries(schema.types.map((type) => [type.name, {}]));
}

/**
 * One simulated player: a real `@tickwire/client` session (light when it has no schema to
 * apply snapshots with), a behaviour that produces its inputs at the server's tick rate, and
 * the bot's measurements from the client's frame hook and events (recorded into its own
 * histograms and its group's).
 */
export class Bot {
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
  /** The client's current socket, and when it was opened (for the connect latency). */
  private socket: BotSocket | null = null;
  private openingAt = 0;
  private stopping = false;
  private connectedAtStop = false;
  private inputTimer: unknown = null;
  private inputTick = 0;
  private tickRate = 0;
  private tickMs = 0;
  private lastTick = -1;
  private lastSnapshotAt = 0;
  private connectedSince = -1;
  private connectedMs = 0;
  private closedResolve: (() => void) | null = null;
  private readonly socketClosed: Promise<void>;
  /** Sampling interpolation only for a behaviour that reads `render` values. */
  private readonly updateOptions: UpdateOptions;
  private readonly recordAck = (latencyMs: number): void => {
    this.options.recorder.recordAck(latencyMs);
    this.ackHistogram.recordValue(toMicros(latencyMs));
  };

  constructor(private readonly options: BotOptions) {
    this.rng = new Rng(botSeed(options.seed, options.index, 0));
    this.updateOptions = { sample: options.behavior.render === true };
    const backoffRng = new Rng(botSeed(options.seed, options.index, 1));
    const light = options.light || options.game.schema === undefined;
    const { game } = options;
    const memory: Record<string, unknown> = {};
    this.socketClosed = new Promise((resolve) => {
      this.closedResolve = resolve;
    });
    this.client = connect(options.url, {
      name: options.name,
      game: light
        ? { input: game.input }
        : {
            schema: game.schema,
            input: game.input,
            predict: game.predict,
            // Not drawn: no interpolation buffers to feed with every entity of every snapshot.
            interpolation: options.behavior.render === true || game.schema === undefined ? undefined : { fields: noInterpolatedFields(game.schema) },
          },
      runtime: {
        WebSocket: botSocketClass({ localAddress: options.localAddress, opening: (socket) => this.opening(socket) }),
        now: options.now,
        timers: options.timers,
        random: () => backoffRng.next(),
        onFrame: (direction, bytes) => this.countFrame(direction, bytes),
      },
      tuning: { inputTiming: options.inputTiming },
    });
    const bot = this;
    this.view = {
      index: options.index,
      name: options.name,
      get entityId() {
        return bot.client.entityId;
      },
      get tickRate() {
        return bot.tickRate;
      },
      light,
      client: this.client,
      memory,
    };
    this.client.on("welcome", (welcome) => this.onWelcome(welcome));
    this.client.on("snapshot", (snapshot, now) => this.onSnapshot(snapshot, now));
    this.client.on("pong", (rttMs) => this.recordRtt(rttMs));
    this.client.on("disconnect", (info) => this.onDisconnect(info));
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
    this.totals.inputsCoalesced = this.client.stats.coalescedInputs;
    return this.totals;
  }

  // ── socket and frames ──

  private opening(socket: BotSocket): void {
    this.socket = socket;
    this.openingAt = this.options.now();
    socket.once("close", () => {
      if (this.stopping && socket === this.socket) this.closedResolve?.();
    });
  }

  private countFrame(direction: FrameDirection, bytes: number): void {
    const t = this.totals;
    if (direction === "in") {
      t.bytesIn += bytes;
      t.wireBytesIn += bytes + frameOverheadBytes(bytes, false);
      t.framesIn++;
    } else {
      t.bytesOut += bytes;
      t.wireBytesOut += bytes + frameOverheadBytes(bytes, true);
      t.framesOut++;
    }
  }

  // ── client events ──

  private onWelcome(welcome: WelcomeMessage): void {
    const now = this.options.now();
    this.options.recorder.record(this.options.recorder.connect, now - this.openingAt);
    const t = this.totals;
    t.welcomes++;
    if (t.welcomes > 1) t.reconnects++;
    if (!welcome.resumed) this.acks.reset();
    this.connectedSince = now;
    this.tickRate = welcome.tickRate;
    this.tickMs = 1000 / welcome.tickRate;
    this.lastTick = -1;
    if (!welcome.resumed) this.guard(() => this.options.behavior.onSpawn?.(this.view, this.rng));
    this.scheduleInputs(now);
  }

  private onSnapshot(snapshot: SnapshotMessage, arrival: number): void {
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

  private recordRtt(rttMs: number): void {
    this.options.recorder.record(this.options.recorder.rtt, rttMs);
    this.rttHistogram.recordValue(toMicros(rttMs));
  }

  /** A socket closed: a drop when it had been welcomed, else a failed connection attempt. */
  private onDisconnect(info: DisconnectInfo): void {
    const recorder = this.options.recorder;
    if (info.welcomed) {
      this.disconnects++;
      recorder.disconnects.add(`${info.code} ${info.reason}`);
    } else {
      this.connectFailures++;
      recorder.connectFailures.add(info.status > 0 ? `HTTP ${info.status}` : `${info.code} ${info.reason}`);
    }
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

  /** Inputs go out when the client's input timing says (just before the server tick that applies them). */
  private scheduleInputs(now: number): void {
    this.stopInputs();
    if (this.tickMs === 0 || this.stopping) return;
    const wait = Math.min(this.tickMs, Math.max(0, this.client.nextInputTime(now) - now));
    this.inputTimer = this.options.timers.setTimeout(() => {
      this.inputTimer = null;
      this.runInputTick();
    }, wait);
  }

  private stopInputs(): void {
    if (this.inputTimer === null) return;
    this.options.timers.clearTimeout(this.inputTimer);
    this.inputTimer = null;
  }

  private runInputTick(): void {
    if (this.stopping) return;
    const now = this.options.now();
    if (this.client.state === "open") {
      if (now >= this.client.nextInputTime(now) - TIMER_SLACK_MS) this.inputOnce(now);
      // Also sends an input held while the socket was backed up.
      this.client.update(now, this.updateOptions);
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
      seq = this.client.sendInput(input);
    } catch {
      // The game's input schema refused what the behaviour produced.
      this.countError("invalid-input");
      return;
    }
    if (seq < 0) return;
    this.totals.inputsSent++;
    this.acks.sent(seq, now);
  }
}

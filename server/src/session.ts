import { randomBytes } from "node:crypto";
import type { Entity, GameEvent, Schema } from "@tickwire/engine";
import { NO_INPUT_ACK, NO_INPUT_TICK, seqNewer } from "@tickwire/engine/wire";
import type { Peer } from "./peer.js";
import type { Player } from "./game.js";
import { DEFAULT_LIMITS } from "./limits.js";
import { SentEvents } from "./session-events.js";
import { Viewer } from "./snapshot/viewer.js";

/** 256 bits from the OS CSPRNG: a resume token is a bearer credential for the player. */
const RESUME_TOKEN_BYTES = 32;

export function createResumeToken(): string {
  return randomBytes(RESUME_TOKEN_BYTES).toString("base64url");
}

/**
 * Ticks in a row ending with a spare input before one extra input is applied to work it
 * off: a spare jitter did not need for 200 ms at 20 Hz only adds latency, and the client's
 * input lead has meanwhile grown to make the next late arrival less likely.
 */
const SPARE_TICKS_BEFORE_CATCH_UP = 4;
/**
 * Ticks without an input remembered for making up: a few, so two late arrivals close
 * together are both made up, but not so many that standing still banks a burst.
 */
const MAX_MISSED_TICKS_REMEMBERED = 4;

/** Why an input was not queued. */
export type InputRefusal = "stale" | "queue_full";

/**
 * A player's server-side state: identity, the bounded input queue, reliable-message
 * dedup, pending events, and its `Viewer` (what its client holds). It outlives its
 * connection (its `Peer`): a reconnect within the grace period resumes it.
 */
export class Session<S extends Schema = Schema, I = unknown> implements Player<S> {
  entity: Entity<S> | undefined;
  /** The game's `playerData`, set by the world at join; undefined when the game has none. */
  data: unknown;
  /** The peer currently attached; undefined while disconnected. */
  peer: Peer<Session<S, I>> | undefined;
  /** Clock ms of the disconnect, or -1 while connected. */
  disconnectedAt = -1;
  /** Remote address of its current (or last) peer: an address holds at most its share of a world. */
  address = "";
  /** Events discarded while it was away (its queue overflowed); its resume is told with EventOverflow. */
  eventsLost = 0;
  /**
   * A resume was told with EventOverflow that sent events it needed were forgotten: the next
   * resume goes on from the oldest one kept.
   */
  eventLossTold = false;
  lastProcessedSeq = NO_INPUT_ACK;
  /** Highest chat/command rid processed, in sequence: duplicates and ids after a gap are dropped. */
  lastReliableId = 0;
  /** Entity id under which the world indexes this session for events near a point; -1 for none. */
  trackedEntityId = -1;
  /** Events waiting for its next snapshot. */
  readonly events: GameEvent[] = [];
  /** Events sent and not yet confirmed by its client: replayed on resume. */
  readonly sentEvents: SentEvents;
  /** False while `events` holds only this tick's broadcast events, which share one encoding. */
  hasPersonalEvents = false;

  // Input ring: seqs, the ticks they are meant for, and inputs in arrival (= seq) order.
  private readonly inputSeqs: Int32Array;
  private readonly inputTicks: Float64Array;
  private readonly inputs: (I | undefined)[];
  private inputHead = 0;
  private inputCount = 0;
  /** Seq of the newest input accepted, to refuse duplicates and reordering. */
  private newestSeq = NO_INPUT_ACK;
  /** Consecutive ticks that ended with at least one input waiting. */
  private spareStreak = 0;
  /** Consecutive ticks that ended with two or more inputs waiting. */
  private backlogStreak = 0;
  /** Extra inputs the next tick may apply to work off a spare one. */
  private catchUp = 0;
  /**
   * Ticks that passed without an input, not yet made up: a catch-up needs one, so the
   * long-run rate stays one input per tick (sending faster is no speed hack).
   */
  private missedTicks = 0;
  /**
   * Timed inputs the next tick may apply: one a tick, and up to `maxInputsPerTick` when
   * ticks passed without one (late inputs made up), so the long-run rate stays one a tick.
   */
  private timedCredit = 0;
  /** The smallest margin (ms before its tick) a timed input arrived with since the last report. */
  private inputMargin = Number.POSITIVE_INFINITY;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly identity: unknown,
    readonly resumeToken: string,
    inputQueueLength: number,
    private readonly maxInputsPerTick: number,
    private readonly backlogTicks: number,
    /** What its client holds and sees, owned by the world's snapshot pipeline (a default one outside a world). */
    readonly viewer: Viewer = new Viewer(0, Number.POSITIVE_INFINITY),
    sentEventsCapacity = DEFAULT_LIMITS.maxPendingEvents,
  ) {
    this.sentEvents = new SentEvents(sentEventsCapacity);
    this.inputSeqs = new Int32Array(inputQueueLength);
    this.inputTicks = new Float64Array(inputQueueLength);
    this.inputs = new Array<I | undefined>(inputQueueLength);
  }

  get connected(): boolean {
    return this.peer !== undefined;
  }

  /**
   * Queues an input meant for `tick` (NO_INPUT_TICK: none). A seq not newer than the last
   * one queued is stale (duplicate or replayed); a full queue drops its oldest input, since
   * the newest intent matters most.
   */
  queueInput(seq: number, input: I, tick = NO_INPUT_TICK): InputRefusal | undefined {
    if (this.newestSeq !== NO_INPUT_ACK && !seqNewer(seq, this.newestSeq)) return "stale";
    this.newestSeq = seq;
    const capacity = this.inputSeqs.length;
    let refusal: InputRefusal | undefined;
    if (this.inputCount === capacity) {
      this.inputs[this.inputHead] = undefined;
      this.inputHead = (this.inputHead + 1) % capacity;
      this.inputCount--;
      refusal = "queue_full";
    }
    const slot = (this.inputHead + this.inputCount) % capacity;
    // Behind an untimed input (the client's first ones, before its clock sync), one timed
    // input waits its turn as untimed too: the queue goes by its tick once it has drained.
    const previous = (slot + capacity - 1) % capacity;
    const untimedAhead = this.inputCount > 0 && this.inputTicks[previous] === NO_INPUT_TICK;
    this.inputSeqs[slot] = seq;
    this.inputTicks[slot] = untimedAhead ? NO_INPUT_TICK : tick;
    this.inputs[slot] = input;
    this.inputCount++;
    return refusal;
  }

  get queuedInputs(): number {
    return this.inputCount;
  }

  /**
   * Applies the input for `tick` (the tick being simulated): one per tick, so others see
   * the player move at a steady pace. Inputs timed for a tick go by `drainTimed`; those
   * sent before the client could time them (NO_INPUT_TICK) as follows. The queue is a jitter buffer: an input that arrives late leaves a tick without
   * one, and the next ones then wait a tick longer instead of applying in a burst. What
   * waits beyond need is worked off:
   * - one spare input for SPARE_TICKS_BEFORE_CATCH_UP ticks: a second input applies in
   *   one tick, making up a tick that passed without one (up to `maxInputsPerTick` − 1
   *   such ticks are remembered);
   * - two or more for `backlogTicks` ticks, or over half a queue before a tick (a stalled
   *   uplink delivering its inputs at once): stale, the oldest are dropped at once, keeping
   *   one spare, so the client sees one correction.
   * Returns the number of inputs dropped.
   */
  drainInputs(apply: (session: Session<S, I>, input: I) => void, tick = NO_INPUT_TICK): number {
    this.timedCredit = Math.min(this.maxInputsPerTick, this.timedCredit + 1);
    if (this.inputCount > 0 && this.inputTicks[this.inputHead] !== NO_INPUT_TICK) return this.drainTimed(apply, tick);
    if (this.inputCount === 0) this.missedTicks = Math.min(MAX_MISSED_TICKS_REMEMBERED, this.missedTicks + 1);
    // A stalled uplink's inputs, arrived at once: stale. Dropped before this tick's ack, so
    // the client sees them all gone in one correction.
    const dropped = this.inputCount > Math.max(2, this.inputSeqs.length >> 1) ? this.dropSpare(2) : 0;
    let budget = 1 + this.catchUp;
    this.catchUp = 0;
    while (this.inputCount > 0 && budget > 0) {
      const seq = this.inputSeqs[this.inputHead];
      const input = this.shiftInput();
      budget--;
      this.lastProcessedSeq = seq;
      apply(this, input);
    }
    const depth = this.inputCount;
    this.backlogStreak = depth >= 2 ? this.backlogStreak + 1 : 0;
    if (this.backlogStreak >= this.backlogTicks) return dropped + this.dropSpare(1);
    this.spareStreak = depth >= 1 ? this.spareStreak + 1 : 0;
    if (this.spareStreak < SPARE_TICKS_BEFORE_CATCH_UP) return dropped;
    // A spare with no tick to make up is an input more than ticks passed (the client's
    // schedule moved): kept, it would hold every later input a tick, so drop it (one
    // correction) rather than apply it (a step more than time allows).
    if (this.missedTicks === 0) return dropped + this.dropSpare(0);
    this.spareStreak = 0;
    this.missedTicks--;
    this.catchUp = 1;
    return dropped;
  }

  /**
   * Inputs meant for a tick apply in that tick, so jitter within the client's input lead
   * changes nothing: one that arrived early waits for its tick. Late ones (their tick
   * passed) are made up in the next tick that has an input, as many as ticks passed
   * without one applied (at most `maxInputsPerTick` in all): the player's position stays exact and
   * the long-run rate one input per tick. Older ones beyond that (a stalled uplink's,
   * arrived at once) are dropped: the client corrects them in one go. The client's lead
   * covers the arrival times the server reports, so in steady state none is late.
   * Returns the number of inputs dropped.
   */
  private drainTimed(apply: (session: Session<S, I>, input: I) => void, tick: number): number {
    const capacity = this.inputSeqs.length;
    let due = 0;
    while (due < this.inputCount && this.inputTicks[(this.inputHead + due) % capacity] <= tick) due++;
    if (due === 0) return 0;
    const keep = Math.min(due, this.timedCredit);
    this.timedCredit -= keep;
    for (let i = keep; i < due; i++) this.shiftInput();
    for (let i = 0; i < keep; i++) {
      this.lastProcessedSeq = this.inputSeqs[this.inputHead];
      apply(this, this.shiftInput());
    }
    return due - keep;
  }

  /** A timed input arrived `marginMs` before its tick (negative: late). */
  noteInputMargin(marginMs: number): void {
    if (marginMs < this.inputMargin) this.inputMargin = marginMs;
  }

  /** The smallest input margin since the last call (what a Pong reports), or null when no timed input arrived. */
  takeInputMargin(): number | null {
    const margin = this.inputMargin;
    this.inputMargin = Number.POSITIVE_INFINITY;
    return margin === Number.POSITIVE_INFINITY ? null : margin;
  }

  /** Drops the oldest waiting inputs so that `keep` are left; returns how many. */
  private dropSpare(keep: number): number {
    const dropped = Math.max(0, this.inputCount - keep);
    for (let i = 0; i < dropped; i++) this.shiftInput();
    this.spareStreak = 0;
    this.backlogStreak = 0;
    return dropped;
  }

  private shiftInput(): I {
    const input = this.inputs[this.inputHead] as I;
    this.inputs[this.inputHead] = undefined;
    this.inputHead = (this.inputHead + 1) % this.inputSeqs.length;
    this.inputCount--;
    return input;
  }

  /** Forgets queued inputs (on disconnect: a resumed client starts a fresh input stream). */
  clearInputs(): void {
    this.inputs.fill(undefined);
    this.inputHead = 0;
    this.inputCount = 0;
    this.newestSeq = NO_INPUT_ACK;
    this.spareStreak = 0;
    this.backlogStreak = 0;
    this.catchUp = 0;
    this.missedTicks = 0;
  }

  /**
   * True when `rid` is the next in sequence; records it. Older or equal ids are duplicates
   * re-sent after a resume; a later one follows a message that never got here (dropped by
   * the rate limit): the client sends both again, in order, when a Pong shows the gap.
   */
  acceptReliable(rid: number): boolean {
    if (rid !== this.lastReliableId + 1) return false;
    this.lastReliableId = rid;
    return true;
  }
}

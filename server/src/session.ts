import { randomBytes } from "node:crypto";
import type { Entity, GameEvent, Schema } from "@tickwire/engine";
import { type ClientView, createClientView, NO_INPUT_ACK, seqNewer } from "@tickwire/engine/wire";
import type { Player } from "./game.js";

/** 256 bits from the OS CSPRNG: a resume token is a bearer credential for the player. */
const RESUME_TOKEN_BYTES = 32;

export function createResumeToken(): string {
  return randomBytes(RESUME_TOKEN_BYTES).toString("base64url");
}

/**
 * Inputs still waiting after a tick that count as a backlog: one in flight is normal
 * jitter, two or more means the client sends faster than the tick rate.
 */
const BACKLOG_INPUTS = 2;

/** Why an input was not queued. */
export type InputRefusal = "stale" | "queue_full";

/**
 * A player's server-side state: identity, the bounded input queue, reliable-message
 * dedup, pending events, and what its client holds (view + interest cells). It outlives a
 * connection: a reconnect within the grace period resumes it.
 */
export class Session<S extends Schema = Schema, I = unknown> implements Player<S> {
  entity: Entity<S> | undefined;
  /** The game's `playerData`, set by the world at join; undefined when the game has none. */
  data: unknown;
  /** The connection currently attached; undefined while disconnected. */
  connection: unknown;
  /** Clock ms of the disconnect, or -1 while connected. */
  disconnectedAt = -1;
  /** Remote address of its current (or last) connection: an address holds at most its share of a world. */
  address = "";
  /** Events discarded while it was away (its queue overflowed); its resume is told with EventOverflow. */
  eventsLost = 0;
  lastProcessedSeq = NO_INPUT_ACK;
  /** Highest chat/command rid processed: re-sent duplicates after a resume are dropped. */
  lastReliableId = 0;
  /** What the client holds; reset (baseline -1) on resume so it gets a full snapshot. */
  view: ClientView = createClientView();
  /**
   * Interest cells the client was last sent, one column span per row:
   * `[firstRow, rowCount, firstCol, lastCol, ...]` (SpatialGrid.rowSpansInRadius). A
   * keep-up snapshot sends the updates of these cells. The pipeline sizes it to its grid.
   */
  viewSpans: Int32Array = new Int32Array(2);
  /** The cells of `viewSpans` wholly inside its circle: everything in them is held. */
  innerSpans: Int32Array = new Int32Array(2);
  /** Where the view is centred: the entity's last committed position. */
  viewX = 0;
  viewY = 0;
  /** Entity id under which the world indexes this session for events near a point; -1 for none. */
  trackedEntityId = -1;
  readonly events: GameEvent[] = [];
  /** False while `events` holds only this tick's broadcast events, which share one encoding. */
  hasPersonalEvents = false;

  // Input ring: seqs and inputs in arrival (= seq) order.
  private readonly inputSeqs: Int32Array;
  private readonly inputs: (I | undefined)[];
  private inputHead = 0;
  private inputCount = 0;
  /** Seq of the newest input accepted, to refuse duplicates and reordering. */
  private newestSeq = NO_INPUT_ACK;
  /** Inputs this player may still apply; refilled by one per tick up to the cap. */
  private inputCredit: number;
  /** Consecutive ticks that ended with a backlog of waiting inputs. */
  private backlogStreak = 0;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly identity: unknown,
    readonly resumeToken: string,
    inputQueueLength: number,
    private readonly maxInputsPerTick: number,
    private readonly backlogTicks: number,
  ) {
    this.inputSeqs = new Int32Array(inputQueueLength);
    this.inputs = new Array<I | undefined>(inputQueueLength);
    this.inputCredit = maxInputsPerTick;
  }

  get connected(): boolean {
    return this.connection !== undefined;
  }

  /**
   * Queues an input. A seq not newer than the last one queued is stale (duplicate or
   * replayed); a full queue drops its oldest input, since the newest intent matters most.
   */
  queueInput(seq: number, input: I): InputRefusal | undefined {
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
    this.inputSeqs[slot] = seq;
    this.inputs[slot] = input;
    this.inputCount++;
    return refusal;
  }

  get queuedInputs(): number {
    return this.inputCount;
  }

  /**
   * Hands this tick's inputs to `apply` in seq order: at most the banked credit, which
   * grows by one per tick, so bunched inputs catch up but the sustained rate is one per tick.
   *
   * A client whose clock runs a little fast sends slightly more than one input per tick, so
   * its backlog (and input latency) would grow until the queue is full. After
   * `backlogTicks` ticks in a row ending with a backlog, the oldest waiting input is
   * dropped to bring latency back down. Returns the number dropped (0 or 1).
   */
  drainInputs(apply: (session: Session<S, I>, input: I) => void): number {
    this.inputCredit = Math.min(this.maxInputsPerTick, this.inputCredit + 1);
    while (this.inputCount > 0 && this.inputCredit >= 1) {
      const seq = this.inputSeqs[this.inputHead];
      const input = this.shiftInput();
      this.inputCredit--;
      this.lastProcessedSeq = seq;
      apply(this, input);
    }
    this.backlogStreak = this.inputCount >= BACKLOG_INPUTS ? this.backlogStreak + 1 : 0;
    if (this.backlogStreak < this.backlogTicks) return 0;
    this.backlogStreak = 0;
    this.shiftInput();
    return 1;
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
    this.backlogStreak = 0;
  }

  /** Resets what the client holds, so its next snapshot is FULL. */
  resetView(): void {
    this.view = createClientView();
    this.viewSpans[1] = 0;
    this.innerSpans[1] = 0;
  }

  /** True when `rid` is new; records it. Older or equal ids are duplicates re-sent after a resume. */
  acceptReliable(rid: number): boolean {
    if (rid <= this.lastReliableId) return false;
    this.lastReliableId = rid;
    return true;
  }
}

import { nextSeq, SEQ_MODULO, seqDiff, seqNewer } from "../util/seq.js";

/**
 * A game's deterministic shared step, the same function the server runs. The reconciler
 * replays it, so it must not read clocks or `Math.random`.
 */
export interface PredictionModel<S, I> {
  /** Advances `state` in place by one input. Should not allocate: replays run it often. */
  step(state: S, input: I, dt: number): void;
  copy(from: S, to: S): void;
  create(): S;
  /** Size of the difference between two states (e.g. distance), for correction stats. */
  error(a: S, b: S): number;
  /**
   * Optional pair: when both are given, pending inputs are copied into preallocated slots,
   * so the caller may reuse one input object. Without them the reconciler keeps a reference
   * to each input until it is acknowledged: do not mutate an input after applying it.
   */
  createInput?(): I;
  copyInput?(from: I, to: I): void;
}

export interface ReconcilerOptions {
  /** Fixed step length passed to `step`, the server's tick length. */
  dt: number;
  /** Most unacknowledged inputs kept; beyond it the oldest is dropped and counted. */
  maxPending?: number;
  /** A reconcile whose error exceeds this counts as a correction. */
  epsilon?: number;
}

export interface ReconcileResult {
  /** Difference between the prediction before and after the rewind and replay. */
  error: number;
  /** Pending inputs replayed on top of the authoritative state. */
  replayed: number;
}

/** 6.4 s of inputs at 20 Hz: more unacknowledged than that means the link is gone. */
export const DEFAULT_MAX_PENDING = 128;
/** Replays are bit-identical when client and server agree, so anything above noise is real. */
export const DEFAULT_CORRECTION_EPSILON = 1e-6;
/** Pending seqs must stay within half the 16-bit space for wrap-aware comparison to hold. */
const MAX_PENDING_LIMIT = SEQ_MODULO / 2 - 1;
const NO_SEQ = -1;

/**
 * Client-side prediction with server reconciliation (Gambetta): inputs apply at once to the
 * predicted state and wait, by 16-bit seq, until the server acknowledges them; each
 * authoritative state rewinds the prediction and replays the inputs the server has not
 * processed yet.
 */
export class Reconciler<S, I> {
  readonly state: S;
  private readonly model: PredictionModel<S, I>;
  private readonly dt: number;
  private readonly epsilon: number;
  private readonly capacity: number;
  private readonly copiesInputs: boolean;
  /** Ring of pending inputs in seq order; seqs are consecutive, so only the next is stored. */
  private readonly inputs: I[];
  private head = 0;
  private count = 0;
  private seq = 0;
  private lastAck = NO_SEQ;
  private readonly before: S;
  private correctionCount = 0;
  private droppedCount = 0;
  private ignoredCount = 0;

  constructor(model: PredictionModel<S, I>, opts: ReconcilerOptions) {
    const maxPending = opts.maxPending ?? DEFAULT_MAX_PENDING;
    if (!(opts.dt > 0)) throw new RangeError(`dt must be positive, got ${opts.dt}`);
    if (!Number.isInteger(maxPending) || maxPending < 1 || maxPending > MAX_PENDING_LIMIT) {
      throw new RangeError(`maxPending must be an integer in [1, ${MAX_PENDING_LIMIT}], got ${maxPending}`);
    }
    if ((model.createInput === undefined) !== (model.copyInput === undefined)) {
      throw new TypeError("createInput and copyInput must be given together");
    }
    this.model = model;
    this.dt = opts.dt;
    this.epsilon = opts.epsilon ?? DEFAULT_CORRECTION_EPSILON;
    this.capacity = maxPending;
    this.copiesInputs = model.createInput !== undefined;
    this.inputs = new Array<I>(maxPending);
    if (model.createInput !== undefined) {
      for (let i = 0; i < maxPending; i++) this.inputs[i] = model.createInput();
    }
    this.state = model.create();
    this.before = model.create();
  }

  get pendingCount(): number {
    return this.count;
  }

  /** The seq the next `predict` will assign. */
  get nextSeq(): number {
    return this.seq;
  }

  /** Reconciles whose error exceeded epsilon. */
  get corrections(): number {
    return this.correctionCount;
  }

  /** Inputs dropped unacknowledged because pending overflowed `maxPending`. */
  get droppedInputs(): number {
    return this.droppedCount;
  }

  /** Authoritative states skipped because their ack was stale or never sent. */
  get ignoredAcks(): number {
    return this.ignoredCount;
  }

  /**
   * Starts over from `authoritative` with no pending inputs (join, resume, teleport).
   * Every seq before `nextSeq` (default: the current counter) counts as acknowledged.
   */
  reset(authoritative: S, nextSeqValue = this.seq): void {
    this.model.copy(authoritative, this.state);
    this.clearPending();
    this.seq = nextSeqValue & 0xffff;
    this.lastAck = (this.seq + SEQ_MODULO - 1) & 0xffff;
  }

  /** Applies `input` to the predicted state at once, remembers it and returns its seq. */
  predict(input: I): number {
    if (this.count === this.capacity) {
      this.dropOldest(1);
      this.droppedCount++;
    }
    const slot = (this.head + this.count) % this.capacity;
    if (this.copiesInputs) this.model.copyInput!(input, this.inputs[slot]);
    else this.inputs[slot] = input;
    this.count++;
    this.model.step(this.state, input, this.dt);
    const seq = this.seq;
    this.seq = nextSeq(seq);
    return seq;
  }

  /**
   * Takes the server's state after it processed input `lastProcessedSeq` (-1 = none yet):
   * drops acknowledged inputs, rewinds to `authoritative`, replays the rest and reports how
   * far the prediction moved. An ack older than the last one (reordered or stale) or newer
   * than any seq sent is ignored; a repeated ack still rewinds, since the server state may
   * have changed without new input.
   */
  reconcile(authoritative: S, lastProcessedSeq: number): ReconcileResult {
    if (lastProcessedSeq !== NO_SEQ) {
      const newestSent = (this.seq + SEQ_MODULO - 1) & 0xffff;
      const unprocessed = -seqDiff(lastProcessedSeq, newestSent);
      const stale = this.lastAck !== NO_SEQ && seqNewer(this.lastAck, lastProcessedSeq);
      if (unprocessed < 0 || stale) {
        this.ignoredCount++;
        return { error: 0, replayed: 0 };
      }
      // Inputs older than the oldest pending one were dropped on overflow: nothing to drop.
      if (unprocessed < this.count) this.dropOldest(this.count - unprocessed);
      this.lastAck = lastProcessedSeq;
    }
    const model = this.model;
    model.copy(this.state, this.before);
    model.copy(authoritative, this.state);
    for (let i = 0; i < this.count; i++) {
      model.step(this.state, this.inputs[(this.head + i) % this.capacity], this.dt);
    }
    const error = model.error(this.before, this.state);
    if (error > this.epsilon) this.correctionCount++;
    return { error, replayed: this.count };
  }

  private dropOldest(n: number): void {
    if (!this.copiesInputs) {
      // Release references so acknowledged inputs can be collected.
      for (let i = 0; i < n; i++) this.inputs[(this.head + i) % this.capacity] = undefined as I;
    }
    this.head = (this.head + n) % this.capacity;
    this.count -= n;
  }

  private clearPending(): void {
    this.dropOldest(this.count);
    this.head = 0;
  }
}

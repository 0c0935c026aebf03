import { seqNewer } from "../util/seq.js";

/** Lead an input starts with: enough for a quiet loopback or LAN path. */
export const DEFAULT_INITIAL_LEAD_MS = 4;
export const DEFAULT_MIN_LEAD_MS = 1;
/**
 * A late input grows the lead by this much at once: the server drops a late input when the
 * next one is due too (a correction), so the lead overshoots rather than creeps.
 */
export const DEFAULT_LATE_STEP_MS = 5;
/** After this many timely inputs in a row the lead shrinks by one `earlyStepMs`. */
export const DEFAULT_TIMELY_RUN = 40;
export const DEFAULT_EARLY_STEP_MS = 0.5;
/**
 * The lead grows at most once in this long: a stall delivers a whole run of late inputs
 * at once, and an outage is no measure of jitter; a quarter second still finds a jittery
 * path's lead within a couple of seconds.
 */
export const DEFAULT_LATE_COOLDOWN_MS = 250;
/**
 * How early the latest input of a report should still have arrived, ms: a little room for
 * the next one to be later still.
 */
const TARGET_MARGIN_MS = 5;
/** Most one margin report grows the lead by, ms (about one report a second). */
const MAX_MARGIN_STEP_MS = 10;
/** Inputs awaiting their verdict; older ones are forgotten (a stalled connection). */
const PENDING_CAPACITY = 64;

export interface InputTimingOptions {
  /** Server tick length in ms. */
  tickMs: number;
  initialLeadMs?: number;
  minLeadMs?: number;
  /** Default: one tick (more would only delay every input by a tick). */
  maxLeadMs?: number;
  lateStepMs?: number;
  timelyRun?: number;
  earlyStepMs?: number;
  lateCooldownMs?: number;
}

/**
 * When to send inputs so each reaches the server just before the tick that applies it
 * (Overwatch-style input timing): the server steps tick T, and snapshots it, at server
 * time T × tickMs, so an input for tick T is sent to arrive `leadMs` before that. A
 * client sending on a free-running timer waits on average half a tick, and up to a whole
 * one, for its input to be applied; a timed one waits `leadMs`.
 *
 * The lead adapts to what the acks say: an input not yet applied in its target tick's
 * snapshot arrived late, and the lead grows; a long run of timely ones lets it shrink.
 * So it settles just above what the path's jitter (and the server's load) needs.
 */
export class InputTiming {
  readonly tickMs: number;
  private lead: number;
  private readonly minLead: number;
  private readonly maxLead: number;
  private readonly lateStep: number;
  private readonly timelyRun: number;
  private readonly earlyStep: number;
  private readonly lateCooldown: number;
  /** Whether a margin report has set the lead yet. */
  private calibrated = false;
  /** When the lead last grew (the caller's clock). */
  private grewAt = Number.NEGATIVE_INFINITY;
  private timelyCount = 0;
  private lastTarget = Number.NEGATIVE_INFINITY;
  // Inputs sent and the tick each was meant for, oldest first (a ring).
  private readonly pendingSeqs = new Int32Array(PENDING_CAPACITY);
  private readonly pendingTicks = new Float64Array(PENDING_CAPACITY);
  private pendingHead = 0;
  private pendingCount = 0;
  private late = 0;
  private timely = 0;

  constructor(opts: InputTimingOptions) {
    const { tickMs } = opts;
    if (!(tickMs > 0) || !Number.isFinite(tickMs)) throw new RangeError(`tickMs must be positive, got ${tickMs}`);
    this.tickMs = tickMs;
    this.minLead = opts.minLeadMs ?? DEFAULT_MIN_LEAD_MS;
    this.maxLead = opts.maxLeadMs ?? tickMs;
    if (!(this.minLead >= 0 && this.minLead <= this.maxLead)) throw new RangeError("need 0 <= minLeadMs <= maxLeadMs");
    this.lead = Math.min(this.maxLead, Math.max(this.minLead, opts.initialLeadMs ?? DEFAULT_INITIAL_LEAD_MS));
    this.lateStep = opts.lateStepMs ?? DEFAULT_LATE_STEP_MS;
    this.timelyRun = opts.timelyRun ?? DEFAULT_TIMELY_RUN;
    this.earlyStep = opts.earlyStepMs ?? DEFAULT_EARLY_STEP_MS;
    this.lateCooldown = opts.lateCooldownMs ?? DEFAULT_LATE_COOLDOWN_MS;
  }

  /** How long before its tick an input is meant to arrive, ms. */
  get leadMs(): number {
    return this.lead;
  }

  /** Inputs that missed their tick, and that made it, so far. */
  get lateInputs(): number {
    return this.late;
  }

  get timelyInputs(): number {
    return this.timely;
  }

  /**
   * The tick the next input should be for, given the estimated server clock at the moment
   * it would arrive (`arrivalServerTime`: server time now plus the one-way delay): the
   * next one it can still reach with the lead, and never one already targeted. A timer
   * firing up to half a tick late still counts for the tick it was set for.
   */
  targetTick(arrivalServerTime: number): number {
    const reachable = Math.round((arrivalServerTime + this.lead) / this.tickMs);
    return Math.max(reachable, this.lastTarget + 1);
  }

  /** Server time at which an input for `tick` should be sent to arrive `leadMs` early, less the one-way delay. */
  sendServerTime(tick: number, oneWayMs: number): number {
    return tick * this.tickMs - this.lead - oneWayMs;
  }

  /** An input `seq` went out for `tick`. */
  sent(seq: number, tick: number): void {
    this.lastTarget = tick;
    if (this.pendingCount === PENDING_CAPACITY) {
      this.pendingHead = (this.pendingHead + 1) % PENDING_CAPACITY;
      this.pendingCount--;
    }
    const slot = (this.pendingHead + this.pendingCount) % PENDING_CAPACITY;
    this.pendingSeqs[slot] = seq;
    this.pendingTicks[slot] = tick;
    this.pendingCount++;
  }

  /**
   * A snapshot of `tick` arrived at `now` with `ackSeq`, the last input applied (-1: none
   * yet). Late inputs grow the lead by one step, at most once per `lateCooldownMs`.
   */
  acked(tick: number, ackSeq: number, now = Number.POSITIVE_INFINITY): void {
    let late = false;
    while (this.pendingCount > 0 && this.pendingTicks[this.pendingHead] <= tick) {
      const seq = this.pendingSeqs[this.pendingHead];
      this.pendingHead = (this.pendingHead + 1) % PENDING_CAPACITY;
      this.pendingCount--;
      if (ackSeq >= 0 && !seqNewer(seq, ackSeq)) {
        this.onTimely();
      } else {
        this.late++;
        this.timelyCount = 0;
        late = true;
      }
    }
    // Infinity − Infinity is NaN: without a clock, every late verdict grows the lead.
    if (!late || now - this.grewAt < this.lateCooldown) return;
    this.grewAt = now;
    this.lead = Math.min(this.maxLead, this.lead + this.lateStep);
  }

  /**
   * The server's report (in a Pong): the latest of its recent inputs arrived `marginMs`
   * before its tick (negative: late). Short of TARGET_MARGIN_MS, the lead grows by the
   * shortfall: all of it the first time (the initial lead is a guess), then up to
   * MAX_MARGIN_STEP_MS a report, since the next report may still cover inputs sent before
   * this growth, and one late outlier should not add a tick of latency. Lateness beyond the
   * largest lead is an outage's (a stalled uplink delivering its inputs at once), not jitter.
   */
  observeMargin(marginMs: number): void {
    if (!(marginMs >= -this.maxLead)) return;
    const shortfall = TARGET_MARGIN_MS - marginMs;
    const step = this.calibrated ? Math.min(shortfall, MAX_MARGIN_STEP_MS) : shortfall;
    this.calibrated = true;
    if (shortfall > 0) this.lead = Math.min(this.maxLead, this.lead + step);
  }

  /** A new connection: nothing is pending and any tick may be targeted again. */
  reset(): void {
    this.pendingCount = 0;
    this.timelyCount = 0;
    this.lastTarget = Number.NEGATIVE_INFINITY;
  }

  private onTimely(): void {
    this.timely++;
    if (++this.timelyCount < this.timelyRun) return;
    this.timelyCount = 0;
    this.lead = Math.max(this.minLead, this.lead - this.earlyStep);
  }

}

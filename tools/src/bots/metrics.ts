import { MAX_REASON_KEYS } from "./constants.js";
import { createHistogram, encodeHistogram, type Histogram, toMicros } from "./histogram.js";

/** Label for counts beyond MAX_REASON_KEYS distinct labels. */
export const OTHER_REASON = "other";

/** Counts by label (close reasons, error kinds) with a bounded number of labels. */
export class ReasonCounter {
  readonly counts = new Map<string, number>();
  total = 0;

  constructor(private readonly maxKeys = MAX_REASON_KEYS) {}

  add(label: string, count = 1): void {
    this.total += count;
    const key = this.counts.has(label) || this.counts.size < this.maxKeys - 1 ? label : OTHER_REASON;
    this.counts.set(key, (this.counts.get(key) ?? 0) + count);
  }

  addAll(counts: Readonly<Record<string, number>>): void {
    for (const [label, count] of Object.entries(counts)) this.add(label, count);
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort((a, b) => b[1] - a[1]));
  }
}

/** Counters summed over bots (and over groups in the parent). Bytes are WebSocket payload bytes unless "wire". */
export interface SwarmTotals {
  /** Payload bytes received / sent. */
  bytesIn: number;
  bytesOut: number;
  /** Payload plus WebSocket frame headers (and client mask keys): what the socket carried above TCP. */
  wireBytesIn: number;
  wireBytesOut: number;
  framesIn: number;
  framesOut: number;
  snapshots: number;
  /** Server ticks a bot got no snapshot for (gaps in snapshot ticks). */
  skippedSnapshots: number;
  inputsSent: number;
  inputsAcked: number;
  /** Inputs never acknowledged (session restarted, or still unacknowledged after ACK_WINDOW newer ones). */
  inputsLost: number;
  /** Inputs not sent because the socket was backed up. */
  inputsCoalesced: number;
  /** Prediction corrections (mispredictions), with `--game` prediction only. */
  corrections: number;
  /** Welcomes: first joins plus resumes and re-joins. */
  welcomes: number;
  /** Welcomes after the first, per bot. */
  reconnects: number;
}

export function emptyTotals(): SwarmTotals {
  return {
    bytesIn: 0,
    bytesOut: 0,
    wireBytesIn: 0,
    wireBytesOut: 0,
    framesIn: 0,
    framesOut: 0,
    snapshots: 0,
    skippedSnapshots: 0,
    inputsSent: 0,
    inputsAcked: 0,
    inputsLost: 0,
    inputsCoalesced: 0,
    corrections: 0,
    welcomes: 0,
    reconnects: 0,
  };
}

export function addTotals(into: SwarmTotals, from: Readonly<SwarmTotals>): void {
  for (const key of Object.keys(into) as (keyof SwarmTotals)[]) into[key] += from[key];
}

/** What a group reports each sample interval; counters are totals since start (the parent takes differences). */
export interface GroupSample {
  started: number;
  connected: number;
  bytesIn: number;
  bytesOut: number;
  disconnects: number;
  connectFailures: number;
  errors: number;
  /** Input→ack latencies recorded since the previous sample (encoded histogram). */
  ackInterval: string;
}

/** One bot at the end of the run. Latencies in ms; rates over the time the bot was connected. */
export interface BotSummary {
  index: number;
  name: string;
  /** Open (welcomed) when the run ended. */
  connected: boolean;
  connectedSec: number;
  welcomes: number;
  disconnects: number;
  connectFailures: number;
  inputsSent: number;
  inputsAcked: number;
  inputsLost: number;
  ackP50Ms: number;
  ackP99Ms: number;
  ackMaxMs: number;
  rttP50Ms: number;
  snapshots: number;
  skippedSnapshots: number;
  bytesIn: number;
  bytesOut: number;
  bytesInPerSec: number;
  bytesOutPerSec: number;
  corrections: number;
  /** Why the bot's client ended for good before the run did ("" when it did not). */
  ended: string;
}

/** Encoded aggregate histograms (µs): what the parent merges across groups. */
export interface EncodedHistograms {
  ack: string;
  rtt: string;
  interArrival: string;
  jitter: string;
  connect: string;
}

export const HISTOGRAM_NAMES: readonly (keyof EncodedHistograms)[] = ["ack", "rtt", "interArrival", "jitter", "connect"];

/** Everything a group (a worker, or the main thread) measured, sent once at the end. */
export interface GroupResult {
  histograms: EncodedHistograms;
  totals: SwarmTotals;
  disconnects: Record<string, number>;
  connectFailures: Record<string, number>;
  errors: Record<string, number>;
  bots: BotSummary[];
}

/**
 * A group's aggregate measurements: the histograms every bot records into (µs), the
 * interval histogram of the timeline, and the reason counters.
 */
export class GroupRecorder {
  readonly ack = createHistogram();
  readonly rtt = createHistogram();
  readonly interArrival = createHistogram();
  readonly jitter = createHistogram();
  readonly connect = createHistogram();
  readonly ackInterval = createHistogram();
  readonly disconnects = new ReasonCounter();
  readonly connectFailures = new ReasonCounter();
  readonly errors = new ReasonCounter();

  recordAck(ms: number): void {
    const micros = toMicros(ms);
    this.ack.recordValue(micros);
    this.ackInterval.recordValue(micros);
  }

  record(histogram: Histogram, ms: number): void {
    histogram.recordValue(toMicros(ms));
  }

  /** The interval histogram, encoded, and reset for the next interval. */
  takeAckInterval(): string {
    const encoded = encodeHistogram(this.ackInterval);
    this.ackInterval.reset();
    return encoded;
  }

  encodeHistograms(): EncodedHistograms {
    return {
      ack: encodeHistogram(this.ack),
      rtt: encodeHistogram(this.rtt),
      interArrival: encodeHistogram(this.interArrival),
      jitter: encodeHistogram(this.jitter),
      connect: encodeHistogram(this.connect),
    };
  }
}

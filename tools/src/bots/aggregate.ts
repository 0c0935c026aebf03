import { MAX_TIMELINE_POINTS } from "./constants.js";
import { createHistogram, decodeHistogram, type Histogram, summarize } from "./histogram.js";
import type { GroupSample } from "./metrics.js";
import type { SwarmProgress } from "./options.js";

/** One point of the run's timeline. Latencies in ms; rates in payload bytes per second. */
export interface TimelinePoint {
  /** Seconds since the swarm started. */
  t: number;
  started: number;
  connected: number;
  /** Input→ack latency over the window ending at `t`. */
  ackCount: number;
  ackP50Ms: number;
  ackP90Ms: number;
  ackP99Ms: number;
  bytesInPerSec: number;
  bytesOutPerSec: number;
  /** The same per connected bot. */
  bytesInPerBotPerSec: number;
  bytesOutPerBotPerSec: number;
  /** Totals since the start. */
  disconnects: number;
  connectFailures: number;
  errors: number;
}

/** Samples of every group at one moment, added together. */
export interface MergedSample {
  started: number;
  connected: number;
  bytesIn: number;
  bytesOut: number;
  disconnects: number;
  connectFailures: number;
  errors: number;
  /** Latencies since the previous sample. */
  ack: Histogram;
}

export function mergeSamples(samples: readonly GroupSample[]): MergedSample {
  const merged: MergedSample = {
    started: 0,
    connected: 0,
    bytesIn: 0,
    bytesOut: 0,
    disconnects: 0,
    connectFailures: 0,
    errors: 0,
    ack: createHistogram(),
  };
  for (const sample of samples) {
    merged.started += sample.started;
    merged.connected += sample.connected;
    merged.bytesIn += sample.bytesIn;
    merged.bytesOut += sample.bytesOut;
    merged.disconnects += sample.disconnects;
    merged.connectFailures += sample.connectFailures;
    merged.errors += sample.errors;
    merged.ack.add(decodeHistogram(sample.ackInterval));
  }
  return merged;
}

interface Mark {
  t: number;
  bytesIn: number;
  bytesOut: number;
}

/**
 * The run's timeline, bounded: past MAX_TIMELINE_POINTS it keeps every other point and
 * from then on makes one point of two samples (then four...), so a long run keeps its
 * whole span at a coarser resolution. Each point's percentiles are exact for its window.
 */
export class Timeline {
  readonly points: TimelinePoint[] = [];
  /** Samples per point. */
  stride = 1;
  private pending = 0;
  private readonly pendingAck = createHistogram();
  /** Where the last point ended, and where the last sample was taken. */
  private pointMark: Mark = { t: 0, bytesIn: 0, bytesOut: 0 };
  private sampleMark: Mark = { t: 0, bytesIn: 0, bytesOut: 0 };

  constructor(private readonly maxPoints = MAX_TIMELINE_POINTS) {
    // The run starts from nothing: plots begin at 0 bots, 0 bytes.
    this.points.push({
      t: 0,
      started: 0,
      connected: 0,
      ackCount: 0,
      ackP50Ms: 0,
      ackP90Ms: 0,
      ackP99Ms: 0,
      bytesInPerSec: 0,
      bytesOutPerSec: 0,
      bytesInPerBotPerSec: 0,
      bytesOutPerBotPerSec: 0,
      disconnects: 0,
      connectFailures: 0,
      errors: 0,
    });
  }

  /** Adds the sample taken `t` seconds in; returns the progress figures for the interval it ends. */
  add(t: number, sample: MergedSample, target: number): SwarmProgress {
    const interval = summarize(sample.ack);
    const rates = ratesSince(this.sampleMark, t, sample);
    this.sampleMark = { t, bytesIn: sample.bytesIn, bytesOut: sample.bytesOut };
    this.pendingAck.add(sample.ack);
    if (++this.pending >= this.stride) this.addPoint(t, sample);
    return {
      elapsedSec: t,
      target,
      started: sample.started,
      connected: sample.connected,
      ackP50Ms: interval.p50,
      ackP99Ms: interval.p99,
      ...rates,
      disconnects: sample.disconnects,
      connectFailures: sample.connectFailures,
      errors: sample.errors,
    };
  }

  private addPoint(t: number, sample: MergedSample): void {
    const ack = summarize(this.pendingAck);
    const { bytesInPerSec, bytesOutPerSec } = ratesSince(this.pointMark, t, sample);
    this.pointMark = { t, bytesIn: sample.bytesIn, bytesOut: sample.bytesOut };
    this.pending = 0;
    this.pendingAck.reset();
    const perBot = (rate: number) => (sample.connected > 0 ? rate / sample.connected : 0);
    this.points.push({
      t,
      started: sample.started,
      connected: sample.connected,
      ackCount: ack.count,
      ackP50Ms: ack.p50,
      ackP90Ms: ack.p90,
      ackP99Ms: ack.p99,
      bytesInPerSec,
      bytesOutPerSec,
      bytesInPerBotPerSec: perBot(bytesInPerSec),
      bytesOutPerBotPerSec: perBot(bytesOutPerSec),
      disconnects: sample.disconnects,
      connectFailures: sample.connectFailures,
      errors: sample.errors,
    });
    if (this.points.length > this.maxPoints) {
      const kept = this.points.filter((_, i) => i % 2 === 0);
      this.points.length = 0;
      this.points.push(...kept);
      this.stride *= 2;
    }
  }
}

function ratesSince(mark: Mark, t: number, sample: MergedSample): { bytesInPerSec: number; bytesOutPerSec: number } {
  const dt = t - mark.t;
  if (!(dt > 0)) return { bytesInPerSec: 0, bytesOutPerSec: 0 };
  return { bytesInPerSec: (sample.bytesIn - mark.bytesIn) / dt, bytesOutPerSec: (sample.bytesOut - mark.bytesOut) / dt };
}

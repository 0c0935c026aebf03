import type { MergedSample, TimelinePoint } from "./aggregate.js";
import { createHistogram, decodeHistogram, encodeHistogram, type Histogram, type LatencySummary, summarize } from "./histogram.js";
import {
  addTotals,
  type BotSummary,
  type EncodedHistograms,
  emptyTotals,
  type GroupResult,
  HISTOGRAM_NAMES,
  ReasonCounter,
  type SwarmTotals,
} from "./metrics.js";

/** Everything a swarm run measured: what `runSwarm` returns and `report.json` holds. */
export interface SwarmResult {
  tool: "tickwire-bots";
  /** ISO 8601 UTC. */
  startedAt: string;
  config: {
    url: string;
    /** The world URL bots were sent to (after matchmaking, before any netsim). */
    worldUrl: string;
    bots: number;
    rampPerSec: number;
    durationSec: number;
    behavior: string;
    game: string | null;
    /** "full": snapshots applied as a browser would; "light": tracked (ticks, acks, bytes) only. */
    mode: "full" | "light";
    /** The game module predicts the bot's entity, so corrections are counted. */
    prediction: boolean;
    workers: number;
    seed: number;
    netsim: string | null;
  };
  elapsedSec: number;
  /** Stopped by a signal (Ctrl-C) before the duration ran out. */
  stoppedEarly: boolean;
  bots: {
    target: number;
    started: number;
    /** Welcomed when the run ended. */
    connectedAtEnd: number;
    peakConnected: number;
    /** Bots that were welcomed at least once. */
    everConnected: number;
  };
  /** Aggregated over every bot, ms. */
  latency: {
    /** Input sent → first snapshot acknowledging it. */
    ack: LatencySummary;
    /** Ping → pong, from clock sync. */
    rtt: LatencySummary;
    /** Time between consecutive snapshots. */
    interArrival: LatencySummary;
    /** |arrival spacing − server tick spacing| per snapshot (RFC 3550 transit difference). */
    jitter: LatencySummary;
    /** Socket created → Welcome. */
    connect: LatencySummary;
  };
  throughput: {
    /** Payload bytes per second, all bots together, over the run. */
    bytesInPerSec: number;
    bytesOutPerSec: number;
    /** Mean over bots of each bot's payload bytes per connected second. */
    bytesInPerBotPerSec: number;
    bytesOutPerBotPerSec: number;
    /** Frame headers (and client mask keys) on top of the payload, as a fraction of it. */
    wireOverheadIn: number;
    wireOverheadOut: number;
  };
  totals: SwarmTotals;
  disconnects: { total: number; byReason: Record<string, number> };
  connectFailures: { total: number; byReason: Record<string, number> };
  errors: { total: number; byKind: Record<string, number> };
  timeline: TimelinePoint[];
  /** Sampling seconds per timeline point (grows past MAX_TIMELINE_POINTS). */
  timelineStride: number;
  perBot: BotSummary[];
  /** Aggregated HDR histograms (µs, compressed base64) to merge with other runs. */
  histograms: EncodedHistograms;
}

export interface ResultInput {
  config: SwarmResult["config"];
  startedAt: Date;
  elapsedSec: number;
  stoppedEarly: boolean;
  groups: readonly GroupResult[];
  timeline: readonly TimelinePoint[];
  timelineStride: number;
  lastSample: MergedSample | null;
  peakConnected: number;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Merges the groups' histograms (decode + add), totals, reason counts and bots into one result. */
export function buildSwarmResult(input: ResultInput): SwarmResult {
  const merged = Object.fromEntries(HISTOGRAM_NAMES.map((name) => [name, createHistogram()])) as Record<keyof EncodedHistograms, Histogram>;
  const totals = emptyTotals();
  const disconnects = new ReasonCounter();
  const connectFailures = new ReasonCounter();
  const errors = new ReasonCounter();
  const bots: BotSummary[] = [];
  for (const group of input.groups) {
    for (const name of HISTOGRAM_NAMES) merged[name].add(decodeHistogram(group.histograms[name]));
    addTotals(totals, group.totals);
    disconnects.addAll(group.disconnects);
    connectFailures.addAll(group.connectFailures);
    errors.addAll(group.errors);
    bots.push(...group.bots);
  }
  bots.sort((a, b) => a.index - b.index);
  const seconds = input.elapsedSec > 0 ? input.elapsedSec : 1;
  const servedBots = bots.filter((bot) => bot.connectedSec > 0);
  return {
    tool: "tickwire-bots",
    startedAt: input.startedAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
    config: input.config,
    elapsedSec: input.elapsedSec,
    stoppedEarly: input.stoppedEarly,
    bots: {
      target: input.config.bots,
      started: input.lastSample?.started ?? bots.length,
      connectedAtEnd: input.lastSample?.connected ?? 0,
      peakConnected: input.peakConnected,
      everConnected: bots.filter((bot) => bot.welcomes > 0).length,
    },
    latency: {
      ack: summarize(merged.ack),
      rtt: summarize(merged.rtt),
      interArrival: summarize(merged.interArrival),
      jitter: summarize(merged.jitter),
      connect: summarize(merged.connect),
    },
    throughput: {
      bytesInPerSec: totals.bytesIn / seconds,
      bytesOutPerSec: totals.bytesOut / seconds,
      bytesInPerBotPerSec: mean(servedBots.map((bot) => bot.bytesInPerSec)),
      bytesOutPerBotPerSec: mean(servedBots.map((bot) => bot.bytesOutPerSec)),
      wireOverheadIn: totals.bytesIn > 0 ? (totals.wireBytesIn - totals.bytesIn) / totals.bytesIn : 0,
      wireOverheadOut: totals.bytesOut > 0 ? (totals.wireBytesOut - totals.bytesOut) / totals.bytesOut : 0,
    },
    totals,
    disconnects: { total: disconnects.total, byReason: disconnects.toJSON() },
    connectFailures: { total: connectFailures.total, byReason: connectFailures.toJSON() },
    errors: { total: errors.total, byKind: errors.toJSON() },
    timeline: [...input.timeline],
    timelineStride: input.timelineStride,
    perBot: bots,
    histograms: Object.fromEntries(HISTOGRAM_NAMES.map((name) => [name, encodeHistogram(merged[name])])) as unknown as EncodedHistograms,
  };
}

/** The result without its bulky parts (timeline, per-bot rows, histograms): what `--json` prints. */
export function swarmSummary(result: SwarmResult): Omit<SwarmResult, "timeline" | "perBot" | "histograms"> {
  const { timeline: _timeline, perBot: _perBot, histograms: _histograms, ...summary } = result;
  return summary;
}

import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Chart } from "../report/chart-types.js";
import { type ReportInput, renderReport, type SummaryRow } from "../report/html.js";
import { decodeHistogram, histogramBuckets, type LatencySummary } from "./histogram.js";
import type { SwarmResult } from "./result.js";
import type { ThresholdVerdict } from "./thresholds.js";

/** Bins of the latency histograms: fine enough to show a second mode, coarse enough to read. */
const HISTOGRAM_BINS = 40;
/** Bots listed in the report's table (all of them are in report.json). */
const SLOWEST_BOTS_SHOWN = 20;
const KIB = 1024;

function markers(summary: LatencySummary): { label: string; value: number }[] {
  if (summary.count === 0) return [];
  return [
    { label: "p50", value: summary.p50 },
    { label: "p90", value: summary.p90 },
    { label: "p99", value: summary.p99 },
  ];
}

function latencyRows(result: SwarmResult): SummaryRow[] {
  const { ack, rtt, interArrival, connect } = result.latency;
  return [
    { label: "input→ack p50 / p99", value: `${ack.p50} / ${ack.p99}`, unit: "ms" },
    { label: "RTT p50 / p99", value: `${rtt.p50} / ${rtt.p99}`, unit: "ms" },
    { label: "snapshot gap p50 / p99", value: `${interArrival.p50} / ${interArrival.p99}`, unit: "ms" },
    { label: "connect p50 / p99", value: `${connect.p50} / ${connect.p99}`, unit: "ms" },
  ];
}

/** The report's content: summary, disconnect reasons, slowest bots, and the four plots (plus RTT). */
export function swarmReportInput(result: SwarmResult, verdict?: ThresholdVerdict): ReportInput {
  const { config, bots, throughput, totals, timeline } = result;
  const summary: SummaryRow[] = [
    { label: "bots connected at the end", value: `${bots.connectedAtEnd} / ${bots.target}` },
    { label: "peak connected", value: bots.peakConnected },
    ...latencyRows(result),
    { label: "bytes in per bot", value: throughput.bytesInPerBotPerSec / KIB, unit: "KiB/s" },
    { label: "bytes out per bot", value: throughput.bytesOutPerBotPerSec / KIB, unit: "KiB/s" },
    { label: "frame overhead in / out", value: `${(throughput.wireOverheadIn * 100).toFixed(1)}% / ${(throughput.wireOverheadOut * 100).toFixed(1)}%` },
    { label: "snapshots received / ticks skipped", value: `${totals.snapshots} / ${totals.skippedSnapshots}` },
    { label: "inputs sent / acknowledged / lost", value: `${totals.inputsSent} / ${totals.inputsAcked} / ${totals.inputsLost}` },
    { label: "prediction corrections", value: config.prediction ? totals.corrections : "–" },
    { label: "disconnects", value: result.disconnects.total },
    { label: "failed connection attempts", value: result.connectFailures.total },
    { label: "client errors", value: result.errors.total },
  ];
  if (verdict !== undefined) summary.push({ label: "thresholds", value: verdict.passed ? "passed" : `FAILED: ${verdict.failures.join("; ")}` });
  const reasonRows = [
    ...Object.entries(result.disconnects.byReason).map(([reason, count]) => ["disconnect", reason, count] as const),
    ...Object.entries(result.connectFailures.byReason).map(([reason, count]) => ["connect failure", reason, count] as const),
    ...Object.entries(result.errors.byKind).map(([kind, count]) => ["client error", kind, count] as const),
  ];
  const slowest = [...result.perBot].sort((a, b) => b.ackP99Ms - a.ackP99Ms).slice(0, SLOWEST_BOTS_SHOWN);
  const seconds = timeline.map((point) => point.t);
  const line = (name: string, values: readonly number[]) => ({ name, points: values.map((y, i) => [seconds[i], y] as const) });
  const charts: Chart[] = [
    {
      kind: "line",
      title: "Input→ack latency over time",
      xLabel: "time (s)",
      yLabel: "latency (ms)",
      series: [
        line("p50", timeline.map((point) => (point.ackCount > 0 ? point.ackP50Ms : Number.NaN))),
        line("p90", timeline.map((point) => (point.ackCount > 0 ? point.ackP90Ms : Number.NaN))),
        line("p99", timeline.map((point) => (point.ackCount > 0 ? point.ackP99Ms : Number.NaN))),
      ],
    },
    {
      kind: "histogram",
      title: "Input→ack latency",
      xLabel: "latency (ms)",
      buckets: histogramBuckets(decodeHistogram(result.histograms.ack), HISTOGRAM_BINS),
      percentiles: [],
      markers: markers(result.latency.ack),
    },
    {
      kind: "line",
      title: "Bandwidth per bot over time",
      xLabel: "time (s)",
      yLabel: "KiB/s per connected bot",
      series: [
        line("in", timeline.map((point) => point.bytesInPerBotPerSec / KIB)),
        line("out", timeline.map((point) => point.bytesOutPerBotPerSec / KIB)),
      ],
    },
    {
      kind: "line",
      title: "Connected bots over time",
      xLabel: "time (s)",
      yLabel: "bots",
      series: [line("connected", timeline.map((point) => point.connected)), line("started", timeline.map((point) => point.started))],
    },
    {
      kind: "histogram",
      title: "RTT (clock-sync pings)",
      xLabel: "RTT (ms)",
      buckets: histogramBuckets(decodeHistogram(result.histograms.rtt), HISTOGRAM_BINS),
      percentiles: [],
      markers: markers(result.latency.rtt),
    },
  ];
  return {
    title: `Bot swarm: ${config.bots} bots, ${result.elapsedSec.toFixed(0)} s, ${config.behavior}`,
    subtitle:
      `${result.startedAt} · ${config.worldUrl} · ${config.mode} mode · ${config.workers} thread(s) · seed ${config.seed}` +
      (config.netsim ? ` · netsim ${config.netsim}` : ""),
    summary,
    tables: [
      ...(reasonRows.length > 0 ? [{ title: "Disconnects, failures and errors", columns: ["what", "reason", "count"], rows: reasonRows }] : []),
      {
        title: `Slowest bots by input→ack p99 (${slowest.length} of ${result.perBot.length}; all in report.json)`,
        columns: ["bot", "ack p50 (ms)", "ack p99 (ms)", "RTT p50 (ms)", "in (KiB/s)", "out (KiB/s)", "skipped", "disconnects", "connected"],
        rows: slowest.map((bot) => [
          bot.name,
          bot.ackP50Ms,
          bot.ackP99Ms,
          bot.rttP50Ms,
          bot.bytesInPerSec / KIB,
          bot.bytesOutPerSec / KIB,
          bot.skippedSnapshots,
          bot.disconnects,
          bot.connected ? "yes" : "no",
        ]),
      },
    ],
    charts,
  };
}

/** Writes `report.json` (the whole result) and the self-contained `report.html` into `dir`; returns their paths. */
export async function writeSwarmReport(
  dir: string,
  result: SwarmResult,
  verdict?: ThresholdVerdict,
): Promise<{ json: string; html: string }> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, "report.json");
  const html = join(dir, "report.html");
  await writeAtomically(json, `${JSON.stringify(verdict === undefined ? result : { ...result, thresholds: verdict }, null, 2)}\n`);
  await writeAtomically(html, renderReport(swarmReportInput(result, verdict)));
  return { json, html };
}

async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}

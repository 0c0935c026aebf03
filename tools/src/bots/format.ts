import { formatBytes } from "../netsim/conditions.js";
import type { LatencySummary } from "./histogram.js";
import type { SwarmProgress } from "./options.js";
import type { SwarmResult } from "./result.js";
import type { ThresholdVerdict } from "./thresholds.js";

function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

/** The live line: "12.0s  bots 200/200  ack p50 31.2 ms p99 52.0 ms  in 820.1 KiB/s  out 80.0 KiB/s  disc 0  fail 0  err 0". */
export function formatProgress(progress: SwarmProgress): string {
  const started = progress.started < progress.target ? ` (${progress.started} started)` : "";
  return [
    `${progress.elapsedSec.toFixed(1)}s`,
    `bots ${progress.connected}/${progress.target}${started}`,
    `ack p50 ${ms(progress.ackP50Ms)} ms p99 ${ms(progress.ackP99Ms)} ms`,
    `in ${formatBytes(progress.bytesInPerSec)}/s`,
    `out ${formatBytes(progress.bytesOutPerSec)}/s`,
    `disc ${progress.disconnects}`,
    `fail ${progress.connectFailures}`,
    `err ${progress.errors}`,
  ].join("  ");
}

/** Writes progress lines: one updating line on a terminal, one line per update otherwise. */
export class ProgressPrinter {
  private lineOpen = false;

  constructor(private readonly stream: { write(text: string): unknown; isTTY?: boolean }) {}

  update(progress: SwarmProgress): void {
    const line = formatProgress(progress);
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[2K${line}`);
      this.lineOpen = true;
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  /** Ends the updating line so what follows starts on its own. */
  done(): void {
    if (this.lineOpen) this.stream.write("\n");
    this.lineOpen = false;
  }
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
}

function latencyRow(label: string, summary: LatencySummary): string[] {
  if (summary.count === 0) return [label, "–", "–", "–", "–", "–", "0"];
  return [label, ms(summary.min), ms(summary.p50), ms(summary.p90), ms(summary.p99), ms(summary.max), String(summary.count)];
}

function reasons(byReason: Readonly<Record<string, number>>): string {
  const entries = Object.entries(byReason);
  return entries.length === 0 ? "" : ` (${entries.map(([reason, count]) => `${count}× ${reason}`).join("; ")})`;
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** The end-of-run summary: a latency table and a few lines of counts. */
export function formatSummary(result: SwarmResult, verdict?: ThresholdVerdict): string {
  const { config, bots, latency, throughput, totals } = result;
  const rows = [
    ["latency (ms)", "min", "p50", "p90", "p99", "max", "count"],
    latencyRow("input→ack", latency.ack),
    latencyRow("RTT", latency.rtt),
    latencyRow("snapshot gap", latency.interArrival),
    latencyRow("jitter", latency.jitter),
    latencyRow("connect", latency.connect),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const lines = [
    `tickwire-bots: ${config.bots} bots × ${result.elapsedSec.toFixed(1)} s${result.stoppedEarly ? " (stopped early)" : ""}, ` +
      `behaviour ${config.behavior}, ${config.mode} mode${config.netsim ? `, netsim ${config.netsim}` : ""}, ${config.workers} thread(s)`,
    `target ${config.worldUrl}`,
    "",
    ...rows.map((row) => pad(row, widths)),
    "",
    `bots         ${bots.connectedAtEnd}/${bots.target} connected at the end, peak ${bots.peakConnected}, ${bots.everConnected} ever connected`,
    `disconnects  ${result.disconnects.total}${reasons(result.disconnects.byReason)}`,
    `failures     ${result.connectFailures.total} connection attempts failed${reasons(result.connectFailures.byReason)}`,
    `errors       ${result.errors.total}${reasons(result.errors.byKind)}`,
    `bytes in     ${formatBytes(throughput.bytesInPerBotPerSec)}/s per bot, ${formatBytes(throughput.bytesInPerSec)}/s total ` +
      `(payload; frame headers add ${percent(throughput.wireOverheadIn)})`,
    `bytes out    ${formatBytes(throughput.bytesOutPerBotPerSec)}/s per bot, ${formatBytes(throughput.bytesOutPerSec)}/s total ` +
      `(payload; frame headers and masks add ${percent(throughput.wireOverheadOut)})`,
    `snapshots    ${totals.snapshots} received, ${totals.skippedSnapshots} ticks skipped`,
    `inputs       ${totals.inputsSent} sent, ${totals.inputsAcked} acknowledged, ${totals.inputsLost} lost, ${totals.inputsCoalesced} coalesced`,
    `corrections  ${config.prediction ? `${totals.corrections} prediction corrections` : "– (no prediction: light mode, or no predict in the game module)"}`,
  ];
  if (verdict !== undefined) {
    lines.push("", verdict.passed ? "thresholds   passed" : `thresholds   FAILED: ${verdict.failures.join("; ")}`);
  }
  return `${lines.join("\n")}\n`;
}

import type { SwarmResult } from "./result.js";

/** Pass/fail limits for CI (`--max-p99-ms`, `--max-disconnects`). */
export interface SwarmThresholds {
  /** Input→ack latency p99, ms. */
  maxP99Ms?: number;
  /** Disconnects plus failed connection attempts. */
  maxDisconnects?: number;
}

export interface ThresholdVerdict {
  passed: boolean;
  /** One line per exceeded threshold. */
  failures: string[];
}

/**
 * Checks a run against its thresholds. A latency threshold with no acknowledged input
 * fails: a run that measured nothing cannot claim to be fast enough.
 */
export function checkThresholds(result: SwarmResult, thresholds: SwarmThresholds): ThresholdVerdict {
  const failures: string[] = [];
  const { maxP99Ms, maxDisconnects } = thresholds;
  if (maxP99Ms !== undefined) {
    const ack = result.latency.ack;
    if (ack.count === 0) failures.push(`input→ack p99: no input was acknowledged, so the limit of ${maxP99Ms} ms cannot be met`);
    else if (ack.p99 > maxP99Ms) failures.push(`input→ack p99 ${ack.p99} ms > ${maxP99Ms} ms`);
  }
  if (maxDisconnects !== undefined) {
    const count = result.disconnects.total + result.connectFailures.total;
    if (count > maxDisconnects) {
      failures.push(
        `disconnects ${count} (${result.disconnects.total} dropped, ${result.connectFailures.total} failed to connect) > ${maxDisconnects}`,
      );
    }
  }
  return { passed: failures.length === 0, failures };
}

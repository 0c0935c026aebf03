/**
 * A world's counters: what its hot paths count in plain numbers (messages and bytes in,
 * rate-limited messages, events sent, the outboxes' stats), flushed into the Prometheus
 * metrics once per tick instead of a metrics call per message.
 */
import { CloseCode, ErrorCode } from "@tickwire/engine";
import type { ServerMetrics } from "./metrics.js";
import { OutboxStats } from "./outbox.js";

/** A metrics label for a close code: `stalled_reader`, or `code_1234` for codes we do not name. */
export function closeLabel(code: number): string {
  const name = (CloseCode as unknown as Record<number, string | undefined>)[code];
  return name === undefined ? `code_${code}` : snakeCase(name);
}

/** A metrics label for a protocol error code: `invalid_field`. */
export function errorLabel(code: ErrorCode): string {
  return snakeCase(ErrorCode[code] ?? "unknown");
}

function snakeCase(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}

export class WorldCounters {
  /** Shared by every outbox of the world. */
  readonly stats = new OutboxStats();
  messagesIn = 0;
  bytesIn = 0;
  rateLimited = 0;
  eventsSent = 0;
  private readonly population;

  constructor(
    readonly metrics: ServerMetrics,
    worldId: string,
  ) {
    this.population = metrics.population.labels({ world: worldId });
  }

  /** Adds what was counted since the last flush to the metrics; `players` is the world's population. */
  flush(players: number): void {
    const { metrics, stats } = this;
    if (stats.messages > 0) {
      metrics.messagesOut.inc(stats.messages);
      metrics.bytesOut.inc(stats.bytes);
    }
    if (stats.snapshots > 0) {
      metrics.snapshotsSent.inc(stats.snapshots);
      metrics.snapshotBytes.inc(stats.snapshotBytes);
    }
    if (stats.skipped > 0) metrics.snapshotsSkipped.inc(stats.skipped);
    if (stats.rateDrops > 0) metrics.snapshotRateDrops.inc(stats.rateDrops);
    if (stats.sendDrops > 0) metrics.sendDrops.inc(stats.sendDrops);
    stats.reset();
    if (this.messagesIn > 0) {
      metrics.messagesIn.inc(this.messagesIn);
      metrics.bytesIn.inc(this.bytesIn);
      this.messagesIn = 0;
      this.bytesIn = 0;
    }
    if (this.rateLimited > 0) {
      metrics.rateLimited.inc(this.rateLimited);
      this.rateLimited = 0;
    }
    if (this.eventsSent > 0) {
      metrics.eventsSent.inc(this.eventsSent);
      this.eventsSent = 0;
    }
    this.population.set(players);
  }
}

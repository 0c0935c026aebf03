/**
 * Outage: one shared dependency (the registry, the bus) seen from this process. Its first
 * failure is logged once as an error naming it, its recovery once as info, and while it
 * lasts /healthz names the problem: an outage of many seconds is two log lines, not one per
 * retry.
 */
import type { Clock } from "./clock.js";
import type { Logger } from "./log.js";

export class Outage {
  private since: number | undefined;
  private failures = 0;
  private lastError = "";

  constructor(
    /** What failed, as /healthz and the log name it ("registry", "message bus"). */
    readonly name: string,
    /** What the failure means for players, for the log line. */
    private readonly consequence: string,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  failed(error: unknown): void {
    this.failures++;
    this.lastError = error instanceof Error ? error.message : String(error);
    if (this.since !== undefined) return;
    this.since = this.clock();
    this.logger.error({ err: error, dependency: this.name }, `${this.name} unavailable: ${this.consequence}; retrying`);
  }

  succeeded(): void {
    if (this.since === undefined) return;
    const ms = Math.round(this.clock() - this.since);
    this.logger.info({ dependency: this.name, failures: this.failures, outageMs: ms }, `${this.name} available again`);
    this.since = undefined;
    this.failures = 0;
  }

  /** What /healthz says while the outage lasts, or undefined. */
  problem(now = this.clock()): string | undefined {
    if (this.since === undefined) return undefined;
    return `${this.name} unavailable for ${Math.round(now - this.since)} ms (${this.failures} failures; last: ${this.lastError})`;
  }
}

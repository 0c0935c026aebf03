/**
 * PopulationTally: the total player count across processes, from the `population` reports
 * each process publishes on the bus (latest report per process; a process that stopped
 * reporting drops out, like a registry listing without heartbeats).
 */
import { type Clock, systemClock } from "../clock.js";
import type { MessageBus } from "./bus.js";

/** A process silent this long is gone: five missed reports at the registry's 1 s heartbeat. */
export const DEFAULT_POPULATION_STALE_MS = 5_000;

export class PopulationTally {
  private readonly latest = new Map<string, { readonly players: number; readonly at: number }>();
  private readonly clock: Clock;
  private readonly staleAfterMs: number;
  private readonly unsubscribe: () => void;

  constructor(bus: MessageBus, options: { clock?: Clock; staleAfterMs?: number } = {}) {
    this.clock = options.clock ?? systemClock;
    this.staleAfterMs = options.staleAfterMs ?? DEFAULT_POPULATION_STALE_MS;
    this.unsubscribe = bus.subscribe("population", (report) => {
      this.latest.set(report.process, { players: report.players, at: this.clock() });
    });
  }

  /** Players on every process that reported within the stale time, leaving out `except` (a process that counts its own). */
  total(except?: string): number {
    const oldest = this.clock() - this.staleAfterMs;
    let total = 0;
    for (const [process, report] of this.latest) {
      if (report.at < oldest) this.latest.delete(process);
      else if (process !== except) total += report.players;
    }
    return total;
  }

  close(): void {
    this.unsubscribe();
  }
}

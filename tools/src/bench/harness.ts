export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Nearest-rank percentile of values sorted ascending; 0 when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

const BYTES_PER_MB = 1024 * 1024;

/** What a benchmark child measured of itself over a window. */
export interface WindowFigures {
  /** CPU (user + system) over the window, % of one core. */
  cpuPct: number;
  rssMb: number;
  /** How many durations were recorded, and their percentiles, ms. */
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** A benchmark child's own measuring window: its CPU, RSS, and durations recorded in it. */
export class WindowMeter {
  private readonly durations: number[] = [];
  private cpuStart = process.cpuUsage();
  private wallStart = performance.now();

  record(durationMs: number): void {
    this.durations.push(durationMs);
  }

  /** Opens the window: what came before is forgotten. */
  reset(): void {
    this.durations.length = 0;
    this.cpuStart = process.cpuUsage();
    this.wallStart = performance.now();
  }

  figures(): WindowFigures {
    const cpu = process.cpuUsage(this.cpuStart);
    const wallMs = performance.now() - this.wallStart;
    const sorted = this.durations.slice().sort((a, b) => a - b);
    return {
      cpuPct: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
      rssMb: process.memoryUsage.rss() / BYTES_PER_MB,
      count: sorted.length,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted.length === 0 ? 0 : sorted[sorted.length - 1],
    };
  }
}

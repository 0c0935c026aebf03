import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface BenchResult {
  metric: string;
  value: number;
  unit: string;
  params: Record<string, string | number>;
}

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Runs `once` (which returns operations done) `runs` times and gives the median rate. */
export function medianRate(runs: number, once: () => number): number {
  const rates: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const operations = once();
    const seconds = (performance.now() - start) / 1000;
    rates.push(operations / seconds);
  }
  return median(rates);
}

export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Writes bench-results/<suite>.json in the project's result format; returns the previous file's results. */
export function writeSuite(suite: string, results: BenchResult[]): BenchResult[] | null {
  const dir = join(repoRoot, "bench-results");
  const path = join(dir, `${suite}.json`);
  let previous: BenchResult[] | null = null;
  try {
    previous = JSON.parse(readFileSync(path, "utf8")).results;
  } catch {
    previous = null;
  }
  mkdirSync(dir, { recursive: true });
  const file = { suite, when: new Date().toISOString(), node: process.version, cpus: cpus().length, results };
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
  return previous;
}

export function printTable(results: BenchResult[], previous: BenchResult[] | null): void {
  const before = new Map((previous ?? []).map((r) => [`${r.metric} ${JSON.stringify(r.params)}`, r.value]));
  for (const r of results) {
    const params = Object.entries(r.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
    const old = before.get(`${r.metric} ${JSON.stringify(r.params)}`);
    const change = old ? ` (${r.value >= old ? "+" : ""}${(((r.value - old) / old) * 100).toFixed(1)}% vs previous)` : "";
    console.log(`${r.metric.padEnd(40)} ${formatValue(r.value).padStart(14)} ${r.unit.padEnd(10)} ${params}${change}`);
  }
}

function formatValue(value: number): string {
  return value >= 1000 ? Math.round(value).toLocaleString("en-US") : value.toFixed(value >= 10 ? 1 : 3);
}

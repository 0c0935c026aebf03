import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { formatNumber } from "./format.js";

/**
 * The benchmark result format shared by every benchmark of the project
 * (shared/scenarios/field.md, "Result format"): `bench-results/<suite>.json` at the
 * repo root, and the comparison of a run against the previous one.
 */

export type ResultParams = Readonly<Record<string, string | number | boolean>>;

export interface BenchResult {
  /** Stable, dot-separated, lower case: "field.aoi.c500.tick_p99_ms". */
  metric: string;
  value: number;
  unit: string;
  params: ResultParams;
}

export interface ResultFile {
  suite: string;
  /** ISO 8601 UTC to the second: "2026-11-23T10:00:00Z". */
  when: string;
  node: string;
  cpus: number;
  results: BenchResult[];
}

export class ResultFileError extends Error {
  override name = "ResultFileError";
}

const SUITE_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const METRIC_NAME = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/;
export const RESULTS_DIR = "bench-results";

/** The nearest directory at or above `start` whose package.json declares workspaces; `start` if none. */
export function findRepoRoot(start = process.cwd()): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if (JSON.parse(readFileSync(manifest, "utf8")).workspaces) return dir;
      } catch {
        // An unreadable package.json is not the root; keep walking.
      }
    }
    if (dirname(dir) === dir) return start;
  }
}

export function resultFilePath(suite: string, root = findRepoRoot()): string {
  if (!SUITE_NAME.test(suite)) throw new ResultFileError(`suite name "${suite}" must be lower case letters, digits, - or _`);
  return join(root, RESULTS_DIR, `${suite}.json`);
}

/** Checks a parsed result file; throws ResultFileError naming the first problem. */
export function validateResultFile(data: unknown, source = "result file"): ResultFile {
  const fail = (problem: string): never => {
    throw new ResultFileError(`${source}: ${problem}`);
  };
  if (typeof data !== "object" || data === null) return fail("not a JSON object");
  const file = data as Record<string, unknown>;
  if (typeof file.suite !== "string" || !SUITE_NAME.test(file.suite)) fail("suite must be a lower-case name");
  if (typeof file.when !== "string" || Number.isNaN(Date.parse(file.when))) fail("when must be an ISO date");
  if (typeof file.node !== "string") fail("node must be a version string");
  if (typeof file.cpus !== "number" || !Number.isInteger(file.cpus) || file.cpus < 1) fail("cpus must be a positive integer");
  if (!Array.isArray(file.results)) return fail("results must be an array");
  validateResults(file.results, fail);
  return file as unknown as ResultFile;
}

function validateResults(results: readonly unknown[], fail: (problem: string) => never): void {
  const seen = new Set<string>();
  results.forEach((entry, i) => {
    const result = entry as Partial<BenchResult> | null;
    const where = `results[${i}]`;
    if (typeof result !== "object" || result === null) fail(`${where} is not an object`);
    const { metric, value, unit, params } = result as Partial<BenchResult>;
    if (typeof metric !== "string" || !METRIC_NAME.test(metric)) {
      fail(`${where}.metric "${metric}" must be dot-separated lower case (a-z, 0-9, _)`);
    }
    if (seen.has(metric as string)) fail(`${where}.metric "${metric}" appears twice`);
    seen.add(metric as string);
    if (typeof value !== "number" || !Number.isFinite(value)) fail(`${where}.value of ${metric} must be a finite number`);
    if (typeof unit !== "string") fail(`${where}.unit of ${metric} must be a string`);
    if (typeof params !== "object" || params === null || Array.isArray(params)) fail(`${where}.params of ${metric} must be an object`);
  });
}

/** The result file at `path`, or null when there is none yet. */
export async function readResultFile(path: string): Promise<ResultFile | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ResultFileError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return validateResultFile(data, path);
}

export interface WriteResultOptions {
  /** Repo root holding bench-results/ (default: found from the working directory). */
  root?: string;
  /** Time of the run (default: now). */
  when?: Date;
}

export interface WrittenResults {
  path: string;
  file: ResultFile;
  /** What the file held before this run, for `compareResults`; null on the first run. */
  previous: ResultFile | null;
}

/**
 * Validates and writes `bench-results/<suite>.json`, returning the file it replaced.
 * Written to a temporary file and renamed, so an interrupted run never leaves half a file.
 */
export async function writeResultFile(
  suite: string,
  results: readonly BenchResult[],
  options: WriteResultOptions = {},
): Promise<WrittenResults> {
  const path = resultFilePath(suite, options.root);
  const file: ResultFile = {
    suite,
    when: (options.when ?? new Date()).toISOString().replace(/\.\d{3}Z$/, "Z"),
    node: process.version,
    cpus: availableParallelism(),
    results: results.map((r) => ({ metric: r.metric, value: r.value, unit: r.unit, params: { ...r.params } })),
  };
  validateResultFile(file, `results of suite "${suite}"`);
  const previous = await readResultFile(path).catch((error: unknown) => {
    // A previous file in an older or broken format is replaced, not a reason to lose this run.
    if (!(error instanceof ResultFileError)) throw error;
    process.stderr.write(`ignoring the previous ${path}: ${error.message}\n`);
    return null;
  });
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`);
  await rename(temporary, path);
  return { path, file, previous };
}

export interface ComparisonRow {
  metric: string;
  unit: string;
  params: ResultParams;
  /** null: the metric is new in this run. */
  previous: number | null;
  /** null: the metric is no longer measured. */
  current: number | null;
  /** (current − previous) / |previous| × 100; null when either side is missing or previous is 0 and current is not. */
  changePct: number | null;
}

type Results = ResultFile | readonly BenchResult[];

function resultsOf(source: Results | null): readonly BenchResult[] {
  if (source === null) return [];
  return "results" in source ? source.results : source;
}

function change(previous: number, current: number): number | null {
  if (previous === current) return 0;
  if (previous === 0) return null;
  return ((current - previous) / Math.abs(previous)) * 100;
}

/**
 * Matches metrics by name: every current metric in its order, then those only the
 * previous run had.
 */
export function compareResults(previous: Results | null, current: Results): ComparisonRow[] {
  const before = new Map(resultsOf(previous).map((r) => [r.metric, r]));
  const rows: ComparisonRow[] = resultsOf(current).map((r) => {
    const old = before.get(r.metric);
    before.delete(r.metric);
    return {
      metric: r.metric,
      unit: r.unit,
      params: r.params,
      previous: old?.value ?? null,
      current: r.value,
      changePct: old === undefined ? null : change(old.value, r.value),
    };
  });
  for (const old of before.values()) {
    rows.push({ metric: old.metric, unit: old.unit, params: old.params, previous: old.value, current: null, changePct: null });
  }
  return rows;
}

function formatChange(row: ComparisonRow): string {
  if (row.previous === null) return "new";
  if (row.current === null) return "gone";
  if (row.changePct === null) return "n/a";
  const rounded = Math.round(row.changePct * 10) / 10;
  return `${rounded > 0 ? "+" : ""}${rounded.toFixed(1)}%`;
}

/** A plain-text table for a terminal: metric, previous, current, change. */
export function formatComparison(rows: readonly ComparisonRow[]): string {
  const withUnit = (value: number | null, unit: string) => (value === null ? "–" : `${formatNumber(value)}${unit ? ` ${unit}` : ""}`);
  const table = [
    ["metric", "previous", "current", "change"],
    ...rows.map((row) => [row.metric, withUnit(row.previous, row.unit), withUnit(row.current, row.unit), formatChange(row)]),
  ];
  const widths = table[0].map((_, column) => Math.max(...table.map((line) => line[column].length)));
  return table
    .map((line) =>
      line
        .map((text, column) => (column === 0 ? text.padEnd(widths[column]) : text.padStart(widths[column])))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

import { access, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FieldOutcome, runField } from "../src/bench/field.js";
import { percentile } from "../src/bench/harness.js";
import { readResultFile } from "../src/report/index.js";

// One tiny field run end to end: a real server process and a real bot process on
// 127.0.0.1, their IPC, the window, the result file and the HTML report.
const CLIENTS = 10;
const WINDOW_SEC = 2;
const MOBS = 500;
const METRICS = [
  "tick_p50_ms",
  "tick_p99_ms",
  "tick_max_ms",
  "cpu_pct",
  "rss_mb",
  "bytes_per_client_s",
  "ack_p50_ms",
  "ack_p95_ms",
  "ack_p99_ms",
  "connected",
  "load_cpu_pct",
  "other_cpu_pct",
] as const;
/** A tick at 20 Hz is 50 ms: an input waits at most about one tick plus the loopback hop for its ack. */
const ACK_CEILING_MS = 500;

describe("field benchmark, C=10 with a 2 s window", () => {
  let root: string;
  let outcome: FieldOutcome;
  let values: Map<string, number>;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "tickwire-bench-"));
    outcome = await runField({ clients: [CLIENTS], variants: ["aoi"], mobs: MOBS, warmupSec: 1, windowSec: WINDOW_SEC, root });
    const file = await readResultFile(join(root, "bench-results", "field.json"));
    values = new Map((file?.results ?? []).map((result) => [result.metric, result.value]));
  }, 90_000);

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("writes every field metric named in field.md for the run, and nothing else", () => {
    const expected = METRICS.map((name) => `field.aoi.c${CLIENTS}.${name}`);
    expect([...values.keys()].sort()).toEqual(expected.sort());
  });

  it("keeps every client connected to the end of the window", () => {
    expect(values.get(`field.aoi.c${CLIENTS}.connected`)).toBe(CLIENTS);
  });

  it("measures ticks that take time, with p50 ≤ p99 ≤ max", () => {
    const p50 = values.get(`field.aoi.c${CLIENTS}.tick_p50_ms`) ?? 0;
    const p99 = values.get(`field.aoi.c${CLIENTS}.tick_p99_ms`) ?? 0;
    const max = values.get(`field.aoi.c${CLIENTS}.tick_max_ms`) ?? 0;
    expect(p50).toBeGreaterThan(0);
    expect(p50).toBeLessThanOrEqual(p99);
    expect(p99).toBeLessThanOrEqual(max);
    // About 20 ticks a second over the window (timer slack either way).
    expect(outcome.runs[0].server.ticks).toBeGreaterThanOrEqual(WINDOW_SEC * 20 * 0.8);
  });

  it("counts snapshot bytes received per client and acks within a few ticks", () => {
    expect(values.get(`field.aoi.c${CLIENTS}.bytes_per_client_s`)).toBeGreaterThan(0);
    const p50 = values.get(`field.aoi.c${CLIENTS}.ack_p50_ms`) ?? 0;
    const p95 = values.get(`field.aoi.c${CLIENTS}.ack_p95_ms`) ?? 0;
    const p99 = values.get(`field.aoi.c${CLIENTS}.ack_p99_ms`) ?? 0;
    expect(p50).toBeGreaterThan(0);
    expect(p50).toBeLessThanOrEqual(p95);
    expect(p95).toBeLessThanOrEqual(p99);
    expect(p99).toBeLessThan(ACK_CEILING_MS);
  });

  it("reports the server's CPU and memory and the load's CPU as plausible shares", () => {
    for (const name of ["cpu_pct", "load_cpu_pct"]) {
      const value = values.get(`field.aoi.c${CLIENTS}.${name}`) ?? -1;
      expect(value).toBeGreaterThan(0);
      expect(value).toBeLessThan(200);
    }
    expect(values.get(`field.aoi.c${CLIENTS}.rss_mb`)).toBeGreaterThan(10);
  });

  it("writes a self-contained HTML report next to the JSON", async () => {
    await access(outcome.htmlPath);
    const html = await readFile(outcome.htmlPath, "utf8");
    expect(html).toContain("<svg");
    expect(html).toContain("Tick duration p99");
    expect(html).not.toMatch(/<script|(src|href)="https?:/);
  });
});

describe("percentile", () => {
  it("takes the nearest rank, so p50 of 1..4 is 2 and p99 of 1..100 is 99", () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
  });

  it("is 0 for no values and the only value for one", () => {
    expect(percentile([], 99)).toBe(0);
    expect(percentile([7], 1)).toBe(7);
  });
});

import { access, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FLOOR_LABEL,
  SENDS_ONLY_FLOOR_LABEL,
  type FieldOutcome,
  type FieldRun,
  floorClientCounts,
  floorMessageBytes,
  formatFieldTable,
  formatFloorLines,
  runField,
} from "../src/bench/field.js";
import type { FloorRun } from "../src/bench/floor.js";
import { percentile } from "../src/bench/harness.js";
import { readResultFile } from "../src/report/index.js";

// One tiny field run end to end: a real server process and a real bot process on
// 127.0.0.1, their IPC, the window, then the floor at the same C, the result file and
// the HTML report.
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
const FLOOR_METRICS = ["cpu_pct", "send_p99_ms", "load_cpu_pct", "other_cpu_pct"] as const;
/** A tick at 20 Hz is 50 ms: an input waits at most about one tick plus the loopback hop for its ack. */
const ACK_CEILING_MS = 500;

describe("field benchmark and its floor, C=10 with a 2 s window", () => {
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

  it("writes every field metric named in field.md for the run, the floor's and the ratio, and nothing else", () => {
    const expected = [
      ...METRICS.map((name) => `field.aoi.c${CLIENTS}.${name}`),
      `field.aoi.c${CLIENTS}.cpu_vs_floor`,
      ...FLOOR_METRICS.map((name) => `field.floor.c${CLIENTS}.${name}`),
      ...FLOOR_METRICS.map((name) => `field.floor_sends_only.c${CLIENTS}.${name}`),
    ];
    expect([...values.keys()].sort()).toEqual(expected.sort());
  });

  it("measures the floor with the payload the aoi run received per tick, and the field's CPU against it", () => {
    const bytesPerSec = values.get(`field.aoi.c${CLIENTS}.bytes_per_client_s`) ?? 0;
    const messageBytes = Math.max(64, Math.round(bytesPerSec / 20));
    // With the clients sending an input a tick, as the scene's do, then sends only.
    expect(outcome.floors.map((floor) => [floor.messageBytes, floor.clientInputs])).toEqual([
      [messageBytes, true],
      [messageBytes, false],
    ]);
    for (const floor of outcome.floors) expect(floor.connected).toBe(CLIENTS);
    const floorCpu = values.get(`field.floor.c${CLIENTS}.cpu_pct`) ?? 0;
    expect(floorCpu).toBeGreaterThan(0);
    expect(values.get(`field.aoi.c${CLIENTS}.cpu_vs_floor`)).toBeCloseTo((values.get(`field.aoi.c${CLIENTS}.cpu_pct`) ?? 0) / floorCpu, 6);
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
    expect(html).toContain(FLOOR_LABEL);
    expect(html).not.toMatch(/<script|(src|href)="https?:/);
  });
});

describe("the floor beside the field runs", () => {
  const fieldRun = (variant: FieldRun["variant"], cpuPct: number): FieldRun => ({
    variant,
    clients: 1000,
    server: { cpuPct, rssMb: 120, ticks: 400, tickP50Ms: 4, tickP99Ms: 9, tickMaxMs: 12 },
    load: {
      windowSec: 20,
      connectedAtStart: 1000,
      connectedAtEnd: 1000,
      bytesPerClientSec: 24_000,
      ackCount: 400_000,
      ackP50Ms: 40,
      ackP95Ms: 60,
      ackP99Ms: 70,
      cpuPct: 50,
    },
    otherCpuPct: 1,
  });
  const runs = [fieldRun("all", 90), fieldRun("aoi", 60)];
  const floor: FloorRun = {
    clients: 1000,
    messageBytes: 1200,
    clientInputs: true,
    cpuPct: 30,
    rssMb: 60,
    sendP50Ms: 2.5,
    sendP99Ms: 4,
    connected: 1000,
    loadCpuPct: 95,
    bytesPerClientSec: 24_000,
    otherCpuPct: 2,
  };

  it("is measured at every C from 1000 up, or at the largest C of a smaller run", () => {
    expect(floorClientCounts([50, 200, 500, 1000, 2000])).toEqual([1000, 2000]);
    expect(floorClientCounts([50, 500])).toEqual([500]);
    expect(floorClientCounts([])).toEqual([]);
  });

  it("sends what the aoi run received per tick, at least 64 bytes", () => {
    expect(floorMessageBytes(runs, 1000)).toBe(1200);
    expect(floorMessageBytes([], 1000)).toBe(64);
  });

  const sendsOnly: FloorRun = { ...floor, clientInputs: false, cpuPct: 15, loadCpuPct: 40 };

  it("has a table row for each floor with only the columns that apply", () => {
    const lines = formatFieldTable(runs, [floor, sendsOnly]).split("\n");
    expect(lines).toHaveLength(2 + runs.length + 2);
    expect(lines.at(-2)).toBe(`| ${FLOOR_LABEL} | 1000 | 1000 | 30 | 60 | 2.5 | 4 | – | 23.4 | – | – | – | 95 (saturated) | 2 |`);
    expect(lines.at(-1)).toBe(`| ${SENDS_ONLY_FLOOR_LABEL} | 1000 | 1000 | 15 | 60 | 2.5 | 4 | – | 23.4 | – | – | – | 40 | 2 |`);
  });

  it("is summed up under the table with tickwire's CPU as a multiple of the floor with inputs", () => {
    expect(formatFloorLines(runs, [floor, sendsOnly])).toEqual([
      "floor: bare uWS sending a 1200-byte message to 1000 clients at 20 Hz, each client sending an input a tick: " +
        "30% of a core here; tickwire all: 3×, aoi: 2× the floor",
      "floor, sends only: bare uWS sending a 1200-byte message to 1000 clients at 20 Hz, the clients sending nothing: " +
        "15% of a core here (the reference machine: 13% at C=1000)",
    ]);
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

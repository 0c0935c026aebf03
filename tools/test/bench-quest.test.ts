import { access, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type QuestOutcome, runQuest } from "../src/bench/quest.js";
import { type BenchResult, readResultFile } from "../src/report/index.js";

// One tiny Quest run end to end: the real Quest server process (main.ts) and a real bot
// process on 127.0.0.1, walk and fight, then one page load in headless chromium, the
// result file and the HTML report.
const BOTS = 4;
const WINDOW_SEC = 2;
const RUN_METRICS = [
  "cpu_pct",
  "rss_mb",
  "tick_p50_ms",
  "tick_p99_ms",
  "bytes_per_client_s",
  "snapshots_skipped_pct",
  "ack_p50_ms",
  "ack_p99_ms",
  "connected",
  "load_cpu_pct",
  "other_cpu_pct",
] as const;
/** A loaded shared machine delays acks well past a tick, but never by a second. */
const ACK_CEILING_MS = 1000;

describe("quest benchmark, 1 world × 4 bots with a 2 s window", () => {
  let root: string;
  let outcome: QuestOutcome;
  let results: Map<string, BenchResult>;
  const value = (metric: string) => results.get(metric)?.value ?? Number.NaN;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "tickwire-bench-quest-"));
    outcome = await runQuest({ worlds: 1, botsPerWorld: BOTS, warmupSec: 1, windowSec: WINDOW_SEC, pageRuns: 1, root });
    const file = await readResultFile(join(root, "bench-results", "quest.json"));
    results = new Map((file?.results ?? []).map((result) => [result.metric, result]));
  }, 150_000);

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("writes every metric named in scenarios/quest.md, the skipped-snapshot share and the attack→hit latency for fight, and nothing else", () => {
    const expected = [
      ...RUN_METRICS.map((name) => `quest.walk.${name}`),
      ...RUN_METRICS.map((name) => `quest.fight.${name}`),
      "quest.fight.hit_p50_ms",
      "quest.fight.hit_p99_ms",
      "quest.page_bytes",
      "quest.first_frame_ms",
    ];
    expect([...results.keys()].sort()).toEqual(expected.sort());
  });

  it("keeps every bot connected to the end of both windows", () => {
    expect(value("quest.walk.connected")).toBe(BOTS);
    expect(value("quest.fight.connected")).toBe(BOTS);
  });

  it("times every world's ticks, about 20 a second, and reports the worst world's p50 ≤ p99", () => {
    for (const run of outcome.runs) {
      expect(run.server.worlds.map((world) => world.world)).toEqual(["quest-1"]);
      expect(run.server.worlds[0].ticks).toBeGreaterThanOrEqual(WINDOW_SEC * 20 * 0.8);
      const p50 = value(`quest.${run.run}.tick_p50_ms`);
      expect(p50).toBeGreaterThan(0);
      expect(p50).toBeLessThanOrEqual(value(`quest.${run.run}.tick_p99_ms`));
      expect(results.get(`quest.${run.run}.tick_p99_ms`)?.params.world).toBe("quest-1");
    }
  });

  it("runs fight with 1,000 mobs a world and walk with the map's own", () => {
    expect(results.get("quest.fight.cpu_pct")?.params).toMatchObject({ behavior: "fight", mobsPerWorld: 1000, botsPerWorld: BOTS, windowSec: WINDOW_SEC });
    expect(results.get("quest.walk.cpu_pct")?.params).toMatchObject({ behavior: "quest", mobsPerWorld: "map" });
  });

  it("counts snapshot bytes per client and acks within a second, p50 ≤ p99", () => {
    for (const run of ["walk", "fight"]) {
      expect(value(`quest.${run}.bytes_per_client_s`)).toBeGreaterThan(0);
      const p50 = value(`quest.${run}.ack_p50_ms`);
      expect(p50).toBeGreaterThan(0);
      expect(p50).toBeLessThanOrEqual(value(`quest.${run}.ack_p99_ms`));
      expect(value(`quest.${run}.ack_p99_ms`)).toBeLessThan(ACK_CEILING_MS);
      expect(value(`quest.${run}.cpu_pct`)).toBeGreaterThan(0);
      expect(value(`quest.${run}.rss_mb`)).toBeGreaterThan(10);
      // Four bots keep up with their snapshots: none held back.
      expect(value(`quest.${run}.snapshots_skipped_pct`)).toBe(0);
    }
    expect(value("quest.fight.hit_p50_ms")).toBeLessThanOrEqual(value("quest.fight.hit_p99_ms"));
  });

  it("measures the page's compressed weight and its first frame", () => {
    expect(value("quest.page_bytes")).toBeGreaterThan(100 * 1024);
    expect(value("quest.first_frame_ms")).toBeGreaterThan(0);
    expect(value("quest.first_frame_ms")).toBeLessThan(30_000);
  });

  it("carries the issues' targets in the params of the figures they are about", () => {
    const target = (metric: string) => {
      const params = results.get(metric)?.params ?? {};
      return [params.targetMax, params.targetIssue, params.targetMet];
    };
    expect(target("quest.walk.tick_p99_ms")).toEqual([10, 13, value("quest.walk.tick_p99_ms") <= 10]);
    expect(target("quest.walk.bytes_per_client_s")).toEqual([3072, 13, value("quest.walk.bytes_per_client_s") <= 3072]);
    expect(target("quest.walk.ack_p99_ms")).toEqual([60, 13, value("quest.walk.ack_p99_ms") <= 60]);
    expect(target("quest.fight.tick_p99_ms")).toEqual([12, 14, value("quest.fight.tick_p99_ms") <= 12]);
    expect(target("quest.fight.bytes_per_client_s")).toEqual([4096, 14, value("quest.fight.bytes_per_client_s") <= 4096]);
    expect(target("quest.page_bytes")).toEqual([800 * 1024, 13, value("quest.page_bytes") <= 800 * 1024]);
    expect(target("quest.first_frame_ms")).toEqual([2000, 13, value("quest.first_frame_ms") <= 2000]);
    expect(target("quest.walk.rss_mb")).toEqual([undefined, undefined, undefined]);
  });

  it("writes a self-contained HTML report with per-world ticks, bytes and the latency distributions", async () => {
    await access(outcome.htmlPath);
    const html = await readFile(outcome.htmlPath, "utf8");
    for (const title of ["Tick duration per world", "Bytes received per client", "Input→ack latency, walk", "Input→ack latency, fight", "Attack→hit latency, fight"]) {
      expect(html).toContain(title);
    }
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<script|(src|href)="https?:/);
  });
});

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPipeline } from "../src/bench/pipeline.js";
import { readResultFile } from "../src/report/index.js";

// The in-process pipeline benchmark at a small size: a real World and the field game,
// sockets that count bytes.
describe("pipeline benchmark, C=20 for 20 ticks", () => {
  let root: string;
  let values: Map<string, number>;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "tickwire-pipeline-"));
    await runPipeline({ clients: [20], variants: ["all", "aoi"], ticks: 20, root });
    const file = await readResultFile(join(root, "bench-results", "pipeline.json"));
    expect(file?.suite).toBe("pipeline");
    values = new Map((file?.results ?? []).map((result) => [result.metric, result.value]));
  }, 60_000);

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("writes the four figures of each variant and nothing else", () => {
    const names = ["tick_p50_ms", "tick_p99_ms", "us_per_client", "bytes_per_client_tick"];
    expect([...values.keys()].sort()).toEqual(
      ["all", "aoi"].flatMap((variant) => names.map((name) => `pipeline.${variant}.c20.${name}`)).sort(),
    );
  });

  it("times real ticks and counts what the clients were sent", () => {
    for (const variant of ["all", "aoi"]) {
      const p50 = values.get(`pipeline.${variant}.c20.tick_p50_ms`) as number;
      expect(p50).toBeGreaterThan(0);
      expect(p50).toBeLessThanOrEqual(values.get(`pipeline.${variant}.c20.tick_p99_ms`) as number);
      expect(values.get(`pipeline.${variant}.c20.us_per_client`)).toBeCloseTo((p50 * 1000) / 20, 0);
    }
    // 520 moving entities each tick: everyone sees them all with "all", a 600-unit circle of
    // a 4000-unit world (about 7% of it) with "aoi".
    const all = values.get("pipeline.all.c20.bytes_per_client_tick") as number;
    const aoi = values.get("pipeline.aoi.c20.bytes_per_client_tick") as number;
    expect(all).toBeGreaterThan(520);
    expect(aoi).toBeGreaterThan(0);
    expect(aoi).toBeLessThan(all / 4);
  });
});

import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type BenchResult,
  compareResults,
  findRepoRoot,
  formatComparison,
  ResultFileError,
  readResultFile,
  resultFilePath,
  validateResultFile,
  writeResultFile,
} from "../src/report/index.js";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "tickwire-results-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const tickP99 = (value: number): BenchResult => ({
  metric: "field.aoi.c500.tick_p99_ms",
  value,
  unit: "ms",
  params: { E: 500, C: 500, variant: "aoi" },
});

describe("writeResultFile", () => {
  it("writes bench-results/<suite>.json in the shared format: suite, when (to the second), node, cpus, results", async () => {
    const written = await writeResultFile("field", [tickP99(7.9)], { root, when: new Date("2026-11-23T10:00:00.123Z") });

    expect(written.path).toBe(join(root, "bench-results", "field.json"));
    expect(JSON.parse(await readFile(written.path, "utf8"))).toEqual({
      suite: "field",
      when: "2026-11-23T10:00:00Z",
      node: process.version,
      cpus: availableParallelism(),
      results: [{ metric: "field.aoi.c500.tick_p99_ms", value: 7.9, unit: "ms", params: { E: 500, C: 500, variant: "aoi" } }],
    });
    expect(written.previous).toBeNull();
  });

  it("returns the file it replaced, for the comparison, and leaves no temporary file behind", async () => {
    await writeResultFile("field", [tickP99(7.9)], { root, when: new Date("2026-11-23T10:00:00Z") });

    const second = await writeResultFile("field", [tickP99(7.1)], { root, when: new Date("2026-11-24T10:00:00Z") });

    expect(second.previous?.results[0].value).toBe(7.9);
    expect(second.previous?.when).toBe("2026-11-23T10:00:00Z");
    expect(second.file.results[0].value).toBe(7.1);
    expect(await readdir(join(root, "bench-results"))).toEqual(["field.json"]);
  });

  it.each([
    [[{ ...tickP99(1), metric: "Field.AOI" }], /dot-separated lower case/],
    [[{ ...tickP99(1), metric: "field..x" }], /dot-separated lower case/],
    [[tickP99(1), tickP99(2)], /appears twice/],
    [[tickP99(Number.NaN)], /finite number/],
    [[tickP99(Number.POSITIVE_INFINITY)], /finite number/],
  ])("refuses results that break the format (%#) and writes nothing", async (results, message) => {
    await expect(writeResultFile("field", results, { root })).rejects.toThrow(message);
    await expect(readdir(root)).resolves.toEqual([]);
  });

  it("refuses a suite name that is not a plain lower-case file name (no path tricks)", () => {
    expect(() => resultFilePath("../etc/passwd", root)).toThrow(ResultFileError);
    expect(() => resultFilePath("Field", root)).toThrow(ResultFileError);
    expect(resultFilePath("engine-micro", root)).toBe(join(root, "bench-results", "engine-micro.json"));
  });
});

describe("readResultFile and validateResultFile", () => {
  it("returns null when there is no previous file", async () => {
    expect(await readResultFile(join(root, "bench-results", "none.json"))).toBeNull();
  });

  it("accepts the example from the format description", () => {
    const example = {
      suite: "field",
      when: "2026-11-23T10:00:00Z",
      node: "v20.20.2",
      cpus: 2,
      results: [{ metric: "field.aoi.c500.tick_p99_ms", value: 7.9, unit: "ms", params: { E: 500, C: 500, variant: "aoi" } }],
    };
    expect(validateResultFile(example)).toEqual(example);
  });

  it.each([
    ["not json", /not valid JSON/],
    ["[]", /results must be an array|suite/],
    ['{"suite":"field","when":"yesterday","node":"v20","cpus":2,"results":[]}', /when must be an ISO date/],
    ['{"suite":"field","when":"2026-11-23T10:00:00Z","node":"v20","cpus":0,"results":[]}', /cpus/],
    ['{"suite":"field","when":"2026-11-23T10:00:00Z","node":"v20","cpus":2,"results":[{"metric":"a","value":1,"unit":"ms"}]}', /params/],
  ])("names the problem in a broken file: %s", async (text, message) => {
    const path = join(root, "broken.json");
    await writeFile(path, text);
    await expect(readResultFile(path)).rejects.toThrow(ResultFileError);
    await expect(readResultFile(path)).rejects.toThrow(message);
  });
});

describe("findRepoRoot", () => {
  it("finds the nearest package.json that declares workspaces, from a nested directory", async () => {
    const nested = join(root, "tools", "src");
    await mkdir(nested, { recursive: true });
    await writeFile(join(root, "package.json"), JSON.stringify({ workspaces: ["tools"] }));
    await writeFile(join(root, "tools", "package.json"), JSON.stringify({ name: "@x/tools" }));

    expect(findRepoRoot(nested)).toBe(root);
  });

  it("falls back to the start directory when no workspace root is above it", async () => {
    const lonely = await mkdtemp(join(tmpdir(), "tickwire-noroot-"));
    try {
      expect(findRepoRoot(lonely)).toBe(lonely);
    } finally {
      await rm(lonely, { recursive: true, force: true });
    }
  });
});

describe("compareResults", () => {
  const previous = [
    tickP99(8),
    { metric: "field.aoi.c500.connected", value: 500, unit: "clients", params: {} },
    { metric: "field.aoi.c500.cpu_pct", value: 0, unit: "%", params: {} },
    { metric: "delta.removed_metric", value: 3, unit: "B", params: {} },
  ];
  const current = [
    tickP99(6),
    { metric: "field.aoi.c500.connected", value: 500, unit: "clients", params: {} },
    { metric: "field.aoi.c500.cpu_pct", value: 12, unit: "%", params: {} },
    { metric: "delta.new_metric", value: 1.5, unit: "B", params: {} },
  ];

  it("gives the change in % per metric, matched by name, current order first, then metrics that are gone", () => {
    const rows = compareResults(previous, current);
    expect(rows.map((r) => [r.metric, r.previous, r.current, r.changePct])).toEqual([
      ["field.aoi.c500.tick_p99_ms", 8, 6, -25],
      ["field.aoi.c500.connected", 500, 500, 0],
      ["field.aoi.c500.cpu_pct", 0, 12, null],
      ["delta.new_metric", null, 1.5, null],
      ["delta.removed_metric", 3, null, null],
    ]);
  });

  it("takes whole result files as well as arrays, and treats no previous file as all new", () => {
    const file = { suite: "field", when: "2026-11-23T10:00:00Z", node: "v20.20.2", cpus: 2, results: current };
    expect(compareResults(null, file).every((row) => row.previous === null && row.changePct === null)).toBe(true);
    expect(compareResults({ ...file, results: previous }, file)[0].changePct).toBe(-25);
  });

  it("formats an aligned text table with units and signed changes, new, gone and n/a", () => {
    const text = formatComparison(compareResults(previous, current));
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^metric\s+previous\s+current\s+change$/);
    expect(lines[1]).toMatch(/^field\.aoi\.c500\.tick_p99_ms\s+8 ms\s+6 ms\s+-25\.0%$/);
    expect(lines[2]).toMatch(/\s+\+?0\.0%$/);
    expect(lines[3]).toMatch(/0 %\s+12 %\s+n\/a$/);
    expect(lines[4]).toMatch(/^delta\.new_metric\s+–\s+1\.5 B\s+new$/);
    expect(lines[5]).toMatch(/^delta\.removed_metric\s+3 B\s+–\s+gone$/);
    expect(new Set(lines.map((line) => line.length)).size).toBe(1);
  });
});

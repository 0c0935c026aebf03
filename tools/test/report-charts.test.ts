import { Rng } from "@tickwire/engine";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatTicks } from "../src/report/format.js";
import {
  binValues,
  type Chart,
  escapeHtml,
  formatNumber,
  percentileOfBuckets,
  percentileOfValues,
  renderChart,
  renderReport,
} from "../src/report/index.js";
import { thinPoints } from "../src/report/line.js";
import { niceStep, niceTicks } from "../src/report/scale.js";

function count(html: string, pattern: RegExp): number {
  return html.match(pattern)?.length ?? 0;
}

describe("axis ticks", () => {
  it("property: ticks cover the domain at an even 1/2/5 × 10^k step with 2 to 12 labels", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e9, max: 1e9, noNaN: true }),
        fc.double({ min: 1e-6, max: 1e9, noNaN: true }),
        (min, span) => {
          const max = min + span;
          // Spans below a millionth of the values' magnitude are float noise, not a chart.
          fc.pre(span >= 1e-6 * Math.max(1, Math.abs(min)));
          const ticks = niceTicks(min, max);
          expect(ticks.min).toBeLessThanOrEqual(min + ticks.step * 1e-9);
          expect(ticks.max).toBeGreaterThanOrEqual(max - ticks.step * 1e-9);
          expect(ticks.values.length).toBeGreaterThanOrEqual(2);
          expect(ticks.values.length).toBeLessThanOrEqual(12);
          const mantissa = ticks.step / 10 ** Math.floor(Math.log10(ticks.step));
          expect([1, 2, 5, 10].some((nice) => Math.abs(mantissa - nice) < 1e-9)).toBe(true);
          // Even spacing, up to the float resolution at the values' magnitude.
          ticks.values.slice(1).forEach((value, i) => {
            const error = Math.abs(value - ticks.values[i] - ticks.step);
            expect(error).toBeLessThanOrEqual(1e-9 * ticks.step + 1e-12 * Math.abs(value));
          });
        },
      ),
    );
  });

  it("labels ticks without float noise: 0.1 steps read 0.1, 0.2, 0.3", () => {
    const ticks = niceTicks(0, 0.5);
    expect(ticks.values).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(formatTicks(ticks.values, ticks.step)).toEqual(["0", "0.1", "0.2", "0.3", "0.4", "0.5"]);
  });

  it("widens an empty domain (a flat series) around its value, including zero", () => {
    expect(niceTicks(5, 5).min).toBeLessThan(5);
    expect(niceTicks(5, 5).max).toBeGreaterThan(5);
    expect(niceTicks(0, 0).values.length).toBeGreaterThanOrEqual(2);
    expect(niceStep(0)).toBe(1);
  });

  it("uses one suffix for a whole axis: k from 10,000 and M from 10,000,000", () => {
    expect(formatTicks([0, 5_000, 10_000, 15_000], 5_000)).toEqual(["0", "5k", "10k", "15k"]);
    expect(formatTicks([0, 2_500, 5_000], 2_500)).toEqual(["0", "2500", "5000"]);
    expect(formatTicks([0, 1e7, 2e7], 1e7)).toEqual(["0", "10M", "20M"]);
    expect(formatTicks([0, 20_500, 21_000], 500)).toEqual(["0", "20.5k", "21.0k"]);
  });
});

describe("numbers and text", () => {
  it.each([
    [0, "0"],
    [42, "42"],
    [1.23456, "1.23"],
    [9_999, "9999"],
    [12_345, "12.3k"],
    [4_560_000, "4.56M"],
    [-12_345, "-12.3k"],
    [7.2e9, "7.2G"],
  ])("formats %d as %s", (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });

  it("escapes markup and quotes", () => {
    expect(escapeHtml(`<script>"a" & 'b'</script>`)).toBe("&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;");
  });
});

describe("histogram data", () => {
  it("bins values at a nice width and counts every finite value exactly once", () => {
    const rng = new Rng(5);
    const values = Array.from({ length: 1_000 }, () => rng.range(10, 90));
    const buckets = binValues([...values, Number.NaN, Number.POSITIVE_INFINITY], 20);
    expect(buckets.reduce((sum, b) => sum + b.count, 0)).toBe(1_000);
    const width = buckets[0].to - buckets[0].from;
    expect(niceStep(width * 20, 20)).toBeCloseTo(width, 9);
    expect(buckets[0].from).toBeLessThanOrEqual(Math.min(...values));
    expect(buckets[buckets.length - 1].to).toBeGreaterThan(Math.max(...values));
  });

  it("puts a maximum that falls on a bin edge in the last bin, and identical values in one bin", () => {
    const buckets = binValues([0, 10, 20, 30, 40, 50], 5);
    expect(buckets.reduce((sum, b) => sum + b.count, 0)).toBe(6);
    expect(binValues([7, 7, 7])).toEqual([{ from: 6.5, to: 7.5, count: 3 }]);
    expect(binValues([])).toEqual([]);
  });

  it("nearest-rank percentiles of raw values: p50 of 1..100 is 50, p99 is 99, p100 is the max", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentileOfValues(values, 50)).toBe(50);
    expect(percentileOfValues(values, 99)).toBe(99);
    expect(percentileOfValues(values, 100)).toBe(100);
    expect(percentileOfValues(values, 0)).toBe(1);
    expect(percentileOfValues([], 50)).toBeNaN();
  });

  it("percentiles of buckets interpolate inside the bucket they fall in", () => {
    const buckets = [
      { from: 0, to: 10, count: 50 },
      { from: 10, to: 20, count: 0 },
      { from: 20, to: 30, count: 50 },
    ];
    expect(percentileOfBuckets(buckets, 25)).toBe(5);
    expect(percentileOfBuckets(buckets, 50)).toBe(10);
    expect(percentileOfBuckets(buckets, 75)).toBe(25);
    expect(percentileOfBuckets([], 50)).toBeNaN();
  });
});

describe("line thinning", () => {
  it("leaves small series alone", () => {
    const points = Array.from({ length: 100 }, (_, i) => [i, i * 2] as const);
    expect(thinPoints(points, 700, (x) => x)).toEqual(points);
  });

  it("keeps at most two points per pixel column of a long series, including its spikes, in order", () => {
    const rng = new Rng(11);
    const points = Array.from({ length: 50_000 }, (_, i) => [i, rng.range(0, 10)] as [number, number]);
    points[31_337][1] = 1_000;
    points[40_000][1] = -1_000;
    const thinned = thinPoints(points, 700, (x) => (x / 50_000) * 700);
    expect(thinned.length).toBeLessThanOrEqual(1_400);
    expect(thinned).toContainEqual([31_337, 1_000]);
    expect(thinned).toContainEqual([40_000, -1_000]);
    expect(thinned.map((p) => p[0])).toEqual([...thinned.map((p) => p[0])].sort((a, b) => a - b));
  });
});

describe("chart SVG", () => {
  it("a line chart draws one path per series, a legend entry each, axes with ticks and both labels", () => {
    const svg = renderChart({
      kind: "line",
      title: "RTT over time",
      xLabel: "time (s)",
      yLabel: "RTT (ms)",
      series: [
        { name: "p50", points: [[0, 10], [1, 12], [2, 11]] },
        { name: "p99", points: [[0, 30], [1, 45], [2, 38]] },
      ],
    });
    expect(count(svg, /<path class="series"/g)).toBe(2);
    expect(count(svg, /<g class="legend-item">/g)).toBe(2);
    expect(svg).toContain(">time (s)</text>");
    expect(svg).toContain(">RTT (ms)</text>");
    expect(count(svg, /<g class="grid"[^>]*>(<line [^>]*\/>)+<\/g>/g)).toBe(1);
    expect(svg).toMatch(/text-anchor="end" dominant-baseline="central">50<\/text>/);
  });

  it("a line series breaks at a non-finite value and a one-point series is a dot", () => {
    const svg = renderChart({
      kind: "line",
      title: "gaps",
      xLabel: "x",
      yLabel: "y",
      series: [
        { name: "broken", points: [[0, 1], [1, 2], [2, Number.NaN], [3, 2], [4, 1]] },
        { name: "single", points: [[2, 5]] },
      ],
    });
    const path = /<path class="series" d="([^"]+)"/.exec(svg)![1];
    expect(count(path, /M/g)).toBe(2);
    expect(count(svg, /<circle class="series"/g)).toBe(1);
  });

  it("a histogram draws a bar per non-empty bin and dashed p50/p90/p99 lines with their values", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    const svg = renderChart({ kind: "histogram", title: "latency", xLabel: "ms", values, binCount: 10 });
    const bins = binValues(values, 10).filter((b) => b.count > 0).length;
    expect(count(svg, /<rect class="bar"/g)).toBe(bins);
    expect(count(svg, /<g class="marker">/g)).toBe(3);
    expect(svg).toContain(">p50 50</text>");
    expect(svg).toContain(">p99 99</text>");
    expect(svg).toContain('stroke-dasharray="5 3"');
    expect(svg).toContain(">count</text>");
  });

  it("a histogram from buckets takes extra markers (exact HDR percentiles, a threshold); percentiles [] means no default lines", () => {
    const svg = renderChart({
      kind: "histogram",
      title: "ack latency",
      xLabel: "ms",
      buckets: [
        { from: 0, to: 10, count: 4 },
        { from: 10, to: 20, count: 0 },
        { from: 20, to: 30, count: 9 },
      ],
      percentiles: [],
      markers: [{ label: "limit", value: 55 }],
    });
    expect(count(svg, /<rect class="bar"/g)).toBe(2);
    expect(count(svg, /<g class="marker">/g)).toBe(1);
    expect(svg).toContain(">limit 55</text>");
  });

  it("a bar chart draws categories × series bars, from the zero line for negative values", () => {
    const svg = renderChart({
      kind: "bar",
      title: "tick p99 by clients",
      yLabel: "ms",
      categories: ["c50", "c200", "c500"],
      series: [
        { name: "all", values: [1, 4, 9] },
        { name: "aoi", values: [1, -2, 6] },
      ],
    });
    expect(count(svg, /<rect class="bar"/g)).toBe(6);
    expect(count(svg, /<g class="legend-item">/g)).toBe(2);
    expect(svg).toContain('<line class="zero"');
    for (const category of ["c50", "c200", "c500"]) expect(svg).toContain(`>${category}</text>`);
  });

  it.each<Chart>([
    { kind: "line", title: "empty line", xLabel: "x", yLabel: "y", series: [] },
    { kind: "line", title: "all NaN", xLabel: "x", yLabel: "y", series: [{ name: "a", points: [[0, Number.NaN]] }] },
    { kind: "histogram", title: "empty histogram", xLabel: "x", values: [] },
    { kind: "bar", title: "empty bars", yLabel: "y", categories: [], series: [] },
  ])("$title says 'no data' instead of drawing empty axes", (chart) => {
    const svg = renderChart(chart);
    expect(svg).toContain(">no data</text>");
    expect(svg).not.toContain('class="axis"');
  });

  it("escapes titles, labels and series names, so data cannot inject markup", () => {
    const svg = renderChart({
      kind: "line",
      title: "<img src=x onerror=alert(1)>",
      xLabel: "a & b",
      yLabel: "y",
      series: [
        { name: "</svg><script>", points: [[0, 1], [1, 2]] },
        { name: "b", points: [[0, 2], [1, 1]] },
      ],
    });
    expect(svg).not.toContain("<img");
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("a &amp; b");
  });
});

describe("renderReport", () => {
  const report = renderReport({
    title: "Bot swarm <test>",
    subtitle: "200 bots for 20 s",
    summary: [
      { label: "bots connected", value: 200 },
      { label: "RTT p99", value: 41.25, unit: "ms" },
    ],
    tables: [{ title: "Comparison", columns: ["metric", "value"], rows: [["tick_p99_ms", 7.9], ["missing", null]] }],
    charts: [
      { kind: "line", title: "RTT", xLabel: "s", yLabel: "ms", series: [{ name: "p50", points: [[0, 1], [1, 2]] }] },
      { kind: "histogram", title: "RTT histogram", xLabel: "ms", values: [1, 2, 2, 3, 3, 3] },
      { kind: "bar", title: "bytes", yLabel: "B/s", categories: ["a"], series: [{ name: "in", values: [5] }] },
    ],
  });

  it("is one HTML document with a title, summary rows, tables and a figure per chart", () => {
    expect(report.startsWith("<!doctype html>")).toBe(true);
    expect(report).toContain("<title>Bot swarm &lt;test&gt;</title>");
    expect(report).toContain('<th scope="row">RTT p99</th><td class="num">41.3 ms</td>');
    expect(report).toContain('<tr><td>tick_p99_ms</td><td class="num">7.9</td></tr>');
    expect(report).toContain("<tr><td>missing</td><td></td></tr>");
    expect(count(report, /<figure>/g)).toBe(3);
    expect(count(report, /<svg /g)).toBe(3);
  });

  it("is self-contained: no URL in src or href, no http(s) anywhere, no script, no external CSS", () => {
    expect(report).not.toMatch(/\b(src|href)\s*=/i);
    expect(report).not.toMatch(/https?:\/\//i);
    expect(report).not.toMatch(/<script|<link|@import|url\(/i);
  });
});

import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Rng } from "@tickwire/engine";
import type { Browser } from "playwright-core";
import { launchChromium } from "./helpers/chromium.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binValues, type Chart, type HistogramChart, renderReport } from "../src/report/index.js";

// The report must open from disk in a real browser and draw its plots, with no server
// and no network: loaded here as a file:// URL in headless Debian chromium.
const ARTIFACTS = fileURLToPath(new URL("../test-results/artifacts/", import.meta.url));

/** Structural stand-ins for the page's SVG element types (this package has no DOM lib). */
interface Measurable {
  getTotalLength(): number;
}
interface Boxed {
  getBBox(): { height: number };
}

/** A report shaped like the bot swarm's: percentiles over time, a latency histogram, bandwidth, bars. */
function swarmLikeCharts(): Chart[] {
  const rng = new Rng(2026);
  const seconds = Array.from({ length: 60 }, (_, i) => i);
  const rtts = Array.from({ length: 5_000 }, () => 20 + rng.range(0, 15) + (rng.next() < 0.05 ? rng.range(20, 80) : 0));
  return [
    {
      kind: "line",
      title: "Latency percentiles over time",
      xLabel: "time (s)",
      yLabel: "RTT (ms)",
      series: [
        { name: "p50", points: seconds.map((t) => [t, 24 + rng.range(-2, 2)] as const) },
        { name: "p90", points: seconds.map((t) => [t, 33 + rng.range(-3, 3)] as const) },
        { name: "p99", points: seconds.map((t) => [t, 60 + rng.range(-10, 25)] as const) },
      ],
    },
    { kind: "histogram", title: "RTT histogram", xLabel: "RTT (ms)", values: rtts, binCount: 40 },
    {
      kind: "line",
      title: "Connected bots",
      xLabel: "time (s)",
      yLabel: "bots",
      series: [{ name: "connected", points: seconds.map((t) => [t, Math.min(200, t * 20)] as const) }],
    },
    {
      kind: "bar",
      title: "Tick p99 by clients",
      yLabel: "ms",
      categories: ["c50", "c200", "c500", "c1000", "c2000"],
      series: [
        { name: "all", values: [1.2, 3.5, 9.1, 22, 51] },
        { name: "aoi", values: [0.9, 2.1, 4.4, 8.7, 19] },
      ],
    },
  ];
}

describe("report in headless chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it("loads from a file:// URL without any network request and draws every plot", { timeout: 60_000 }, async () => {
    const charts = swarmLikeCharts();
    const html = renderReport({
      title: "Bot swarm: 200 bots, 60 s",
      subtitle: "seed 2026 · loopback",
      summary: [
        { label: "bots connected", value: 200 },
        { label: "RTT p99", value: 71.5, unit: "ms" },
      ],
      charts,
    });
    await mkdir(ARTIFACTS, { recursive: true });
    const reportPath = `${ARTIFACTS}report.html`;
    await writeFile(reportPath, html);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });

    await page.goto(pathToFileURL(reportPath).href, { waitUntil: "load" });

    const drawn = await page.$$eval("figure", (figures) =>
      figures.map((figure) => {
        const svg = figure.querySelector("svg")!;
        const box = svg.getBoundingClientRect();
        // Runs in the page; these are SVGPathElement / SVGRectElement there.
        const lengths = [...svg.querySelectorAll("path.series")].map((path: Measurable) => path.getTotalLength());
        const barHeights = [...svg.querySelectorAll("rect.bar")].map((rect: Boxed) => rect.getBBox().height);
        return {
          caption: figure.querySelector("figcaption")!.textContent,
          width: box.width,
          height: box.height,
          paths: lengths.length,
          shortestPath: Math.min(...lengths),
          bars: barHeights.length,
          flatBars: barHeights.filter((height) => !(height > 0)).length,
          markers: svg.querySelectorAll("g.marker line").length,
          legendItems: svg.querySelectorAll("g.legend-item rect").length,
          tickLabels: svg.querySelectorAll("g.tick-labels text").length,
          firstStroke: svg.ownerDocument.defaultView.getComputedStyle(svg.querySelector("path.series") ?? svg).stroke,
        };
      }),
    );
    await page.screenshot({ path: `${ARTIFACTS}report.png`, fullPage: true });
    await page.close();

    expect(requests).toEqual([pathToFileURL(reportPath).href]);
    expect(errors).toEqual([]);
    expect(drawn.map((d) => d.caption)).toEqual(charts.map((chart) => chart.title));
    for (const figure of drawn) {
      expect(figure.width).toBeGreaterThan(300);
      expect(figure.height).toBeGreaterThan(100);
      expect(figure.tickLabels).toBeGreaterThanOrEqual(4);
      expect(figure.flatBars).toBe(0);
    }
    const [percentiles, histogram, connected, bars] = drawn;
    expect(percentiles).toMatchObject({ paths: 3, legendItems: 3, firstStroke: "rgb(0, 114, 178)" });
    expect(percentiles.shortestPath).toBeGreaterThan(100);
    const histogramInput = charts[1] as HistogramChart;
    const nonEmptyBins = binValues(histogramInput.values ?? [], histogramInput.binCount).filter((b) => b.count > 0);
    expect(histogram.bars).toBe(nonEmptyBins.length);
    expect(histogram.markers).toBe(3);
    expect(connected).toMatchObject({ paths: 1, legendItems: 0 });
    expect(bars).toMatchObject({ bars: 10, legendItems: 2 });
  });
});

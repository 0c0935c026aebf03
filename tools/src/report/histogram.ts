import type { HistogramBucket, HistogramChart, Marker } from "./chart-types.js";
import { escapeHtml, formatNumber } from "./format.js";
import { extent, linearScale, niceStep, niceTicks } from "./scale.js";
import {
  layoutFrame,
  MARKER_COLOR,
  numericXTicks,
  renderAxes,
  renderNoData,
  seriesColor,
  svgDocument,
  tag,
  textWidth,
  tooltip,
} from "./svg.js";

const DEFAULT_BIN_COUNT = 30;
const DEFAULT_PERCENTILES = [50, 90, 99];
const MARKER_LABEL_ROW = 14;

/** Counts finite values into bins of a nice width (about `binCount` of them); the last bin includes its upper edge. */
export function binValues(values: readonly number[], binCount = DEFAULT_BIN_COUNT): HistogramBucket[] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [];
  const [min, max] = extent(finite);
  if (min === max) return [{ from: min - 0.5, to: max + 0.5, count: finite.length }];
  const width = niceStep(max - min, binCount);
  const start = Math.floor(min / width) * width;
  const bins = Math.floor((max - start) / width) + 1;
  const counts = new Array<number>(bins).fill(0);
  for (const value of finite) counts[Math.min(bins - 1, Math.floor((value - start) / width))]++;
  return counts.map((count, i) => ({ from: start + i * width, to: start + (i + 1) * width, count }));
}

/** Nearest-rank percentile of raw values (p in 0-100); NaN when there are none. */
export function percentileOfValues(values: readonly number[], p: number): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Percentile of bucketed counts, interpolated linearly inside the bucket it falls in. */
export function percentileOfBuckets(buckets: readonly HistogramBucket[], p: number): number {
  const total = buckets.reduce((sum, bucket) => sum + bucket.count, 0);
  if (total === 0) return Number.NaN;
  const target = (p / 100) * total;
  let before = 0;
  for (const bucket of buckets) {
    if (bucket.count > 0 && before + bucket.count >= target) {
      return bucket.from + ((bucket.to - bucket.from) * Math.max(0, target - before)) / bucket.count;
    }
    before += bucket.count;
  }
  return buckets[buckets.length - 1].to;
}

export function renderHistogram(chart: HistogramChart): string {
  const buckets = (chart.buckets ?? binValues(chart.values ?? [], chart.binCount)).filter(
    (b) => Number.isFinite(b.from) && Number.isFinite(b.to) && Number.isFinite(b.count),
  );
  if (buckets.every((bucket) => bucket.count <= 0)) return renderNoData(chart.title);

  const percentileMarkers: Marker[] = (chart.percentiles ?? DEFAULT_PERCENTILES).map((p) => ({
    label: `p${p}`,
    value: chart.buckets ? percentileOfBuckets(buckets, p) : percentileOfValues(chart.values ?? [], p),
  }));
  const markers = [...percentileMarkers, ...(chart.markers ?? [])].filter((m) => Number.isFinite(m.value));

  const [minCount, maxCount] = extent(buckets.map((b) => b.count));
  const frame = layoutFrame(niceTicks(Math.min(0, minCount), maxCount), []);
  const [low, high] = extent([...buckets.flatMap((b) => [b.from, b.to]), ...markers.map((m) => m.value)]);
  const xTicks = niceTicks(low, high);
  const x = linearScale(xTicks.min, xTicks.max, frame.left, frame.right);
  const zero = frame.y(0);

  const bars = buckets
    .filter((bucket) => bucket.count > 0)
    .map((bucket) => {
      const left = x(bucket.from);
      const width = Math.max(1, x(bucket.to) - left - 1);
      const top = frame.y(bucket.count);
      const tip = `${formatNumber(bucket.from)}–${formatNumber(bucket.to)}: ${formatNumber(bucket.count)}`;
      const attributes = { class: "bar", x: left + 0.5, y: top, width, height: zero - top, fill: seriesColor(0), "fill-opacity": "0.85" };
      return tag("rect", attributes, tooltip(tip));
    });

  return svgDocument(
    chart.title,
    frame.legend +
      renderAxes(frame, numericXTicks(xTicks, x), chart.xLabel, chart.yLabel ?? "count") +
      bars.join("") +
      renderMarkers(markers, x, frame.top, frame.bottom, frame.right),
  );
}

/** Dashed vertical lines with their labels; labels that would overlap go one row lower. */
function renderMarkers(
  markers: readonly Marker[],
  x: (value: number) => number,
  top: number,
  bottom: number,
  right: number,
): string {
  const rowEnds: number[] = [];
  return [...markers]
    .sort((a, b) => a.value - b.value)
    .map((marker) => {
      const at = x(marker.value);
      const text = `${marker.label} ${formatNumber(marker.value)}`;
      const width = textWidth(text) + 6;
      const flip = at + width > right;
      const start = flip ? at - width : at;
      let row = rowEnds.findIndex((end) => end <= start);
      if (row < 0) row = rowEnds.length;
      rowEnds[row] = start + width;
      const labelY = top + 10 + row * MARKER_LABEL_ROW;
      const line = tag("line", {
        x1: at,
        y1: top,
        x2: at,
        y2: bottom,
        stroke: MARKER_COLOR,
        "stroke-width": "1.25",
        "stroke-dasharray": "5 3",
      });
      // A white halo keeps the label readable where it crosses bars.
      const label = tag(
        "text",
        {
          x: flip ? at - 3 : at + 3,
          y: labelY,
          "text-anchor": flip ? "end" : "start",
          fill: MARKER_COLOR,
          stroke: "#fff",
          "stroke-width": "3",
          "paint-order": "stroke",
        },
        escapeHtml(text),
      );
      return tag("g", { class: "marker" }, line + label);
    })
    .join("");
}

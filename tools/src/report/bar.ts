import type { BarChart } from "./chart-types.js";
import { formatNumber } from "./format.js";
import { extent, niceTicks } from "./scale.js";
import {
  AXIS_COLOR,
  layoutFrame,
  renderAxes,
  renderNoData,
  seriesColor,
  svgDocument,
  tag,
  textWidth,
  tooltip,
  type XTick,
} from "./svg.js";

/** Share of a category's band left empty between groups. */
const GROUP_GAP = 0.25;

/** Grouped bars: one group per category, one bar per series, from the zero line. */
export function renderBarChart(chart: BarChart): string {
  const values = chart.series.flatMap((s) => s.values.slice(0, chart.categories.length)).filter(Number.isFinite);
  if (chart.categories.length === 0 || values.length === 0) return renderNoData(chart.title);

  const [min, max] = extent(values);
  const frame = layoutFrame(
    niceTicks(Math.min(0, min), Math.max(0, max)),
    chart.series.map((s, i) => ({ name: s.name, color: seriesColor(i) })),
  );
  const band = (frame.right - frame.left) / chart.categories.length;
  const barWidth = (band * (1 - GROUP_GAP)) / Math.max(1, chart.series.length);
  const zero = frame.y(0);

  const bars: string[] = [];
  chart.categories.forEach((category, c) => {
    const groupLeft = frame.left + c * band + (band * GROUP_GAP) / 2;
    chart.series.forEach((series, s) => {
      const value = series.values[c];
      if (!Number.isFinite(value)) return;
      const y = frame.y(value);
      const tip = `${series.name} · ${category}: ${formatNumber(value)}`;
      const attributes = {
        class: "bar",
        x: groupLeft + s * barWidth,
        y: Math.min(y, zero),
        width: Math.max(1, barWidth - 1),
        height: Math.abs(zero - y),
        fill: seriesColor(s),
      };
      bars.push(tag("rect", attributes, tooltip(tip)));
    });
  });

  // Labels longer than their band are cut short; the bar's tooltip has the full name.
  const maxChars = Math.max(3, Math.floor(band / textWidth("m")));
  const xTicks: XTick[] = chart.categories.map((category, c) => ({
    x: frame.left + (c + 0.5) * band,
    label: category.length > maxChars ? `${category.slice(0, maxChars - 1)}…` : category,
  }));
  const zeroLineAttributes = { class: "zero", x1: frame.left, y1: zero, x2: frame.right, y2: zero, stroke: AXIS_COLOR };
  const zeroLine = min < 0 ? tag("line", { ...zeroLineAttributes, "stroke-width": "1" }) : "";

  return svgDocument(
    chart.title,
    frame.legend + renderAxes(frame, xTicks, chart.xLabel ?? "", chart.yLabel) + bars.join("") + zeroLine,
  );
}

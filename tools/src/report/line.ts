import type { LineChart, Point } from "./chart-types.js";
import { extent, linearScale, niceTicks } from "./scale.js";
import { layoutFrame, numericXTicks, px, renderAxes, renderNoData, seriesColor, svgDocument, tag, tooltip } from "./svg.js";

/**
 * Above this many points a series is thinned to the lowest and highest point per
 * pixel column: the drawn line looks the same (spikes included) and a report of a
 * long run stays a few hundred KiB.
 */
const MAX_POINTS_PER_SERIES = 2_000;

/** Keeps, per pixel column, the points with the lowest and highest y, in their order. */
export function thinPoints(points: readonly Point[], columns: number, x: (value: number) => number): Point[] {
  if (points.length <= MAX_POINTS_PER_SERIES) return [...points];
  const kept: Point[] = [];
  let column = Number.NaN;
  let low = -1;
  let high = -1;
  const flush = () => {
    if (low < 0) return;
    if (low === high) kept.push(points[low]);
    else kept.push(points[Math.min(low, high)], points[Math.max(low, high)]);
    low = high = -1;
  };
  points.forEach((point, i) => {
    if (!Number.isFinite(point[1])) {
      // Keep line breaks where the data has them.
      flush();
      kept.push(point);
      column = Number.NaN;
      return;
    }
    const pointColumn = Math.min(columns - 1, Math.floor(x(point[0])));
    if (pointColumn !== column) {
      flush();
      column = pointColumn;
    }
    if (low < 0 || point[1] < points[low][1]) low = i;
    if (high < 0 || point[1] > points[high][1]) high = i;
  });
  flush();
  return kept;
}

export function renderLineChart(chart: LineChart): string {
  const series = chart.series.map((s) => ({ name: s.name, points: s.points.filter((p) => Number.isFinite(p[0])) }));
  const finite = series.flatMap((s) => s.points.filter((p) => Number.isFinite(p[1])));
  if (finite.length === 0) return renderNoData(chart.title);

  const [minX, maxX] = extent(finite.map((p) => p[0]));
  const [minY, maxY] = extent(finite.map((p) => p[1]));
  const yFromZero = chart.yFromZero ?? minY >= 0;
  const yTicks = niceTicks(yFromZero ? Math.min(0, minY) : minY, yFromZero ? Math.max(0, maxY) : maxY);
  const frame = layoutFrame(
    yTicks,
    series.map((s, i) => ({ name: s.name, color: seriesColor(i) })),
  );
  const xTicks = niceTicks(minX, maxX);
  const x = linearScale(xTicks.min, xTicks.max, frame.left, frame.right);

  const lines = series.map((s, i) => {
    const color = seriesColor(i);
    const points = thinPoints(s.points, Math.ceil(frame.right - frame.left), (value) => x(value) - frame.left);
    const drawable = points.filter((p) => Number.isFinite(p[1]));
    if (drawable.length === 1) {
      const [only] = drawable;
      return tag("circle", { class: "series", cx: x(only[0]), cy: frame.y(only[1]), r: 3, fill: color }, tooltip(s.name));
    }
    let path = "";
    let penDown = false;
    for (const [valueX, valueY] of points) {
      if (!Number.isFinite(valueY)) {
        penDown = false;
        continue;
      }
      path += `${penDown ? "L" : "M"}${px(x(valueX))} ${px(frame.y(valueY))}`;
      penDown = true;
    }
    if (path === "") return "";
    const attributes = { class: "series", d: path, fill: "none", stroke: color, "stroke-width": "1.75", "stroke-linejoin": "round" };
    return tag("path", attributes, tooltip(s.name));
  });

  return svgDocument(
    chart.title,
    frame.legend + renderAxes(frame, numericXTicks(xTicks, x), chart.xLabel, chart.yLabel) + lines.join(""),
  );
}

import { escapeHtml, formatTicks } from "./format.js";
import { linearScale, type Ticks } from "./scale.js";

/** The pieces every chart shares: canvas size, colors, plot frame, axes, legend. */

export const CHART_WIDTH = 760;
export const CHART_HEIGHT = 340;

/** Okabe–Ito: distinguishable with the common color-vision deficiencies and in print. */
export const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999933"];

export function seriesColor(index: number): string {
  return PALETTE[index % PALETTE.length];
}

export const GRID_COLOR = "#e3e3e3";
export const AXIS_COLOR = "#555";
export const MARKER_COLOR = "#b00020";

/** Approximate advance of one character of the 12 px sans-serif labels, for layout. */
const CHAR_WIDTH = 6.6;
const LEGEND_ROW_HEIGHT = 18;
const LEGEND_SWATCH = 12;

/** Pixel coordinates rounded to 0.1 px: invisible loss, much smaller files. */
export function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

type Attributes = Readonly<Record<string, string | number>>;

/**
 * One SVG element. Attribute values are escaped; numbers are pixel coordinates and
 * rounded with `px` (pass other numbers, like stroke widths, as strings).
 */
export function tag(name: string, attributes: Attributes, content?: string): string {
  let text = `<${name}`;
  for (const [key, value] of Object.entries(attributes)) {
    text += ` ${key}="${typeof value === "number" ? px(value) : escapeHtml(value)}"`;
  }
  return content === undefined ? `${text}/>` : `${text}>${content}</${name}>`;
}

/** A tooltip for the element it is placed in. */
export function tooltip(text: string): string {
  return `<title>${escapeHtml(text)}</title>`;
}

export function textWidth(text: string): number {
  return text.length * CHAR_WIDTH;
}

export interface LegendItem {
  name: string;
  color: string;
}

interface LegendLayout {
  rows: number;
  svg: string;
}

/** Legend entries laid out left to right, wrapping onto more rows as needed. */
function layoutLegend(items: readonly LegendItem[], left: number): LegendLayout {
  if (items.length <= 1) return { rows: 0, svg: "" };
  const parts: string[] = [];
  let x = left;
  let row = 0;
  for (const item of items) {
    const width = LEGEND_SWATCH + 6 + textWidth(item.name) + 18;
    if (x + width > CHART_WIDTH - 8 && x > left) {
      row++;
      x = left;
    }
    const y = 8 + row * LEGEND_ROW_HEIGHT;
    const swatch = tag("rect", { x, y, width: LEGEND_SWATCH, height: LEGEND_SWATCH, rx: 2, fill: item.color });
    const label = tag(
      "text",
      { x: x + LEGEND_SWATCH + 6, y: y + LEGEND_SWATCH / 2, "dominant-baseline": "central" },
      escapeHtml(item.name),
    );
    parts.push(tag("g", { class: "legend-item" }, swatch + label));
    x += width;
  }
  return { rows: row + 1, svg: `<g class="legend">${parts.join("")}</g>` };
}

export interface Frame {
  left: number;
  top: number;
  right: number;
  bottom: number;
  /** Value → pixel on the y axis. */
  y: (value: number) => number;
  yTicks: Ticks;
  yTickLabels: string[];
  legend: string;
}

/**
 * The plot area inside the canvas: room on the left for the widest y label, on top
 * for the legend rows, at the bottom for x labels.
 */
export function layoutFrame(yTicks: Ticks, legendItems: readonly LegendItem[]): Frame {
  const yTickLabels = formatTicks(yTicks.values, yTicks.step);
  const left = Math.round(28 + Math.max(...yTickLabels.map(textWidth)) + 8);
  const legend = layoutLegend(legendItems, left);
  const top = 14 + legend.rows * LEGEND_ROW_HEIGHT;
  const bottom = CHART_HEIGHT - 50;
  return {
    left,
    top,
    right: CHART_WIDTH - 18,
    bottom,
    y: linearScale(yTicks.min, yTicks.max, bottom, top),
    yTicks,
    yTickLabels,
    legend: legend.svg,
  };
}

export interface XTick {
  x: number;
  label: string;
}

/** Grid lines, both axes, their tick labels and titles. */
export function renderAxes(frame: Frame, xTicks: readonly XTick[], xLabel: string, yLabel: string): string {
  const { left, right, top, bottom } = frame;
  const gridLines = frame.yTicks.values.map((value) => {
    const y = frame.y(value);
    return tag("line", { x1: left, y1: y, x2: right, y2: y });
  });
  const axisLines = [
    tag("line", { x1: left, y1: bottom, x2: right, y2: bottom }),
    tag("line", { x1: left, y1: top, x2: left, y2: bottom }),
    ...xTicks.map((tick) => tag("line", { x1: tick.x, y1: bottom, x2: tick.x, y2: bottom + 5 })),
  ];
  const tickLabels = [
    ...frame.yTicks.values.map((value, i) =>
      tag(
        "text",
        { x: left - 6, y: frame.y(value), "text-anchor": "end", "dominant-baseline": "central" },
        escapeHtml(frame.yTickLabels[i]),
      ),
    ),
    ...xTicks.map((tick) => tag("text", { x: tick.x, y: bottom + 18, "text-anchor": "middle" }, escapeHtml(tick.label))),
  ];
  return (
    tag("g", { class: "grid", stroke: GRID_COLOR, "stroke-width": "1" }, gridLines.join("")) +
    tag("g", { class: "axis", stroke: AXIS_COLOR, "stroke-width": "1" }, axisLines.join("")) +
    tag("g", { class: "tick-labels", fill: AXIS_COLOR }, tickLabels.join("")) +
    tag("text", { class: "axis-title", x: (left + right) / 2, y: CHART_HEIGHT - 10, "text-anchor": "middle" }, escapeHtml(xLabel)) +
    tag(
      "text",
      { class: "axis-title", transform: "rotate(-90)", x: -(top + bottom) / 2, y: 16, "text-anchor": "middle" },
      escapeHtml(yLabel),
    )
  );
}

/** Numeric x ticks for a nice domain. */
export function numericXTicks(ticks: Ticks, x: (value: number) => number): XTick[] {
  const labels = formatTicks(ticks.values, ticks.step);
  return ticks.values.map((value, i) => ({ x: x(value), label: labels[i] }));
}

const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

/** The <svg> element around a chart's body; `title` is its accessible name. */
export function svgDocument(title: string, body: string): string {
  const attributes = {
    class: "chart",
    viewBox: `0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    role: "img",
    "aria-label": title,
    "font-family": FONT_FAMILY,
    "font-size": "12",
  };
  return tag("svg", attributes, tooltip(title) + body);
}

/** A chart with nothing to draw says so instead of drawing empty axes. */
export function renderNoData(title: string): string {
  const attributes = { class: "no-data", x: CHART_WIDTH / 2, y: CHART_HEIGHT / 2, "text-anchor": "middle", fill: AXIS_COLOR };
  return svgDocument(title, tag("text", attributes, "no data"));
}

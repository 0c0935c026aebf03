import { renderBarChart } from "./bar.js";
import type { Chart } from "./chart-types.js";
import { renderHistogram } from "./histogram.js";
import { renderLineChart } from "./line.js";

/** One chart as a self-contained <svg> element. */
export function renderChart(chart: Chart): string {
  switch (chart.kind) {
    case "line":
      return renderLineChart(chart);
    case "histogram":
      return renderHistogram(chart);
    case "bar":
      return renderBarChart(chart);
  }
}

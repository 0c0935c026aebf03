/** The chart descriptions a report is made of; each renders to one inline <svg> (charts.ts). */

export type Point = readonly [x: number, y: number];

export interface LineSeries {
  name: string;
  /** In drawing order; a non-finite y breaks the line there. */
  points: readonly Point[];
}

export interface LineChart {
  kind: "line";
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  /** Start the y axis at zero (default: when no value is negative). */
  yFromZero?: boolean;
}

export interface HistogramBucket {
  from: number;
  to: number;
  count: number;
}

export interface Marker {
  label: string;
  value: number;
}

export interface HistogramChart {
  kind: "histogram";
  title: string;
  xLabel: string;
  /** Default "count". */
  yLabel?: string;
  /** Raw samples, binned here; or give `buckets` already counted (e.g. from an HDR histogram). */
  values?: readonly number[];
  buckets?: readonly HistogramBucket[];
  /** Bins for `values` (default 30, rounded to a nice width). */
  binCount?: number;
  /** Percentile lines computed from the data (default 50, 90, 99; [] for none). */
  percentiles?: readonly number[];
  /** Extra vertical lines, e.g. exact percentiles from an HDR histogram or a threshold. */
  markers?: readonly Marker[];
}

export interface BarSeries {
  name: string;
  /** One value per category. */
  values: readonly number[];
}

export interface BarChart {
  kind: "bar";
  title: string;
  xLabel?: string;
  yLabel: string;
  categories: readonly string[];
  /** Several series draw grouped bars, one color each. */
  series: readonly BarSeries[];
}

export type Chart = LineChart | HistogramChart | BarChart;

export type {
  BarChart,
  BarSeries,
  Chart,
  HistogramBucket,
  HistogramChart,
  LineChart,
  LineSeries,
  Marker,
  Point,
} from "./chart-types.js";
export { renderChart } from "./charts.js";
export { escapeHtml, formatNumber } from "./format.js";
export { binValues, percentileOfBuckets, percentileOfValues } from "./histogram.js";
export { type ReportInput, type ReportTable, renderReport, type SummaryRow } from "./html.js";
export {
  type BenchResult,
  type ComparisonRow,
  compareResults,
  findRepoRoot,
  formatComparison,
  RESULTS_DIR,
  type ResultFile,
  ResultFileError,
  type ResultParams,
  readResultFile,
  resultFilePath,
  validateResultFile,
  type WriteResultOptions,
  type WrittenResults,
  writeResultFile,
} from "./results.js";
export { PALETTE } from "./svg.js";

import type { Chart } from "./chart-types.js";
import { renderChart } from "./charts.js";
import { escapeHtml, formatNumber } from "./format.js";

export interface SummaryRow {
  label: string;
  value: string | number;
  unit?: string;
}

export interface ReportTable {
  title: string;
  columns: readonly string[];
  /** Numbers are formatted and right-aligned; null shows as an empty cell. */
  rows: readonly (readonly (string | number | null)[])[];
}

export interface ReportInput {
  title: string;
  /** A line under the title, e.g. what was run and when (the caller supplies the time). */
  subtitle?: string;
  summary?: readonly SummaryRow[];
  tables?: readonly ReportTable[];
  charts: readonly Chart[];
}

/** Inline styles only: the file must open from disk with no network and no server. */
const STYLE = `
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f; background: #fafafa;
  margin: 0 auto; padding: 24px; max-width: 1600px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.1rem; margin: 28px 0 10px; }
.subtitle { color: #555; margin: 0 0 16px; }
table { border-collapse: collapse; background: #fff; box-shadow: 0 1px 2px rgba(0,0,0,.08); margin-bottom: 12px; }
th, td { padding: 6px 12px; border-bottom: 1px solid #e6e6e6; text-align: left; }
th { background: #f0f0f3; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 16px; }
figure { margin: 0; background: #fff; padding: 12px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
figcaption { font-weight: 600; margin-bottom: 6px; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart .axis-title { font-weight: 600; fill: #333; }
@media print { body { background: #fff; } .charts { display: block; } figure { break-inside: avoid; margin-bottom: 12px; } }
`;

function cell(value: string | number | null): string {
  if (value === null) return "<td></td>";
  if (typeof value === "number") return `<td class="num">${escapeHtml(formatNumber(value))}</td>`;
  return `<td>${escapeHtml(value)}</td>`;
}

function renderSummary(rows: readonly SummaryRow[]): string {
  const body = rows
    .map((row) => {
      const value = typeof row.value === "number" ? formatNumber(row.value) : row.value;
      const text = row.unit ? `${value} ${row.unit}` : value;
      return `<tr><th scope="row">${escapeHtml(row.label)}</th><td class="num">${escapeHtml(text)}</td></tr>`;
    })
    .join("");
  return `<section class="summary"><h2>Summary</h2><table>${body}</table></section>`;
}

function renderTable(table: ReportTable): string {
  const head = table.columns.map((column) => `<th scope="col">${escapeHtml(column)}</th>`).join("");
  const body = table.rows.map((row) => `<tr>${row.map(cell).join("")}</tr>`).join("");
  const content = `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  return `<section class="table"><h2>${escapeHtml(table.title)}</h2>${content}</section>`;
}

/**
 * A complete, self-contained HTML document: inline CSS and inline SVG charts, no
 * scripts, no external URL, so it opens from disk anywhere.
 */
export function renderReport(input: ReportInput): string {
  const charts = input.charts
    .map((chart) => `<figure><figcaption>${escapeHtml(chart.title)}</figcaption>${renderChart(chart)}</figure>`)
    .join("\n");
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(input.title)}</title><style>${STYLE}</style></head><body>`,
    `<header><h1>${escapeHtml(input.title)}</h1>${input.subtitle ? `<p class="subtitle">${escapeHtml(input.subtitle)}</p>` : ""}</header>`,
    input.summary && input.summary.length > 0 ? renderSummary(input.summary) : "",
    ...(input.tables ?? []).map(renderTable),
    charts ? `<section class="charts">\n${charts}\n</section>` : "",
    "</body></html>",
    "",
  ].join("\n");
}

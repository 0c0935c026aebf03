/** Text for HTML and SVG: escaping and compact number formatting. */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}

/**
 * A number as a person reads it in a table: up to 3 significant decimals, thousands
 * as k and millions as M from 10,000 up ("12.3k", "4.56M"), integers as they are.
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e9) return `${trim(value / 1e9, 3)}G`;
  if (magnitude >= 1e6) return `${trim(value / 1e6, 3)}M`;
  if (magnitude >= 1e4) return `${trim(value / 1e3, 3)}k`;
  if (Number.isInteger(value)) return String(value);
  return trim(value, 3);
}

/**
 * Labels for one axis' ticks, with one suffix for the whole axis (k from 10,000, M from
 * 10,000,000) and just enough decimals for the step: ["0", "0.5", "1"], ["0", "20k", "40k"].
 */
export function formatTicks(values: readonly number[], step: number): string[] {
  const largest = Math.max(0, ...values.map(Math.abs));
  const [divisor, suffix] = largest >= 1e7 ? [1e6, "M"] : largest >= 1e4 ? [1e3, "k"] : [1, ""];
  const scaledStep = step / divisor;
  const decimals = scaledStep > 0 && scaledStep < 1 ? Math.min(6, Math.ceil(-Math.log10(scaledStep) - 1e-9)) : 0;
  return values.map((value) => {
    const text = (value / divisor).toFixed(decimals);
    return `${Number(text) === 0 ? "0" : text}${Number(text) === 0 ? "" : suffix}`;
  });
}

function trim(value: number, significant: number): string {
  return String(Number(value.toPrecision(significant)));
}

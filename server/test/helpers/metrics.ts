import type { ServerMetrics } from "@tickwire/server";

/**
 * One metric's value from a server's (or world's) metrics, summed over the label sets that
 * match `labels`. For histograms pass the `_count`/`_sum` name's base and read the count.
 */
export async function metricValue(
  source: ServerMetrics | { readonly metrics: ServerMetrics },
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metrics = "registry" in source ? source : source.metrics;
  const metric = metrics.registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  let sum = 0;
  for (const value of values) {
    const matches = Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected);
    const { metricName } = value as { metricName?: string };
    const isCount = metricName === undefined || metricName.endsWith("_count");
    if (matches && isCount) sum += value.value;
  }
  return sum;
}

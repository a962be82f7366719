/** Renders metric families in the Prometheus text exposition format (version 0.0.4). */
import type { MetricFamily, MetricSample } from './metric-families.js';

/** The Content-Type of `/metrics`. */
export const prometheusTextContentType = 'text/plain; version=0.0.4; charset=utf-8';

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** One exposition line for a sample (without the newline). */
export function formatSample(sample: MetricSample): string {
  let labels = '';
  for (const key in sample.labels) {
    labels += `${labels ? ',' : ''}${key}="${escapeLabelValue(sample.labels[key] ?? '')}"`;
  }
  return `${sample.name}${labels ? `{${labels}}` : ''} ${formatValue(sample.value)}`;
}

/** The whole exposition: HELP and TYPE lines, then the family's samples. */
export function renderPrometheusText(families: MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) lines.push(formatSample(sample));
  }
  return `${lines.join('\n')}\n`;
}

/** Renders metric families in the Prometheus text exposition format (version 0.0.4). */
import type { MetricFamily, MetricSample } from './metric-families.js';

/** The Content-Type of `/metrics`. */
export const prometheusTextContentType = 'text/plain; version=0.0.4; charset=utf-8';

const needsEscaping = /[\\\n"]/;

function escapeLabelValue(value: string): string {
  if (!needsEscaping.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/**
 * `{a="b",...}` of a label set, memoised per (frozen, shared) label object: most label sets are
 * reused across renderings, so most lines cost one lookup and two concatenations.
 */
const labelTexts = new WeakMap<object, string>();
function labelText(labels: Readonly<Record<string, string>>): string {
  let text = labelTexts.get(labels);
  if (text !== undefined) return text;
  text = '';
  for (const key in labels) text += `${text ? ',' : ''}${key}="${escapeLabelValue(labels[key] ?? '')}"`;
  text = text ? `{${text}}` : '';
  if (Object.isFrozen(labels)) labelTexts.set(labels, text);
  return text;
}

/** One exposition line for a sample (without the newline). */
export function formatSample(sample: MetricSample): string {
  return `${sample.name}${labelText(sample.labels)} ${formatValue(sample.value)}`;
}

/** The whole exposition: HELP and TYPE lines, then the family's samples. */
export function renderPrometheusText(families: MetricFamily[]): string {
  let text = '';
  for (const family of families) {
    text += `# HELP ${family.name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${family.name} ${family.type}\n`;
    for (const sample of family.samples) text += `${sample.name}${labelText(sample.labels)} ${formatValue(sample.value)}\n`;
  }
  return text;
}

/**
 * Where each value of a configuration came from, so a wrong value is blamed on what set it: the
 * config file, an environment variable (`RISK_THRESHOLD="7"`) or a CLI flag (`--threshold 7`).
 * Telling someone to fix their file when the culprit is an environment variable set in CI sends
 * them to the wrong place.
 */
import type { FieldIssue } from '@autoheal/core';

/** A value put into the configuration on top of the file, and what put it there. */
export interface ConfigOverride {
  /** Where it goes, e.g. `['policy', 'threshold']`. */
  path: readonly string[];
  value: unknown;
  /** How an error names it: `environment variable RISK_THRESHOLD="7"`, `flag --threshold 7`. */
  source: string;
}

/** One wrong field and what set its value. */
export interface ConfigIssue extends FieldIssue {
  source: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets `value` at `path` in `target`, creating (or replacing non-object) parents. */
function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** A copy of `raw` with `overrides` applied in order (a later one wins). */
export function applyOverrides(raw: Record<string, unknown>, overrides: readonly ConfigOverride[]): Record<string, unknown> {
  const result = structuredClone(raw);
  for (const override of overrides) setPath(result, override.path, override.value);
  return result;
}

/** What set the value at `path`: the last override at `path` or at a parent of it, else `fallback`. */
export function sourceOf(path: ReadonlyArray<string | number>, overrides: readonly ConfigOverride[], fallback: string): string {
  const key = path.map(String);
  for (let i = overrides.length - 1; i >= 0; i--) {
    const override = overrides[i]!;
    if (override.path.length <= key.length && override.path.every((part, index) => part === key[index])) return override.source;
  }
  return fallback;
}

/**
 * One line per source: `config file a.yaml is invalid: policy.dryrun: unknown key; did you mean
 * "dryRun"?`. Issues from several sources are listed under each source on their own lines.
 */
export function formatConfigIssues(issues: readonly ConfigIssue[]): string {
  const bySource = new Map<string, ConfigIssue[]>();
  for (const issue of issues) bySource.set(issue.source, [...(bySource.get(issue.source) ?? []), issue]);
  const list = (items: readonly ConfigIssue[]) => items.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  if (bySource.size === 1) {
    const [source, items] = [...bySource][0]!;
    return `${source} is invalid: ${list(items)}`;
  }
  return `configuration is invalid:\n${[...bySource].map(([source, items]) => `  ${source}: ${list(items)}`).join('\n')}`;
}

/**
 * Parsing and matching of Kubernetes label selector strings (`a=b,c!=d,e in (f,g),!h`), the syntax
 * of the `labelSelector` query parameter.
 */
import { badRequest } from '../base/status-error.js';

/** One parsed requirement of a label selector. */
export type LabelRequirement =
  | { key: string; operator: 'exists' | 'notExists' }
  | { key: string; operator: 'in' | 'notIn'; values: string[] }
  | { key: string; operator: 'gt' | 'lt'; value: number };

/** A parsed label selector: an object matches when every requirement holds. */
export type LabelSelector = LabelRequirement[];

/** Splits on commas that are not inside parentheses (`a in (x,y),b` → two parts). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const character of text) {
    if (character === '(') depth += 1;
    if (character === ')') depth -= 1;
    if (character === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += character;
    }
  }
  parts.push(current);
  return parts;
}

const labelKeyPattern = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const labelValuePattern = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function checkKey(key: string, selector: string): string {
  if (!labelKeyPattern.test(key)) {
    throw badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${selector}"`);
  }
  return key;
}

function checkValue(value: string, selector: string): string {
  if (!labelValuePattern.test(value) || value.length > 63) {
    throw badRequest(`unable to parse requirement: invalid label value: "${value}" in selector "${selector}"`);
  }
  return value;
}

/**
 * Parses a label selector string. Throws a 400 `StatusError` for syntax errors, as the API server
 * rejects bad selectors instead of ignoring them.
 */
export function parseLabelSelector(selector: string | undefined): LabelSelector {
  if (selector === undefined || selector.trim() === '') return [];
  const requirements: LabelRequirement[] = [];
  for (const rawPart of splitTopLevel(selector)) {
    const part = rawPart.trim();
    if (part === '') throw badRequest(`unable to parse requirement: found '', expected: identifier in selector "${selector}"`);
    const setMatch = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(part);
    if (setMatch) {
      const values = (setMatch[3] ?? '')
        .split(',')
        .map((value) => value.trim())
        .filter((value) => value !== '')
        .map((value) => checkValue(value, selector));
      requirements.push({
        key: checkKey(setMatch[1] ?? '', selector),
        operator: setMatch[2] === 'in' ? 'in' : 'notIn',
        values,
      });
      continue;
    }
    const compareMatch = /^([^=!<>\s]+)\s*(==|=|!=|<|>)\s*(.*)$/.exec(part);
    if (compareMatch) {
      const key = checkKey(compareMatch[1] ?? '', selector);
      const operator = compareMatch[2];
      const value = (compareMatch[3] ?? '').trim();
      if (operator === '<' || operator === '>') {
        const number = Number(value);
        if (value === '' || !Number.isInteger(number)) {
          throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer in selector "${selector}"`);
        }
        requirements.push({ key, operator: operator === '<' ? 'lt' : 'gt', value: number });
      } else {
        requirements.push({ key, operator: operator === '!=' ? 'notIn' : 'in', values: [checkValue(value, selector)] });
      }
      continue;
    }
    if (part.startsWith('!')) {
      requirements.push({ key: checkKey(part.slice(1).trim(), selector), operator: 'notExists' });
      continue;
    }
    requirements.push({ key: checkKey(part, selector), operator: 'exists' });
  }
  return requirements;
}

/** True when `labels` satisfy every requirement of `selector`. */
export function matchesLabelSelector(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const actual = labels ?? {};
  return selector.every((requirement) => {
    const has = Object.hasOwn(actual, requirement.key);
    const value = actual[requirement.key];
    switch (requirement.operator) {
      case 'exists':
        return has;
      case 'notExists':
        return !has;
      case 'in':
        return has && requirement.values.includes(value ?? '');
      case 'notIn':
        return !has || !requirement.values.includes(value ?? '');
      case 'gt':
        return has && Number(value) > requirement.value;
      case 'lt':
        return has && Number(value) < requirement.value;
    }
  });
}

/**
 * Renders a `metav1.LabelSelector` (matchLabels + matchExpressions) as a selector string, the way
 * `LabelSelectorAsSelector(...).String()` does (requirements sorted by key).
 */
export function labelSelectorToString(selector: {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
} | undefined): string {
  if (!selector) return '';
  const parts: Array<{ key: string; text: string }> = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) parts.push({ key, text: `${key}=${value}` });
  for (const expression of selector.matchExpressions ?? []) {
    const values = [...(expression.values ?? [])].sort().join(',');
    const text =
      expression.operator === 'In'
        ? `${expression.key} in (${values})`
        : expression.operator === 'NotIn'
          ? `${expression.key} notin (${values})`
          : expression.operator === 'Exists'
            ? expression.key
            : `!${expression.key}`;
    parts.push({ key: expression.key, text });
  }
  return parts
    .sort((left, right) => (left.key < right.key ? -1 : left.key > right.key ? 1 : 0))
    .map((part) => part.text)
    .join(',');
}

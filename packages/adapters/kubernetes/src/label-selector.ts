/**
 * A syntax check of Kubernetes label selectors (`team=payments,tier!=batch`, `env in (prod,staging)`,
 * `!legacy`), so a config with a typo is refused at load with the term at fault instead of failing
 * at the API server with a 400 later. The API server still judges the selector itself.
 */

const KEY = String.raw`(?:[a-z0-9A-Z](?:[-a-z0-9A-Z_.]*[a-z0-9A-Z])?/)?[a-z0-9A-Z](?:[-a-z0-9A-Z_.]*[a-z0-9A-Z])?`;
const VALUE = String.raw`(?:[a-z0-9A-Z](?:[-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?`;
const TERM = new RegExp(String.raw`^(?:!?\s*${KEY}|${KEY}\s*(?:=|==|!=)\s*${VALUE}|${KEY}\s+(?:in|notin)\s+\(\s*${VALUE}(?:\s*,\s*${VALUE})*\s*\))$`);

/** Splits a selector at the commas between terms (not those inside `in (...)`). */
function terms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) (out.push(current), (current = ''));
    else current += char;
  }
  out.push(current);
  return out.map((term) => term.trim());
}

/**
 * The first term of `selector` that is not valid label-selector syntax, or `undefined` when all are.
 *
 * @example
 * invalidSelectorTerm('team=payments,tier in (web,api)'); // undefined
 * invalidSelectorTerm('team:payments'); // 'team:payments'
 */
export function invalidSelectorTerm(selector: string): string | undefined {
  return terms(selector).find((term) => !TERM.test(term));
}

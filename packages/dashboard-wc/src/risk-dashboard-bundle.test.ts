/**
 * What goes into the self-contained bundle (built by the tests' global setup): Lit and this
 * package, never the code of @autoheal/core or zod. The dashboard takes core's types only and reads
 * feature names and the ladder from the server at run time.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { TEST_BUNDLE_METAFILE } from './test/paths.js';

describe('the risk-dashboard.js bundle', () => {
  it('holds Lit and the dashboard, and nothing of @autoheal/core or zod', async () => {
    const meta = JSON.parse(await readFile(TEST_BUNDLE_METAFILE, 'utf8')) as { inputs: Record<string, unknown> };
    const inputs = Object.keys(meta.inputs).map((input) => input.split('\\').join('/'));

    expect(inputs).toContain('src/risk-dashboard.component.ts');
    expect(inputs.some((input) => /node_modules\/(lit|lit-html|@lit\/reactive-element)\//.test(input))).toBe(true);
    expect(inputs.filter((input) => /(^|\/)(core\/src|core\/dist|node_modules\/@autoheal\/core|node_modules\/zod)\//.test(input))).toEqual([]);
  });
});

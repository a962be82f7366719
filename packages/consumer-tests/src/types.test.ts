/**
 * The published type declarations, as a TypeScript consumer's compiler sees them: small consumer
 * files (`fixtures/typescript/`) type-checked in the fresh project with its own `typescript` and
 * `@types/node`, under `moduleResolution: node16` (ESM `.d.ts` and CommonJS `.d.cts`) and `bundler`,
 * with `skipLibCheck: false` so the declarations themselves are checked too. Errors in the declarations
 * of third-party packages are printed but do not fail the test: they are those packages' own (they
 * vanish with `skipLibCheck: true`, the `tsc --init` default). Types do not depend on the Node
 * version that runs the compiler, so this runs once, not per runtime.
 */
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, inject, it } from 'vitest';
import { runCommand } from '../test-support/run-command.js';

const { sdkProject } = inject('consumer');
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'typescript');
const TSC = path.join(sdkProject, 'node_modules', 'typescript', 'bin', 'tsc');

beforeAll(async () => {
  await cp(FIXTURES, path.join(sdkProject, 'typescript'), { recursive: true });
});

/** tsc's diagnostics, one string per error (continuation lines kept with their error). */
function diagnostics(output: string): string[] {
  const errors: string[] = [];
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    if (/^\s/.test(line) && errors.length > 0) errors[errors.length - 1] += `\n${line}`;
    else errors.push(line);
  }
  return errors;
}

const isThirdParty = (error: string) => error.startsWith('node_modules/') && !error.startsWith('node_modules/@autoheal/');

it.concurrent.each(['node16', 'bundler'])('a consumer type-checks with moduleResolution %s: no error in its code or in autoheal\'s declarations', async (resolution) => {
  const result = await runCommand(process.execPath, [TSC, '-p', `typescript/tsconfig.${resolution}.json`], { cwd: sdkProject, timeoutMs: 300_000 });
  const errors = diagnostics(`${result.stdout}${result.stderr}`);
  const thirdParty = errors.filter(isThirdParty);
  if (thirdParty.length > 0) {
    const packages = [...new Set(thirdParty.map((error) => /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(error)![1]))];
    console.log(`[types] ${resolution}: ${thirdParty.length} error(s) in third-party declarations (${packages.join(', ')}); skipLibCheck: true hides them`);
  }
  expect(errors.filter((error) => !isThirdParty(error))).toEqual([]);
  expect(result.code === 0 || thirdParty.length > 0).toBe(true);
}, 300_000);

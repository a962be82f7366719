/**
 * Core must stay light: no Node built-ins (a browser bundle of the types and schemas must work) and
 * no runtime dependency but zod. This test reads every source file and fails on any other import.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const sourceRoot = fileURLToPath(new URL('.', import.meta.url));

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The module specifiers of `import ... from`, `export ... from`, `import('...')` and `require('...')`. */
function importedModules(code: string): string[] {
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\bimport\s+['"]([^'"]+)['"]/g, /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  return patterns.flatMap((pattern) => [...code.matchAll(pattern)].map((match) => match[1]!));
}

const isAllowed = (specifier: string) => specifier === 'zod' || specifier.startsWith('./') || specifier.startsWith('../');

describe('core imports', () => {
  const checked = sourceFiles(sourceRoot)
    .map((path) => relative(sourceRoot, path).split('\\').join('/'))
    .filter((path) => !path.endsWith('.test.ts') && !path.endsWith('.test-setup.ts') && !path.startsWith('testing/conformance/'));

  it('finds the source files to check', () => {
    expect(checked).toContain('pipeline/create-pipeline.ts');
    expect(checked).toContain('testing/in-memory-healer.ts');
  });

  it('imports nothing but zod and relative paths outside tests and conformance suites', () => {
    const offending = checked.flatMap((path) =>
      importedModules(readFileSync(join(sourceRoot, path), 'utf8'))
        .filter((specifier) => !isAllowed(specifier))
        .map((specifier) => `${path} imports "${specifier}"`),
    );

    expect(offending).toEqual([]);
  });

  it('recognises the imports it must forbid', () => {
    const sample = [
      "import { readFile } from 'node:fs';",
      "import * as ort from 'onnxruntime-node';",
      "export { KubeConfig } from '@kubernetes/client-node';",
      "const hapi = await import('@hapi/hapi');",
      "import 'lit';",
      "const { fetch } = require('undici');",
    ].join('\n');

    const forbidden = importedModules(sample).filter((specifier) => !isAllowed(specifier));

    expect(forbidden.sort()).toEqual(['@hapi/hapi', '@kubernetes/client-node', 'lit', 'node:fs', 'onnxruntime-node', 'undici']);
  });
});

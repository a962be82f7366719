/**
 * The sandbox's imports flow downward (see "How it is built" in the package README): a folder may
 * import from its own files and from lower floors, never from a higher floor or a sibling on the
 * same floor. Tests are exempt: they may drive a lower layer through a higher one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Folder of `src/` → its floor. Files directly in `src/` (the entry points) are the top floor. */
const floors: Record<string, number> = {
  base: 0,
  store: 1,
  api: 2,
  controller: 2,
  metrics: 2,
  sim: 3,
  catalogue: 4,
  '.': 5,
};

interface SourceFile {
  /** Path relative to `src/`, with `/` separators. */
  path: string;
  text: string;
}

/** Relative module specifiers of static imports, re-exports and dynamic imports. */
function relativeImports(text: string): string[] {
  const specifiers: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)) {
    specifiers.push(match[1] as string);
  }
  return specifiers;
}

function folderOf(file: string): string {
  const slash = file.indexOf('/');
  return slash === -1 ? '.' : file.slice(0, slash);
}

/** Every import that goes up or sideways, as `importer → imported (why)`. */
function layerViolations(files: SourceFile[]): string[] {
  const violations: string[] = [];
  for (const file of files) {
    const from = folderOf(file.path);
    const fromFloor = floors[from];
    if (fromFloor === undefined) {
      violations.push(`${file.path}: folder "${from}" has no floor; add it to the table in layers.test.ts and the README`);
      continue;
    }
    for (const specifier of relativeImports(file.text)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file.path), specifier));
      if (target.startsWith('..')) {
        violations.push(`${file.path} → ${specifier} (outside src/)`);
        continue;
      }
      const to = folderOf(target);
      if (to === from) continue;
      const toFloor = floors[to];
      if (toFloor === undefined || toFloor >= fromFloor) {
        violations.push(`${file.path} → ${target} (${from} is floor ${fromFloor}, ${to} is floor ${toFloor ?? '?'})`);
      }
    }
  }
  return violations;
}

function sourceFiles(root: string): SourceFile[] {
  const files: SourceFile[] = [];
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.push({ path: path.relative(root, full).split(path.sep).join('/'), text: readFileSync(full, 'utf8') });
  }
  return files;
}

describe('the sandbox layers', () => {
  it('import only downward', () => {
    const files = sourceFiles(path.dirname(fileURLToPath(import.meta.url)));
    expect(files.length).toBeGreaterThan(40);
    expect(layerViolations(files)).toEqual([]);
  });

  it('catch an upward, a sideways and a dynamic import, and a folder without a floor', () => {
    const violations = layerViolations([
      { path: 'store/object-store.ts', text: "import { notFound } from '../api/status-error.js';" },
      { path: 'metrics/collect.ts', text: "import type { Pod } from '../controller/x.js';\nimport { ok } from './here.js';" },
      { path: 'base/clock.ts', text: "const sim = await import('../sim/simulation.js');" },
      { path: 'extra/thing.ts', text: '' },
      { path: 'sim/kubelet.ts', text: "import { x } from '../base/kube-types.js';\nexport { y } from '../controller/event-recorder.js';" },
    ]);
    expect(violations).toEqual([
      'store/object-store.ts → api/status-error.js (store is floor 1, api is floor 2)',
      'metrics/collect.ts → controller/x.js (metrics is floor 2, controller is floor 2)',
      'base/clock.ts → sim/simulation.js (base is floor 0, sim is floor 3)',
      'extra/thing.ts: folder "extra" has no floor; add it to the table in layers.test.ts and the README',
    ]);
  });
});

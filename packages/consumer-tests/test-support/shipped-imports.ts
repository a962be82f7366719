/**
 * Reads the module specifiers a shipped file imports (ES `import`/`export … from`, dynamic
 * `import()`, `require()`, and the `import('…')` types of declaration files), and maps them to the
 * package that must be installed for them to resolve.
 */
import { builtinModules } from 'node:module';

/** What a module specifier can look like (so prose such as "from 'no traffic data'" is not one). */
const SPECIFIER = String.raw`([@\w.][\w.\-/@:]*)`;
const SPECIFIER_PATTERNS = [
  new RegExp(String.raw`(?:^|[\s}*])from\s*(['"])${SPECIFIER}\1`, 'gm'),
  new RegExp(String.raw`^\s*import\s*(['"])${SPECIFIER}\1`, 'gm'),
  new RegExp(String.raw`\bimport\s*\(\s*(['"])${SPECIFIER}\1\s*\)`, 'g'),
  new RegExp(String.raw`\brequire\s*\(\s*(['"])${SPECIFIER}\1\s*\)`, 'g'),
];

/** Every bare (package) specifier in `source`: relative and absolute paths are left out. */
export function bareSpecifiers(source: string): string[] {
  const found = new Set<string>();
  for (const pattern of SPECIFIER_PATTERNS) {
    for (const match of source.matchAll(pattern)) {
      const specifier = match[2]!;
      if (!specifier.startsWith('.') && !specifier.startsWith('/')) found.add(specifier);
    }
  }
  return [...found];
}

/** The package a bare specifier resolves into (`@scope/name/sub` → `@scope/name`), or `node` for built-ins. */
export function packageOf(specifier: string): string {
  if (specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!)) return 'node';
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

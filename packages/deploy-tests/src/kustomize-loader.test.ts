import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKustomization, objectKey, parseYamlObjects, strategicMerge, type KubeObject } from './kustomize-loader.js';
import { kubectlPath, manifestsDir, renderables } from './render.js';

/** Objects keyed by identity, with named lists sorted, so order differences do not count. */
function canonical(objects: KubeObject[]): Record<string, unknown> {
  const sortNamed = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      const items = value.map(sortNamed);
      const named = items.every((item) => typeof item === 'object' && item !== null && typeof (item as { name?: unknown }).name === 'string');
      return named ? [...items].sort((a, b) => String((a as { name: string }).name).localeCompare(String((b as { name: string }).name))) : items;
    }
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, sortNamed(entry)]));
    return value;
  };
  return Object.fromEntries(objects.map((object) => [objectKey(object), sortNamed(object)]));
}

describe('kustomize-equivalent loader', () => {
  it('merges maps, deletes null fields, merges named lists by name and replaces other lists', () => {
    const target = { spec: { replicas: 1, maxUnavailable: 1, args: ['a'], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] } };
    const patch = { spec: { maxUnavailable: null, minAvailable: 1, args: ['b'], env: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }] } };
    expect(strategicMerge(target, patch)).toEqual({
      spec: { replicas: 1, minAvailable: 1, args: ['b'], env: [{ name: 'A', value: '1' }, { name: 'B', value: '3' }, { name: 'C', value: '4' }] },
    });
  });

  it('refuses a kustomization field it does not implement', () => {
    expect(() => loadKustomization(path.join(import.meta.dirname, '__fixtures__/unsupported'))).toThrow(/"namespace" is not supported/);
  });

  describe.skipIf(!kubectlPath).each(renderables)('on manifests/%s', (folder) => {
    it('renders the same objects as kubectl kustomize', () => {
      const dir = path.join(manifestsDir, folder);
      const real = parseYamlObjects(execFileSync(kubectlPath!, ['kustomize', dir], { encoding: 'utf8' }));
      expect(canonical(loadKustomization(dir))).toEqual(canonical(real));
    });
  });
});

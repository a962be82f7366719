/**
 * Renders manifests/ folders: with `kubectl kustomize` when kubectl is installed (the real
 * kustomize), otherwise with the small loader in kustomize-loader.ts.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKustomization, parseYamlObjects, type KubeObject } from './kustomize-loader.js';

/** The repository root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The manifests folder. */
export const manifestsDir = path.join(repoRoot, 'manifests');

function findKubectl(): string | undefined {
  try {
    return execFileSync('which', ['kubectl'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Path of kubectl, or undefined when it is not on PATH. */
export const kubectlPath = findKubectl();
if (!kubectlPath) console.warn('[autoheal] [deploy-tests] kubectl not found on PATH: rendering with the kustomize-equivalent loader, skipping the kubectl tests');

/** Renders `manifests/<relative>` to its objects. */
export function render(relative: string): KubeObject[] {
  const dir = path.join(manifestsDir, relative);
  if (!kubectlPath) return loadKustomization(dir);
  return parseYamlObjects(execFileSync(kubectlPath, ['kustomize', dir], { encoding: 'utf8' }));
}

/** Every overlay, and the separate CI RBAC folder. */
export const overlays = ['overlays/demo', 'overlays/production', 'overlays/multi-namespace', 'overlays/discovery'] as const;
export const renderables = [...overlays, 'sample-app', 'sample-app/loadgen', 'ci-rbac'] as const;

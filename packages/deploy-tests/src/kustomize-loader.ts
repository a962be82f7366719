/**
 * A small stand-in for `kubectl kustomize`, for machines without kubectl. It implements only the
 * kustomize features manifests/ uses: `resources` (files and folders), `components`, `patches`
 * given by `path` as strategic merge patches (maps merge, `null` deletes a field, lists of objects
 * with a `name` merge by name, other lists are replaced), and `configMapGenerator` entries made of
 * `files` with a stable name (`options.disableNameSuffixHash: true`) and optional `labels`. Anything else in a kustomization is an
 * error, so a new feature in manifests/ cannot be silently ignored here. The test
 * `kustomize-loader.test.ts` compares it with real kustomize whenever kubectl is installed.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as plain JSON. */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
};

const supportedFields = new Set(['apiVersion', 'kind', 'resources', 'components', 'patches', 'configMapGenerator']);

/** Parses every YAML document of a file (empty documents skipped). */
export function readYamlObjects(file: string): KubeObject[] {
  return parseYamlObjects(readFileSync(file, 'utf8'));
}

/** Parses every YAML document of a text (empty documents skipped). */
export function parseYamlObjects(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(String(document.errors[0]));
      return document.toJS() as KubeObject | null;
    })
    .filter((object): object is KubeObject => object !== null);
}

/** Renders the kustomization (or component) in `dir` to its list of objects. */
export function loadKustomization(dir: string): KubeObject[] {
  const file = path.join(dir, 'kustomization.yaml');
  const [kustomization] = readYamlObjects(file) as unknown as Array<Record<string, unknown>>;
  if (!kustomization) throw new Error(`${file} is empty`);
  for (const field of Object.keys(kustomization)) {
    if (!supportedFields.has(field)) throw new Error(`${file}: "${field}" is not supported by this loader (see kustomize-loader.ts)`);
  }
  const objects: KubeObject[] = [];
  for (const entry of (kustomization.resources as string[] | undefined) ?? []) {
    const target = path.join(dir, entry);
    if (statSync(target).isDirectory()) objects.push(...loadKustomization(target));
    else objects.push(...readYamlObjects(target));
  }
  objects.push(...generateConfigMaps(kustomization, dir, file));
  let result = objects;
  for (const entry of (kustomization.components as string[] | undefined) ?? []) {
    result = applyComponent(result, path.join(dir, entry));
  }
  for (const patch of (kustomization.patches as Array<{ path?: string }> | undefined) ?? []) {
    if (!patch.path) throw new Error(`${file}: only patches with "path" are supported by this loader`);
    for (const patchObject of readYamlObjects(path.join(dir, patch.path))) result = applyPatch(result, patchObject, file);
  }
  return result;
}

function applyComponent(objects: KubeObject[], dir: string): KubeObject[] {
  const file = path.join(dir, 'kustomization.yaml');
  if (!existsSync(file)) throw new Error(`${dir} has no kustomization.yaml`);
  const [component] = readYamlObjects(file) as unknown as Array<Record<string, unknown>>;
  if (component?.kind !== 'Component') throw new Error(`${file} is not a Component`);
  // A component's own resources and patches act on everything accumulated so far.
  const added = ((component.resources as string[] | undefined) ?? []).flatMap((entry) => readYamlObjects(path.join(dir, entry)));
  added.push(...generateConfigMaps(component, dir, file));
  let result = [...objects, ...added];
  for (const patch of (component.patches as Array<{ path?: string }> | undefined) ?? []) {
    if (!patch.path) throw new Error(`${file}: only patches with "path" are supported by this loader`);
    for (const patchObject of readYamlObjects(path.join(dir, patch.path))) result = applyPatch(result, patchObject, file);
  }
  return result;
}

type ConfigMapGenerator = {
  name?: string;
  namespace?: string;
  files?: string[];
  options?: { disableNameSuffixHash?: boolean; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
};

/** The ConfigMaps of a `configMapGenerator` (the subset described in the module comment). */
function generateConfigMaps(kustomization: Record<string, unknown>, dir: string, file: string): KubeObject[] {
  return ((kustomization.configMapGenerator as ConfigMapGenerator[] | undefined) ?? []).map((generator) => {
    const unsupported = Object.keys(generator).filter((key) => !['name', 'namespace', 'files', 'options'].includes(key));
    const unsupportedOptions = Object.keys(generator.options ?? {}).filter((key) => !['disableNameSuffixHash', 'labels'].includes(key));
    if (!generator.name || unsupported.length > 0 || unsupportedOptions.length > 0 || generator.options?.disableNameSuffixHash !== true) {
      throw new Error(`${file}: this loader supports configMapGenerator entries with name, namespace, files and options.labels, with options.disableNameSuffixHash: true`);
    }
    const data = Object.fromEntries((generator.files ?? []).map((entry) => [path.basename(entry), readFileSync(path.join(dir, entry), 'utf8')]));
    const metadata: KubeObject['metadata'] = { name: generator.name };
    if (generator.namespace) metadata.namespace = generator.namespace;
    if (generator.options?.labels) metadata.labels = { ...generator.options.labels };
    return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data };
  });
}

/** Identity used to match a patch to its target, as kustomize does. */
export function objectKey(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  return `${object.apiVersion}/${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

function applyPatch(objects: KubeObject[], patch: KubeObject, file: string): KubeObject[] {
  const index = objects.findIndex((object) => objectKey(object) === objectKey(patch));
  if (index < 0) throw new Error(`${file}: patch target ${objectKey(patch)} not found`);
  const result = [...objects];
  result[index] = strategicMerge(objects[index], patch) as KubeObject;
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNamedList(value: unknown): value is Array<Record<string, unknown>> {
  return Array.isArray(value) && value.length > 0 && value.every((item) => isPlainObject(item) && typeof item.name === 'string');
}

/** Strategic merge of `patch` into `target` (see the module comment for the rules). */
export function strategicMerge(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(target) || !isPlainObject(patch)) return patch;
  const merged: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (isNamedList(value) && (isNamedList(target[key]) || target[key] === undefined)) {
      const items = [...((target[key] as Array<Record<string, unknown>> | undefined) ?? [])];
      for (const item of value) {
        const existing = items.findIndex((candidate) => candidate.name === item.name);
        if (existing >= 0) items[existing] = strategicMerge(items[existing], item) as Record<string, unknown>;
        else items.push(item);
      }
      merged[key] = items;
    } else merged[key] = strategicMerge(target[key], value);
  }
  return merged;
}

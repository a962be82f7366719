import { describe, expect, it } from 'vitest';
import type { KubeObject } from './kustomize-loader.js';
import { validateObject } from './validate-object.js';

const deployment = (spec: unknown): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'prod' }, spec });
const validSpec = { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } };

describe('validateObject', () => {
  it('accepts a valid Deployment', () => {
    expect(() => validateObject(deployment(validSpec))).not.toThrow();
  });

  it('rejects a field of the wrong type, naming the object', () => {
    expect(() => validateObject(deployment({ ...validSpec, replicas: 'two' }))).toThrow(/Deployment prod\/web: .*replicas/);
  });

  it('rejects a Deployment without its required selector', () => {
    expect(() => validateObject(deployment({ template: validSpec.template }))).toThrow(/selector/);
  });

  it('rejects a ServiceMonitor endpoint with a malformed interval (CRD schema)', () => {
    const monitor: KubeObject = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'web', namespace: 'prod' },
      spec: { selector: {}, endpoints: [{ port: 'http', interval: 'every 15 seconds' }] },
    };
    expect(() => validateObject(monitor)).toThrow(/interval/);
  });

  it('refuses a kind it has no schema for', () => {
    expect(() => validateObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toThrow(/no schema known for example.com\/v1 Widget/);
  });
});

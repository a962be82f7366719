import { describe, expect, it } from 'vitest';
import { REQUEST_PRESETS, REQUEST_PRESET_NAMES, requestMetricsSchema, resolveRequestMetrics } from './request-presets.js';

describe('request presets', () => {
  it('define a counter, error responses and workload labels for every preset but none', () => {
    expect(Object.keys(REQUEST_PRESETS)).toEqual(REQUEST_PRESET_NAMES.filter((name) => name !== 'none'));
    for (const preset of Object.values(REQUEST_PRESETS)) {
      expect(preset.metric).toMatch(/^[a-z_]+$/);
      expect(preset.errorWhen.length).toBeGreaterThan(0);
    }
  });

  it('resolve names, renamed labels and custom pairs to distinct ids', () => {
    expect(resolveRequestMetrics('istio')).toMatchObject({ kind: 'preset', id: 'istio' });
    expect(resolveRequestMetrics('none')).toEqual({ kind: 'none', id: 'none' });
    expect(resolveRequestMetrics({ preset: 'ingress-nginx', labels: { namespace: 'exported_namespace', deployment: 'exported_service' } })).toMatchObject({
      id: 'ingress-nginx(exported_namespace,exported_service)',
      preset: { workload: { from: 'labels', namespace: 'exported_namespace', deployment: 'exported_service' } },
    });
    const custom = resolveRequestMetrics({ requests: 'sum by (namespace, deployment) (rate(a{ {{selector}} }{{range}}))', errors: 'sum by (namespace, deployment) (rate(b{ {{selector}} }{{range}}))' });
    expect(custom.kind).toBe('custom');
    expect(custom.id).toMatch(/^custom\([0-9a-z]+\)$/);
  });

  it('reject an unknown preset saying what is accepted, and a custom pair without {{range}} naming the field', () => {
    const unknown = requestMetricsSchema.safeParse('nginx');
    expect(unknown.error?.issues[0]?.message).toMatch(/^must be a request preset \(flask, prometheus-client, opentelemetry, ingress-nginx, istio, linkerd, none\)/);
    const noRange = requestMetricsSchema.safeParse({ requests: 'rate(a[2m])', errors: 'rate(b[2m])' });
    expect(noRange.error?.issues.map((issue) => [issue.path.join('.'), issue.message.slice(0, 22)])).toEqual([
      ['requests', 'must contain {{range}}'],
      ['errors', 'must contain {{range}}'],
    ]);
  });
});

/** The query templates and their rendering (pure functions; the real-Prometheus tests cover results). */
import { describe, expect, it } from 'vitest';
import { DEFAULT_QUERIES, defaultQueries, namespaceSelector, POD_NAME_DEPLOYMENT_REGEX, renderQuery } from './default-queries.js';
import { joinUrl, parseSampleValue } from './prometheus-http-client.js';

describe('default queries', () => {
  it('has one grouped query per default feature, guarding only the 5xx rate', () => {
    expect(Object.keys(DEFAULT_QUERIES)).toEqual([
      'restart_count_last_5m',
      'cpu_usage_pct',
      'memory_usage_bytes',
      'ready_replica_ratio',
      'unavailable_replicas',
      'network_receive_bytes_per_s',
      'http_5xx_error_rate',
    ]);
    expect(Object.values(DEFAULT_QUERIES).every((query) => query.mode === 'grouped')).toBe(true);
    expect(Object.entries(DEFAULT_QUERIES).filter(([, query]) => query.requiresRequestVolume).map(([feature]) => feature)).toEqual(['http_5xx_error_rate']);
  });

  it('uses the rate window everywhere but the 5-minute restart count', () => {
    const queries = defaultQueries('pod-name', '30s');
    expect(queries.cpu_usage_pct.query).toContain('[30s]');
    expect(queries.network_receive_bytes_per_s.query).toContain('[30s]');
    expect(queries.http_5xx_error_rate.query).not.toContain('[2m]');
    expect(queries.restart_count_last_5m.query).toContain('[5m]');
  });

  it('joins owner references in owner mode instead of parsing pod names', () => {
    const queries = defaultQueries('owner');
    expect(queries.memory_usage_bytes.query).toContain('kube_pod_owner{owner_kind="ReplicaSet"');
    expect(queries.memory_usage_bytes.query).not.toContain(POD_NAME_DEPLOYMENT_REGEX);
  });

  it('derives the deployment from Kubernetes pod names only', () => {
    const regex = new RegExp(POD_NAME_DEPLOYMENT_REGEX);
    expect('backend-7d9f8b6c5d-x2k9p'.match(regex)?.[1]).toBe('backend');
    expect('my-api-v2-5c4b8d7f9-abcde'.match(regex)).toBeNull(); // "a" and "e" are not in the hash alphabet
    expect('my-api-v2-5c4b8d7f9-bcdfg'.match(regex)?.[1]).toBe('my-api-v2');
    expect('legacy-0'.match(regex)).toBeNull();
  });
});

describe('renderQuery', () => {
  it('fills every placeholder and leaves the rest of the PromQL alone', () => {
    const rendered = renderQuery('up{ {{selector}}, job="{{ deployment }}" }[{{namespace}}]', { selector: 'namespace="prod"', namespace: 'prod', deployment: 'api' });
    expect(rendered).toBe('up{ namespace="prod", job="api" }[prod]');
  });

  it('selects one namespace exactly and several by an escaped regex', () => {
    expect(namespaceSelector(['prod', 'prod'])).toBe('namespace="prod"');
    expect(namespaceSelector(['staging', 'prod', 'a.b'])).toBe('namespace=~"a\\\\.b|prod|staging"');
  });
});

describe('HTTP helpers', () => {
  it('parses Prometheus sample values including NaN and infinities', () => {
    expect(parseSampleValue('1.5e3')).toBe(1500);
    expect(parseSampleValue('NaN')).toBeNaN();
    expect(parseSampleValue('+Inf')).toBe(Number.POSITIVE_INFINITY);
    expect(parseSampleValue('-Inf')).toBe(Number.NEGATIVE_INFINITY);
  });

  it('joins base URL and path prefix without doubled slashes', () => {
    expect(joinUrl('http://h:9090/', '/prometheus/')).toBe('http://h:9090/prometheus');
    expect(joinUrl('http://h:9090', '')).toBe('http://h:9090');
  });
});

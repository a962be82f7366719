import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPrometheusModel } from '../build/build-prometheus-model.js';
import { collectHistory, foldOfTime, historyEpisodes, historyQueries } from './prometheus-dataset.js';

const start = Date.parse('2025-01-01T00:00:00Z');
const hour = 3_600_000;
/** Incidents every 3 hours at hh:40 for 20 minutes. */
const incidentStarts = Array.from({ length: 40 }, (_, k) => start + k * 3 * hour + 40 * 60_000);

/** A fake Prometheus answering query_range for prod/backend: errors ramp up 10 minutes before each incident. */
function fakePrometheus(calls: string[]) {
  const queries = historyQueries('namespace=~"prod"');
  const featureOf = new Map(Object.entries(queries).map(([name, query]) => [query, name]));
  return async (_url: string | URL | Request, init?: RequestInit) => {
    const body = new URLSearchParams(String(init?.body));
    const name = featureOf.get(body.get('query') ?? '');
    calls.push(name ?? 'unknown');
    const from = Number(body.get('start')) * 1000;
    const to = Number(body.get('end')) * 1000;
    const step = Number(body.get('step')) * 1000;
    const values: Array<[number, string]> = [];
    for (let t = from; t <= to; t += step) {
      const next = incidentStarts.find((s) => s + 20 * 60_000 > t) ?? Number.POSITIVE_INFINITY;
      const inIncident = t >= next;
      const ramp = inIncident ? 1 : Math.max(0, 1 - (next - t) / (10 * 60_000));
      const value: Record<string, number> = {
        restart_count_last_5m: 0, cpu_usage_pct: 20, memory_usage_bytes: 2e8 + 2e8 * ramp, ready_replica_ratio: inIncident ? 0.3 : 1,
        unavailable_replicas: inIncident ? 2 : 0, network_receive_bytes_per_s: 5e4, http_5xx_error_rate: 5 * ramp * ramp,
        // Quiet at night (hours 0-1 of each day): too few requests for a 5xx rate.
        request_volume: new Date(t).getUTCHours() < 1 ? 3 : 600,
      };
      values.push([t / 1000, String(value[name ?? ''] ?? 0)]);
    }
    const result = [{ metric: { namespace: 'prod', deployment: 'backend' }, values }, { metric: { namespace: 'prod', deployment: 'other' }, values }];
    return new Response(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }), { status: 200 });
  };
}

describe('collectHistory', () => {
  it('queries each feature in chunks under the point limit and marks 5xx missing under 5 requests', async () => {
    const calls: string[] = [];
    const history = await collectHistory({ prometheusUrl: 'http://prometheus:9090', targets: ['prod/backend'], start, end: start + 3 * hour, stepMs: 1000, fetch: fakePrometheus(calls) as typeof fetch });
    expect(calls).toHaveLength(8 * 2); // 10,801 points per series: two chunks per query
    const backend = history.get('prod/backend')!;
    expect([...history.keys()]).toEqual(['prod/backend']);
    expect(backend.times).toHaveLength(3 * 3600 + 1);
    expect(backend.features[0]![6]).toBeNaN(); // 00:00, quiet
    expect(backend.features[2 * 3600]![6]).toBe(0); // 02:00, busy, no ramp
    expect(backend.features[2 * 3600]![3]).toBe(1);
  });
});

describe('historyEpisodes', () => {
  it('labels from incidents and cuts episodes at incident ends and fold boundaries', () => {
    const times = Array.from({ length: 121 }, (_, i) => start + i * 60_000);
    const history = new Map([['prod/backend', { times, features: times.map(() => [0, 0, 0, 1, 0, 0, 0]) }]]);
    const incidents = [{ target: 'prod/backend', start: start + 30 * 60_000, end: start + 40 * 60_000 }];
    const episodes = historyEpisodes(history, incidents, { start, end: times.at(-1)!, horizonMs: 5 * 60_000 });
    expect(episodes[0]!.times.at(-1)).toBe(start + 40 * 60_000);
    expect(episodes[0]!.breaches).toEqual([{ start: start + 30 * 60_000, end: start + 40 * 60_000 }]);
    expect(episodes[0]!.labels.filter((l) => l.label === 1)).toHaveLength(5);
    expect(episodes.every((e) => e.times.every((t) => foldOfTime(t, start, times.at(-1)!) === e.fold))).toBe(true);
    expect(episodes.map((e) => e.fold)).toEqual(['train', 'train', 'validation', 'calibration', 'test']);
  });
});

describe('buildPrometheusModel', () => {
  it('trains on history labelled by an incident file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'trainer-prom-'));
    const file = join(directory, 'incidents.json');
    await writeFile(file, JSON.stringify(incidentStarts.map((s) => ({ target: 'prod/backend', start: new Date(s).toISOString(), end: new Date(s + 20 * 60_000).toISOString() }))));
    const built = await buildPrometheusModel(
      { prometheusUrl: 'http://prometheus:9090', targets: ['prod/backend'], incidentsFile: file, start: new Date(start).toISOString(), end: new Date(start + 5 * 24 * hour).toISOString(), stepMs: 60_000, gbdt: { maxRounds: 30 } },
      { fetch: fakePrometheus([]) as typeof fetch },
    );
    expect(built.outcome.evaluation.rocAuc).toBeGreaterThan(0.9);
    expect(built.trainingSummary).toMatchObject({ source: 'prometheus', targets: ['prod/backend'], incidents: 40 });
    expect(built.card).toContain('Prometheus history of 1 Deployment(s)');
  });
});

import { createInMemoryRiskModel, makeDecisionRecord } from '@autoheal/core/testing';
import { ModelError, serverInfoSchema, targetHoldSchema, targetKey, type Pipeline, type RiskModel, type SkippedTarget, type TargetRef } from '@autoheal/core';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DecisionHistory } from '../decision-history.js';
import { createServerMetrics } from '../metrics.js';
import { createHttpServer, type HttpServer, type HttpServerOptions, type ServerInfoSettings } from './create-http-server.js';

const SEED_BODY = {
  restart_count_last_5m: 0,
  cpu_usage_pct: 10,
  memory_usage_bytes: 52428800,
  ready_replica_ratio: 1,
  unavailable_replicas: 0,
  network_receive_bytes_per_s: 86,
  http_5xx_error_rate: 0,
};
const TOKEN = 'test-token-0123456789abcdef';
const backend: TargetRef = { namespace: 'prod', kind: 'Deployment', name: 'backend' };
const INFO: ServerInfoSettings = {
  dryRun: false,
  mode: 'full',
  leaderElection: false,
  policy: { threshold: 0.5, ladder: [{ kind: 'restart' }, { kind: 'cache' }, { kind: 'rollback' }], recheckDelayMs: 120_000, cooldownMs: 120_000, healthyResetMs: 600_000, circuitBreaker: { maxActions: 5, windowMs: 3_600_000 } },
};

let running: HttpServer | undefined;
afterEach(async () => {
  await running?.stop(1000);
  running = undefined;
});

async function start(overrides: Partial<HttpServerOptions> = {}) {
  const riskModel = createInMemoryRiskModel({ name: 'risk', version: '9.9.9' });
  const history = new DecisionHistory(5);
  history.register(backend);
  const evaluated: TargetRef[] = [];
  const pipeline = {
    evaluate: async (target: TargetRef) => {
      evaluated.push(target);
      const record = makeDecisionRecord({ target });
      history.add(record);
      return record;
    },
  } as unknown as Pipeline;
  running = await createHttpServer({
    host: '127.0.0.1',
    port: 0,
    readOnly: false,
    apiToken: TOKEN,
    corsOrigins: ['http://dashboard.example'],
    bodyLimitBytes: 4096,
    threshold: 0.5,
    riskModel,
    pipeline,
    thresholdFor: () => 0.5,
    history,
    metrics: createServerMetrics(riskModel),
    logger: pino({ level: 'silent' }),
    info: INFO,
    version: '0.1.0',
    ...overrides,
  });
  const url = await running.start();
  return { url, history, evaluated };
}

const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('health', () => {
  it('answers /healthz and /readyz with the model named', async () => {
    const { url } = await start();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.stringify(await ready.json())).toContain('risk 9.9.9 loaded');
  });

  it('is not ready, and says which check failed, when a source is unreachable', async () => {
    const { url } = await start({ readinessChecks: [{ name: 'kubernetes', check: async () => Promise.reject(new Error('connection refused')) }] });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: Array<{ name: string; ok: boolean; message?: string }> };
    expect(body.checks.find((c) => c.name === 'kubernetes')).toMatchObject({ ok: false, message: 'connection refused' });
  });
});

describe('POST /predict', () => {
  it("scores the original project's body and explains the result", async () => {
    const { url } = await start();
    const response = await postJson(`${url}/predict`, SEED_BODY);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.verdict).toBe('healthy');
    expect(body.threshold).toBe(0.5);
    expect(body.model_version).toBe('9.9.9');
    expect(typeof body.probability).toBe('number');
    expect(Array.isArray(body.contributions)).toBe(true);
  });

  it('answers at-risk for a failing workload', async () => {
    const { url } = await start();
    const response = await postJson(`${url}/predict`, { ...SEED_BODY, restart_count_last_5m: 6, unavailable_replicas: 2, http_5xx_error_rate: 3 });
    expect(((await response.json()) as { verdict: string }).verdict).toBe('at-risk');
  });

  it('names every wrong field in a 400', async () => {
    const { url } = await start();
    const { restart_count_last_5m: _omitted, ...rest } = SEED_BODY;
    const response = await postJson(`${url}/predict`, { ...rest, ready_replica_ratio: 1.5, surprise: 1 });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; fields: Array<{ path: string }> };
    expect(body.error).toBe('invalid-request');
    const paths = body.fields.map((f) => f.path);
    expect(paths).toContain('restart_count_last_5m');
    expect(paths).toContain('ready_replica_ratio');
    expect(JSON.stringify(body)).toContain('surprise');
  });

  it('rejects malformed JSON and oversized bodies with 4xx, never 500', async () => {
    const { url } = await start();
    const malformed = await postJson(`${url}/predict`, '{"restart_count_last_5m": ');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { message: string }).message).toContain('not valid JSON');
    const huge = await postJson(`${url}/predict`, { ...SEED_BODY, padding: 'x'.repeat(10_000) });
    expect(huge.status).toBe(413);
  });

  it('answers the same through Hapi when the request needs CORS', async () => {
    const { url } = await start();
    const viaFastPath = (await (await postJson(`${url}/predict`, SEED_BODY)).json()) as Record<string, unknown>;
    const response = await postJson(`${url}/predict`, SEED_BODY, { origin: 'http://dashboard.example' });
    expect(response.headers.get('access-control-allow-origin')).toBe('http://dashboard.example');
    expect(await response.json()).toEqual(viaFastPath);
  });

  it('gives each of many concurrent requests its own answer', async () => {
    const inner = createInMemoryRiskModel({ name: 'risk', version: '9.9.9' });
    let modelCalls = 0;
    const riskModel: RiskModel = {
      name: inner.name,
      version: inner.version,
      featureNames: inner.featureNames,
      score: (vector, o) => (modelCalls++, inner.score(vector, o)),
      scoreBatch: (vectors, o) => (modelCalls++, inner.scoreBatch(vectors, o)),
    };
    const { url } = await start({ riskModel });
    const bodies = Array.from({ length: 40 }, (_, i) => ({ ...SEED_BODY, unavailable_replicas: i % 4 }));
    const answers = (await Promise.all(bodies.map(async (body) => (await postJson(`${url}/predict`, body)).json()))) as Array<{ probability: number }>;
    const callsForRequests = modelCalls;
    const alone = await Promise.all(bodies.map((body) => inner.score(body)));
    expect(answers.map((a) => a.probability)).toEqual(alone.map((s) => s.probability));
    // How many requests share a call depends on how they arrive; never more calls than requests.
    expect(callsForRequests).toBeLessThanOrEqual(bodies.length);
  });

  it('scores a batch in order and locates a wrong row', async () => {
    const { url } = await start();
    const ok = await postJson(`${url}/predict/batch`, { instances: [SEED_BODY, { ...SEED_BODY, unavailable_replicas: 3, restart_count_last_5m: 4 }] });
    const results = ((await ok.json()) as { results: Array<{ verdict: string }> }).results;
    expect(results.map((r) => r.verdict)).toEqual(['healthy', 'at-risk']);
    const bad = await postJson(`${url}/predict/batch`, [SEED_BODY, { ...SEED_BODY, cpu_usage_pct: -1 }]);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('instances.1.cpu_usage_pct');
  });
});

describe('targets API', () => {
  it('lists targets and their history', async () => {
    const { url, history } = await start();
    history.add(makeDecisionRecord({ target: backend }));
    const list = (await (await fetch(`${url}/api/targets`)).json()) as { targets: Array<{ key: string; latest: unknown }> };
    expect(list.targets.map((t) => t.key)).toEqual([targetKey(backend)]);
    const one = (await (await fetch(`${url}/api/targets/prod/backend`)).json()) as { history: unknown[] };
    expect(one.history).toHaveLength(1);
    expect((await fetch(`${url}/api/targets/prod/nope`)).status).toBe(404);
  });

  it('says what holds each target (hold: kind, by, until, reason; null when nothing), from its newest record, in the declared wire shape', async () => {
    const { url, history } = await start();
    const frontend: TargetRef = { ...backend, name: 'frontend' };
    const paused = { kind: 'paused' as const, scope: 'target' as const, source: 'annotation autoheal.dev/paused on deployment prod/backend', by: 'alice', until: 1_900_000_000_000, reason: 'db migration' };
    history.add(makeDecisionRecord({ target: backend, decision: 'suppressed', suppressedReason: 'paused', holds: [paused] }));
    history.add(makeDecisionRecord({ target: frontend }));

    const list = (await (await fetch(`${url}/api/targets`)).json()) as { targets: Array<{ key: string; hold: unknown }> };
    const one = (await (await fetch(`${url}/api/targets/prod/backend`)).json()) as { hold: unknown };

    expect(list.targets.map((t) => [t.key, t.hold])).toEqual([
      ['prod/backend', paused],
      ['prod/frontend', null],
    ]);
    expect(targetHoldSchema.parse(one.hold)).toEqual(paused);
  });

  it('lists the discovered Deployments that opted in but are not evaluated, with why and the fix, and counts the ones not opted in', async () => {
    const ledger: TargetRef = { namespace: 'pay', kind: 'Deployment', name: 'ledger' };
    const message = 'annotation autoheal.dev/steps is "restrat": must be restart, cache or rollback';
    const skipped: SkippedTarget[] = [
      { target: ledger, reason: 'invalid-overrides', message, origin: 'discovery' },
      { target: { ...ledger, name: 'cron' }, reason: 'not-opted-in', message: 'no autoheal.dev/enabled annotation', origin: 'discovery' },
      { target: { ...ledger, name: 'batch' }, reason: 'not-opted-in', message: 'no autoheal.dev/enabled annotation', origin: 'discovery' },
    ];
    const { url } = await start({ skippedTargets: () => skipped });
    const list = (await (await fetch(`${url}/api/targets`)).json()) as { skipped: unknown[]; notOptedIn: number };
    expect(list.skipped).toEqual([{ key: 'pay/ledger', target: ledger, reason: 'invalid-overrides', message, origin: 'discovery' }]);
    expect(list.notOptedIn).toBe(2);
  });

  it('lists nothing skipped without discovery', async () => {
    const { url } = await start();
    const list = (await (await fetch(`${url}/api/targets`)).json()) as { skipped: unknown[]; notOptedIn: number };
    expect(list).toMatchObject({ skipped: [], notOptedIn: 0 });
  });

  it('shows and evaluates targets that differ only by cluster, each at its own ?cluster= URL', async () => {
    const { url, history, evaluated } = await start();
    const ledgerEu: TargetRef = { namespace: 'payments', kind: 'Deployment', name: 'ledger', cluster: 'eu-1' };
    const ledgerUs: TargetRef = { ...ledgerEu, cluster: 'us/east 1' };
    history.add(makeDecisionRecord({ target: ledgerEu, summary: 'eu record' }));
    history.add(makeDecisionRecord({ target: ledgerUs, summary: 'us record' }));
    const auth = { authorization: `Bearer ${TOKEN}` };

    const list = (await (await fetch(`${url}/api/targets`)).json()) as { targets: Array<{ key: string; target: TargetRef }> };
    const eu = (await (await fetch(`${url}/api/targets/payments/ledger?cluster=eu-1`)).json()) as { key: string; history: Array<{ summary: string }> };
    const us = (await (await fetch(`${url}/api/targets/payments/ledger?cluster=${encodeURIComponent('us/east 1')}`)).json()) as { key: string; history: Array<{ summary: string }> };
    const checked = await fetch(`${url}/api/targets/payments/ledger/evaluate?cluster=${encodeURIComponent('us/east 1')}`, { method: 'POST', headers: auth });

    expect(list.targets.map((t) => t.key).sort()).toEqual(['eu-1/payments/ledger', 'prod/backend', 'us/east 1/payments/ledger']);
    expect(eu).toMatchObject({ key: 'eu-1/payments/ledger', history: [{ summary: 'eu record' }] });
    expect(us).toMatchObject({ key: 'us/east 1/payments/ledger', history: [{ summary: 'us record' }] });
    expect(checked.status).toBe(200);
    expect(evaluated).toEqual([ledgerUs]);
  });

  it('keeps the plain URL for a target without a cluster, and says which clusters to ask for otherwise', async () => {
    const { url, history, evaluated } = await start();
    history.register({ namespace: 'payments', kind: 'Deployment', name: 'ledger', cluster: 'eu-1' });
    const auth = { authorization: `Bearer ${TOKEN}` };

    const plain = await fetch(`${url}/api/targets/prod/backend`);
    const withoutCluster = await fetch(`${url}/api/targets/payments/ledger`);
    const wrongCluster = await fetch(`${url}/api/targets/prod/backend/evaluate?cluster=eu-1`, { method: 'POST', headers: auth });
    const empty = await fetch(`${url}/api/targets/payments/ledger?cluster=`);

    expect(plain.status).toBe(200);
    expect(withoutCluster.status).toBe(404);
    expect(((await withoutCluster.json()) as { message: string }).message).toBe(
      'target payments/ledger is not watched; payments/ledger is watched in cluster "eu-1" (add ?cluster=eu-1); GET /api/targets lists the watched targets',
    );
    expect(wrongCluster.status).toBe(404);
    expect(((await wrongCluster.json()) as { message: string }).message).toContain('prod/backend is watched without a cluster (leave out ?cluster)');
    expect(evaluated).toHaveLength(0);
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ error: 'invalid-request', fields: [{ path: 'cluster' }] });
  });

  it('needs the bearer token to evaluate now', async () => {
    const { url, evaluated } = await start();
    const path = `${url}/api/targets/prod/backend/evaluate`;
    expect((await fetch(path, { method: 'POST' })).status).toBe(401);
    expect((await fetch(path, { method: 'POST', headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    expect(evaluated).toHaveLength(0);
    const ok = await fetch(path, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(evaluated).toHaveLength(1);
  });

  it('turns mutating routes off in read-only mode', async () => {
    const { url, evaluated } = await start({ readOnly: true });
    const response = await fetch(`${url}/api/targets/prod/backend/evaluate`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(403);
    expect(evaluated).toHaveLength(0);
  });

  it('streams every new decision as a server-sent event', async () => {
    const { url, history } = await start();
    const controller = new AbortController();
    const response = await fetch(`${url}/api/events`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const record = makeDecisionRecord({ target: backend, summary: 'streamed-record' });
    setTimeout(() => history.add(record), 50);
    let text = '';
    while (!text.includes('streamed-record')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toContain('event: decision');
    expect(text).toContain(`id: ${record.id}`);
  });
});

describe('metrics, OpenAPI and CORS', () => {
  it('exposes request counts and decision metrics', async () => {
    const { url, history } = await start();
    await postJson(`${url}/predict`, SEED_BODY);
    history.add(makeDecisionRecord({ target: backend }));
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/autoheal_http_requests_total\{route="\/predict",method="POST",status="200"\} 1/);
    expect(text).toContain('autoheal_prediction_duration_seconds_bucket');
    expect(text).toContain('autoheal_model_info{name="risk",version="9.9.9"} 1');
  });

  it('serves an OpenAPI document generated from the request schemas', async () => {
    const { url } = await start();
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { openapi: string; components: { schemas: Record<string, { required?: string[] }> } };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.schemas.PredictRequest!.required).toEqual(Object.keys(SEED_BODY));
  });

  it('documents the optional cluster query of the per-target routes', async () => {
    const { url } = await start();
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { parameters: Array<{ name: string; in: string; required: boolean; schema: { type: string } }> }>> };
    for (const [path, method] of [['/api/targets/{namespace}/{name}', 'get'], ['/api/targets/{namespace}/{name}/evaluate', 'post']] as const) {
      expect(doc.paths[path]![method]!.parameters.find((p) => p.name === 'cluster')).toMatchObject({ in: 'query', required: false, schema: { type: 'string' } });
    }
  });

  it('allows configured origins only', async () => {
    const { url } = await start();
    const allowed = await fetch(`${url}/api/targets`, { headers: { origin: 'http://dashboard.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://dashboard.example');
    const other = await fetch(`${url}/api/targets`, { headers: { origin: 'http://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('GET /api/info', () => {
  it('answers the ServerInfo wire contract declared in core', async () => {
    const { url } = await start({ readOnly: true });
    const info = serverInfoSchema.parse(await (await fetch(`${url}/api/info`)).json());
    expect(info).toMatchObject({ name: 'autoheal', version: '0.1.0', readOnly: true, mode: 'full', model: { name: 'risk', version: '9.9.9', threshold: 0.5 } });
    expect(info.featureNames).toEqual(Object.keys(SEED_BODY));
    expect(info.features.memory_usage_bytes!.unit).toBe('bytes');
    expect(info.policy.ladder.map((step) => step.kind)).toEqual(['restart', 'cache', 'rollback']);
  });

  it('is described in the OpenAPI document by the same schema', async () => {
    const { url } = await start();
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { components: { schemas: Record<string, { required?: string[] }> } };
    expect(doc.components.schemas.ServerInfo!.required).toContain('policy');
  });
});

describe('error answers', () => {
  it('names the route that does not exist', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/api/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not-found', message: 'no route GET /api/nope; see /openapi.json' });
  });

  it('says how to enable mutations when no token is configured, and asks for the bearer scheme on a wrong one', async () => {
    const unconfigured = await start({ apiToken: undefined });
    const refused = await fetch(`${unconfigured.url}/api/targets/prod/backend/evaluate`, { method: 'POST' });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { message: string }).message).toContain('AUTOHEAL_API_TOKEN');
    await running!.stop(1000);

    const { url } = await start();
    const wrong = await fetch(`${url}/api/targets/prod/backend/evaluate`, { method: 'POST', headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await wrong.json()) as { error: string }).error).toBe('unauthorized');
  });

  it('answers 503 for "check now" without a pipeline or while another replica leads', async () => {
    const withoutPipeline = await start({ pipeline: undefined });
    const auth = { authorization: `Bearer ${TOKEN}` };
    const unavailable = await fetch(`${withoutPipeline.url}/api/targets/prod/backend/evaluate`, { method: 'POST', headers: auth });
    expect(unavailable.status).toBe(503);
    expect(((await unavailable.json()) as { error: string }).error).toBe('unavailable');
    await running!.stop(1000);

    const { url, evaluated } = await start({ canAct: () => false });
    const follower = await fetch(`${url}/api/targets/prod/backend/evaluate`, { method: 'POST', headers: auth });
    expect(follower.status).toBe(503);
    expect(((await follower.json()) as { error: string }).error).toBe('not-leader');
    expect(evaluated).toHaveLength(0);
  });

  it('answers a failing model with the same 500 on the fast path and through Hapi, without the cause', async () => {
    const inner = createInMemoryRiskModel({ name: 'risk', version: '9.9.9' });
    const failure = new ModelError('session.run failed: secret detail', { component: 'onnx', code: 'MODEL_FAILED' });
    const riskModel: RiskModel = { ...inner, score: () => Promise.reject(failure), scoreBatch: () => Promise.reject(failure) };
    const { url } = await start({ riskModel });
    const fast = await postJson(`${url}/predict`, SEED_BODY);
    const viaHapi = await postJson(`${url}/predict`, SEED_BODY, { origin: 'http://dashboard.example' });
    expect(fast.status).toBe(500);
    expect(viaHapi.status).toBe(500);
    const body = await fast.json();
    expect(body).toEqual({ error: 'internal-error', message: 'internal error; see the server log' });
    expect(await viaHapi.json()).toEqual(body);
  });
});

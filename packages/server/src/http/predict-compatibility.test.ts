/**
 * `POST /predict` with two models, as the server runs by default: a v2 model judges (here the small
 * v2 test model, whose answers are hand-checkable) and the shipped models/risk-v1.onnx answers the
 * original project's seven-field body. Real onnxruntime, real HTTP, the fast path and Hapi's route.
 */
import { fileURLToPath } from 'node:url';
import { createOnnxRiskModel, type OnnxRiskModel } from '@autoheal/adapter-onnx';
import { FEATURE_SET_V2_NAMES } from '@autoheal/core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTHY_V2, V2_TEST_MODEL, V2_TEST_THRESHOLD } from '../../test-support/v2-test-model.js';
import { DecisionHistory } from '../decision-history.js';
import { createServerMetrics } from '../metrics.js';
import { createHttpServer, type HttpServer } from './create-http-server.js';

const V1_MODEL = fileURLToPath(new URL('../../../../models/risk-v1.onnx', import.meta.url));

/** The original README's example body, exactly. */
const SEED_README_BODY = { restart_count_last_5m: 0, cpu_usage_pct: 0.65, memory_usage_bytes: 52428800, ready_replica_ratio: 1.0, unavailable_replicas: 0, network_receive_bytes_per_s: 86, http_5xx_error_rate: 0 };
const CRASH_LOOP = { ...SEED_README_BODY, restart_count_last_5m: 6, ready_replica_ratio: 0.25, unavailable_replicas: 3 };
const ALL_DOWN = { ...SEED_README_BODY, ready_replica_ratio: 0, unavailable_replicas: 4 };
const RESTART_STORM = { ...SEED_README_BODY, restart_count_last_5m: 6 };

interface Answer {
  probability: number;
  verdict: string;
  threshold: number;
  model: { name: string; version: string; feature_set: string };
}

let v1: OnnxRiskModel;
let v2: OnnxRiskModel;
let server: HttpServer;
let url: string;

beforeAll(async () => {
  v1 = await createOnnxRiskModel({ modelPath: V1_MODEL });
  v2 = await createOnnxRiskModel({ modelPath: V2_TEST_MODEL });
  server = await createHttpServer({
    host: '127.0.0.1',
    port: 0,
    readOnly: true,
    corsOrigins: ['http://dashboard.example'],
    bodyLimitBytes: 8192,
    threshold: 0.4,
    riskModel: v2,
    compatibilityModel: v1,
    thresholdFor: () => 0.4,
    history: new DecisionHistory(5),
    metrics: createServerMetrics(v2),
    logger: pino({ level: 'silent' }),
    info: { dryRun: false, mode: 'predict-only', leaderElection: false, policy: { threshold: 0.4, ladder: [{ kind: 'restart' }], recheckDelayMs: 120_000, cooldownMs: 120_000, healthyResetMs: 600_000, circuitBreaker: { maxActions: 5, windowMs: 3_600_000 } } },
    version: '0.1.0',
  });
  url = await server.start();
});

afterAll(async () => {
  await server?.stop(1000);
  await v1?.close();
  await v2?.close();
});

const post = async (body: unknown, path = '/predict', headers: Record<string, string> = {}) => {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('POST /predict: which model answers which body', () => {
  it("answers the original README's example body with model v1 at v1's tuned threshold: healthy", async () => {
    const { status, body } = await post(SEED_README_BODY);

    expect(status).toBe(200);
    expect(body).toMatchObject({ verdict: 'healthy', threshold: v1.recommendedThreshold, model_version: v1.version, model: { name: v1.name, version: v1.version, feature_set: 'seed' } });
  });

  it('answers a v2 body with the judging model at the configured threshold', async () => {
    const healthy = (await post(HEALTHY_V2)).body as unknown as Answer;
    const down = (await post({ ...HEALTHY_V2, ready_replica_ratio: 0, restarts_per_pod: 2 })).body as unknown as Answer;

    expect(healthy).toMatchObject({ verdict: 'healthy', threshold: 0.4, model: { name: v2.name, feature_set: 'v2' } });
    expect(down).toMatchObject({ verdict: 'at-risk', model: { feature_set: 'v2' } });
    expect(V2_TEST_THRESHOLD).toBe(0.4);
  });

  it('answers the same through Hapi (CORS) as through the fast path, for both bodies', async () => {
    for (const body of [SEED_README_BODY, HEALTHY_V2]) {
      const fast = await post(body);
      const viaHapi = await post(body, '/predict', { origin: 'http://dashboard.example' });
      expect(viaHapi).toEqual(fast);
    }
  });

  it('refuses a body mixing the fields of both, naming the fields and the model each belongs to', async () => {
    const { status, body } = await post({ ...SEED_README_BODY, http_error_ratio: 0.5 });

    expect(status).toBe(400);
    expect(body.message).toMatch(new RegExp(`mixes the fields of two models: http_error_ratio belong to ${v2.name} .*; restart_count_last_5m, cpu_usage_pct, .* belong to ${v1.name} ${v1.version}`));
    expect((body.fields as Array<{ path: string }>).map((f) => f.path)).toEqual(expect.arrayContaining(['http_error_ratio', 'restart_count_last_5m']));
  });

  it('refuses a v2 body missing fields, naming each one and the body the other model takes', async () => {
    const { restarts_per_pod: _a, memory_limit_ratio: _b, ...partial } = HEALTHY_V2;
    const { status, body } = await post(partial);

    expect(status).toBe(400);
    expect((body.fields as Array<{ path: string }>).map((f) => f.path)).toEqual(['restarts_per_pod', 'memory_limit_ratio']);
    expect(body.message).toMatch(new RegExp(`invalid for ${v2.name} .*feature set v2.*Other bodies accepted: ${v1.name} ${v1.version} \\(feature set seed: restart_count_last_5m`));
  });

  it('refuses a seven-field body missing a field, naming it, for model v1', async () => {
    const { http_5xx_error_rate: _omitted, ...partial } = SEED_README_BODY;
    const { status, body } = await post(partial);

    expect(status).toBe(400);
    expect(body.fields).toEqual([{ path: 'http_5xx_error_rate', message: expect.any(String) }]);
    expect(body.message).toMatch(new RegExp(`invalid for ${v1.name} ${v1.version} \\(feature set seed`));
  });

  it('scores a batch mixing both kinds of body, each vector by its own model, in order', async () => {
    const { status, body } = await post({ instances: [SEED_README_BODY, HEALTHY_V2, ALL_DOWN] }, '/predict/batch');

    expect(status).toBe(200);
    const results = body.results as Answer[];
    expect(results.map((r) => r.model.feature_set)).toEqual(['seed', 'v2', 'seed']);
    expect(results.map((r) => r.verdict)).toEqual(['healthy', 'healthy', 'at-risk']);
  });

  it('documents both bodies in the OpenAPI document', async () => {
    const document = (await (await fetch(`${url}/openapi.json`)).json()) as { components: { schemas: { PredictRequest: { anyOf?: Array<{ required: string[]; description: string }> } } } };
    const bodies = document.components.schemas.PredictRequest.anyOf!;
    expect(bodies.map((b) => b.required.length)).toEqual([FEATURE_SET_V2_NAMES.length, 7]);
    expect(bodies[1]!.description).toMatch(new RegExp(`original project's body, answered by ${v1.name} ${v1.version} \\(feature set seed\\)`));
  });
});

describe('model v1 on clear seven-field cases (what the compatibility model says)', () => {
  it('a crash loop (ready 0.25, 3 unavailable, 6 restarts) is at risk', async () => {
    expect((await post(CRASH_LOOP)).body.verdict).toBe('at-risk');
  });

  it('an all-down workload (ready 0, 4 unavailable) is at risk', async () => {
    expect((await post(ALL_DOWN)).body.verdict).toBe('at-risk');
  });

  // Known limitation, kept visible: v1 gives a restart storm with nothing else wrong the same score
  // as a healthy workload (0.03 against its 0.22). No exact mapping of the seven fields onto v2 helps:
  // restarts per pod needs the replica count the body does not carry. Send v2 fields instead.
  it.fails('a restart storm alone (6 restarts in 5 minutes) is at risk — v1 scores it healthy', async () => {
    expect((await post(RESTART_STORM)).body.verdict).toBe('at-risk');
  });
});

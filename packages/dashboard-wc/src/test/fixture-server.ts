/**
 * A small HTTP server implementing the autoheal server's dashboard API with fixture data: the
 * contract of `GET /api/info`, `/api/targets`, `/api/targets/{ns}/{name}[?cluster=…]`, `POST
 * .../evaluate[?cluster=…]`, `GET /api/events` (SSE) and `POST /predict`, with CORS for one allowed
 * origin. Targets are keyed as the server keys them (`cluster/namespace/name` for a target in a
 * named cluster). Tests drive it (push a record, drop the stream, refuse new streams) and read back
 * the requests it saw.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { targetHoldOf } from '@autoheal/core';
import { keyOf } from '../format.js';
import type { DecisionRecord, PredictResult, ServerInfo, SkippedWorkload, TargetRef } from '../types.js';

export const FEATURE_NAMES = [
  'restart_count_last_5m',
  'cpu_usage_pct',
  'memory_usage_bytes',
  'ready_replica_ratio',
  'unavailable_replicas',
  'network_receive_bytes_per_s',
  'http_5xx_error_rate',
] as const;

const UNITS: Record<string, string> = {
  restart_count_last_5m: 'restarts',
  cpu_usage_pct: 'percent of one core',
  memory_usage_bytes: 'bytes',
  ready_replica_ratio: 'ratio',
  unavailable_replicas: 'replicas',
  network_receive_bytes_per_s: 'bytes per second',
  http_5xx_error_rate: 'responses per second',
};

/** Weights of the fixture's logistic "model": positive pushes risk up. */
const WEIGHTS: Record<string, number> = {
  restart_count_last_5m: 0.55,
  cpu_usage_pct: 0.015,
  memory_usage_bytes: 1 / (1024 * 1024 * 1024),
  ready_replica_ratio: -3,
  unavailable_replicas: 0.6,
  network_receive_bytes_per_s: 1 / (50 * 1024 * 1024),
  http_5xx_error_rate: 0.9,
};
/** The value at which a feature adds nothing (fully ready replicas for the protective ratio). */
const BASELINE: Record<string, number> = { ready_replica_ratio: 1 };
const BIAS = -2.5;
export const MODEL = { name: 'fixture-gbdt', version: '2026.11.1' };
export const THRESHOLD = 0.7;

/** The fixture model: a logistic function of the features, with per-feature contributions. */
export function fixturePredict(features: Record<string, number>): PredictResult {
  const contributions = FEATURE_NAMES.map((feature) => ({
    feature,
    value: features[feature]!,
    contribution: Number((WEIGHTS[feature]! * (features[feature]! - (BASELINE[feature] ?? 0))).toFixed(4)),
  }));
  const score = BIAS + contributions.reduce((sum, c) => sum + c.contribution, 0);
  const probability = Number((1 / (1 + Math.exp(-score))).toFixed(4));
  return {
    probability,
    verdict: probability >= THRESHOLD ? 'at-risk' : 'healthy',
    threshold: THRESHOLD,
    model_version: MODEL.version,
    model: MODEL,
    contributions: [...contributions].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution)),
  };
}

let idCounter = 0;

/** Builds one record for `target` at `time` from its features (null = missing). */
export function makeRecord(
  target: TargetRef,
  time: number,
  features: Record<string, number | null>,
  overrides: Partial<DecisionRecord> = {},
): DecisionRecord {
  const missing = FEATURE_NAMES.filter((name) => features[name] === null || features[name] === undefined).map((feature) => ({
    feature,
    reason: 'no data: the query returned an empty result',
  }));
  const complete = missing.length === 0;
  const prediction = complete ? fixturePredict(features as Record<string, number>) : null;
  idCounter += 1;
  const record: DecisionRecord = {
    id: `${time.toString(36)}-${String(idCounter).padStart(5, '0')}`,
    target,
    time: new Date(time).toISOString(),
    features,
    missing,
    assessment: {
      probability: prediction ? prediction.probability : null,
      threshold: THRESHOLD,
      verdict: prediction ? prediction.verdict : 'unknown',
      model: MODEL,
      ...(prediction ? { contributions: prediction.contributions } : {}),
      missingFeatures: missing.map((m) => m.feature),
      ...(complete ? {} : { reason: `missing feature(s): ${missing.map((m) => m.feature).join(', ')}` }),
    },
    decision: complete ? 'none' : 'suppressed',
    ...(complete ? {} : { suppressedReason: 'unknown' as const }),
    ladder: { attempt: 0, maxAttempts: 3, nextStep: 'restart' },
    circuit: { open: false, actionsInWindow: 1, maxActions: 10 },
    dryRun: false,
    summary: complete
      ? `${target.namespace}/${target.name}: risk ${Math.round(prediction!.probability * 100)}% (${prediction!.verdict})`
      : `${target.namespace}/${target.name}: unknown (missing ${missing.map((m) => m.feature).join(', ')}), no action`,
    durationMs: 12,
    ...overrides,
  };
  return record;
}

export const HEALTHY_FEATURES = {
  restart_count_last_5m: 0,
  cpu_usage_pct: 23.5,
  memory_usage_bytes: 268_435_456,
  ready_replica_ratio: 1,
  unavailable_replicas: 0,
  network_receive_bytes_per_s: 524_288,
  http_5xx_error_rate: 0.02,
};

export const FAILING_FEATURES = {
  restart_count_last_5m: 4,
  cpu_usage_pct: 91.2,
  memory_usage_bytes: 1_879_048_192,
  ready_replica_ratio: 0.5,
  unavailable_replicas: 2,
  network_receive_bytes_per_s: 2_097_152,
  http_5xx_error_rate: 1.4,
};

export const CHECKOUT: TargetRef = { namespace: 'shop', kind: 'Deployment', name: 'checkout' };
export const CART: TargetRef = { namespace: 'shop', kind: 'Deployment', name: 'cart' };
export const LEDGER: TargetRef = { namespace: 'payments', kind: 'Deployment', name: 'ledger', cluster: 'eu-1' };
/** The same namespace and name as {@link LEDGER}, in another cluster. */
export const LEDGER_US: TargetRef = { ...LEDGER, cluster: 'us-1' };

/** Fixture histories (oldest first) for three targets: at risk after a heal, healthy, unknown. */
export function fixtureHistories(now: number): Map<string, DecisionRecord[]> {
  const minute = 60_000;
  const checkout: DecisionRecord[] = [];
  for (let i = 29; i >= 0; i -= 1) {
    const time = now - i * minute;
    // Healthy, a first episode that a restart fixed (heal, then kept), then a rising second episode.
    const stress = i > 22 ? 0 : i > 17 ? (22 - i) / 5 : i > 12 ? 0.1 : ((12 - i) / 12) * 0.4;
    const features = Object.fromEntries(
      FEATURE_NAMES.map((name) => [name, Number((HEALTHY_FEATURES[name] + (FAILING_FEATURES[name] - HEALTHY_FEATURES[name]) * stress).toFixed(name === 'restart_count_last_5m' || name === 'unavailable_replicas' ? 0 : 3))]),
    );
    let overrides: Partial<DecisionRecord> = {};
    if (i === 18) {
      overrides = heal(CHECKOUT, 1, time);
    } else if (i === 14) {
      overrides = { decision: 'kept', ladder: { attempt: 1, maxAttempts: 3, nextStep: 'cache' } };
    } else if (i === 0) {
      overrides = {
        ...heal(CHECKOUT, 1, time),
        ladder: { attempt: 1, maxAttempts: 3, nextStep: 'cache', cooldownUntil: now + 4 * minute, recheckAt: now + minute },
        circuit: { open: false, actionsInWindow: 2, maxActions: 10 },
      };
    }
    checkout.push(makeRecord(CHECKOUT, time, features, overrides));
  }
  const cart: DecisionRecord[] = [];
  for (let i = 9; i >= 0; i -= 1) {
    cart.push(makeRecord(CART, now - i * 3 * minute - 20_000, { ...HEALTHY_FEATURES, cpu_usage_pct: 18 + (i % 4) * 3 }));
  }
  const ledger: DecisionRecord[] = [];
  for (let i = 5; i >= 0; i -= 1) {
    const missing = i < 3;
    ledger.push(makeRecord(LEDGER, now - i * 5 * minute - 40_000, { ...HEALTHY_FEATURES, http_5xx_error_rate: missing ? null : 0.05 }));
  }
  return new Map([
    ['shop/checkout', checkout],
    ['shop/cart', cart],
    [keyOf(LEDGER), ledger],
  ]);
}

function heal(target: TargetRef, attempt: number, time: number): Partial<DecisionRecord> {
  return {
    decision: 'heal',
    ladder: { attempt, maxAttempts: 3, nextStep: 'cache', cooldownUntil: time + 5 * 60_000, recheckAt: time + 60_000 },
    action: {
      step: 'restart',
      plan: {
        step: { kind: 'restart', scaleUp: { by: 1, maxReplicas: 10 } },
        attempt,
        operations: [
          { op: 'restart', description: `rolling restart of ${target.namespace}/${target.name}` },
          { op: 'scale', description: 'scale from 2 to 3 replicas', details: { from: 2, to: 3, ceiling: 10 } },
        ],
      },
      outcome: {
        ok: true,
        dryRun: false,
        message: 'restarted and scaled to 3 replicas',
        results: [
          { op: 'restart', ok: true, message: 'restartedAt annotation set' },
          { op: 'scale', ok: true, message: 'replicas 2 → 3' },
        ],
      },
    },
    summary: `${target.namespace}/${target.name}: at risk; attempt ${attempt}: restart + scale up`,
  };
}

export interface SeenRequest {
  method: string;
  path: string;
  /** The query string, with its `?` (empty when there is none). */
  query: string;
  origin: string | undefined;
  authorization: string | undefined;
  body: string;
}

export interface FixtureServerOptions {
  /** The origin allowed by CORS (the test page's origin). */
  allowedOrigin: string;
  /** The token `POST .../evaluate` accepts. @default 'secret-token' */
  token?: string;
  readOnly?: boolean;
  dryRun?: boolean;
  now?: number;
  /** Also watch `batch/reports`, which has never been evaluated (`latest: null`). */
  neverEvaluated?: boolean;
  /** Also watch {@link LEDGER_US}: two targets that differ only by cluster. */
  clusterTwin?: boolean;
  /** `skipped` of `GET /api/targets` (discovered Deployments not evaluated). @default none (the field absent, as from an older server) */
  skipped?: SkippedWorkload[];
  /** Only for the static-port case: the port to listen on. */
  port?: number;
}

export interface FixtureServer {
  url: string;
  requests: SeenRequest[];
  histories: Map<string, DecisionRecord[]>;
  /** Adds `record` to its target's history and sends it to every open event stream. */
  push(record: DecisionRecord): void;
  /** Adds `record` to the history only (as if sent while a client was disconnected). */
  store(record: DecisionRecord): void;
  /** Destroys the sockets of every open event stream. */
  dropStreams(): void;
  /** While true, new event streams are answered 503. */
  refuseStreams: boolean;
  /** Number of event-stream connections accepted so far. */
  streamsOpened: number;
  close(): Promise<void>;
}

export async function startFixtureServer(options: FixtureServerOptions): Promise<FixtureServer> {
  const token = options.token ?? 'secret-token';
  const now = options.now ?? Date.now();
  const histories = fixtureHistories(now);
  if (options.neverEvaluated) histories.set('batch/reports', []);
  if (options.clusterTwin) histories.set(keyOf(LEDGER_US), [makeRecord(LEDGER_US, now - 90_000, { ...HEALTHY_FEATURES, cpu_usage_pct: 44 })]);
  const streams = new Set<ServerResponse>();
  const sockets = new Set<Socket>();

  const info: ServerInfo = {
    name: 'autoheal',
    version: '0.1.0-fixture',
    readOnly: options.readOnly ?? false,
    dryRun: options.dryRun ?? false,
    mode: 'full',
    leaderElection: false,
    model: { ...MODEL, threshold: THRESHOLD },
    featureNames: [...FEATURE_NAMES],
    features: Object.fromEntries(FEATURE_NAMES.map((name) => [name, { unit: UNITS[name]!, description: `${name} (fixture)` }])),
    policy: {
      threshold: THRESHOLD,
      ladder: [{ kind: 'restart' }, { kind: 'cache' }, { kind: 'rollback' }],
      recheckDelayMs: 60_000,
      cooldownMs: 300_000,
      healthyResetMs: 900_000,
      circuitBreaker: { maxActions: 10, windowMs: 3_600_000 },
    },
  };

  const targetOf = (key: string) => {
    const history = histories.get(key) ?? [];
    const latest = history.at(-1) ?? null;
    // cluster/namespace/name or namespace/name: the last two parts, and any cluster before them.
    const parts = key.split('/');
    const [namespace, name] = parts.slice(-2) as [string, string];
    const cluster = parts.slice(0, -2).join('/');
    const target = latest?.target ?? { namespace, kind: 'Deployment' as const, name, ...(cluster ? { cluster } : {}) };
    // The server's rule, from core (test code only: the bundle never takes core's code).
    return { key, target, threshold: THRESHOLD, latest, hold: targetHoldOf(latest) };
  };

  const fixture: FixtureServer = {
    url: '',
    requests: [],
    histories,
    refuseStreams: false,
    streamsOpened: 0,
    push(record) {
      fixture.store(record);
      const frame = `event: decision\ndata: ${JSON.stringify(record)}\n\n`;
      for (const stream of streams) stream.write(frame);
    },
    store(record) {
      const key = keyOf(record.target);
      histories.set(key, [...(histories.get(key) ?? []), record]);
    },
    dropStreams() {
      for (const stream of streams) stream.socket?.destroy();
      streams.clear();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function send(request: IncomingMessage, response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json', ...cors(request) });
    response.end(JSON.stringify(body));
  }

  function cors(request: IncomingMessage): Record<string, string> {
    // Only the configured origin is allowed, as the real server does: other origins get no header.
    if (request.headers.origin !== options.allowedOrigin) return {};
    return { 'access-control-allow-origin': options.allowedOrigin, vary: 'origin' };
  }

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    fixture.requests.push({
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.search,
      origin: request.headers.origin,
      authorization: request.headers.authorization,
      body,
    });

    if (request.method === 'OPTIONS') {
      response.writeHead(204, {
        ...cors(request),
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'authorization, content-type',
        'access-control-max-age': '600',
      });
      response.end();
      return;
    }

    const evaluate = url.pathname.match(/^\/api\/targets\/([^/]+)\/([^/]+)\/evaluate$/);
    const detail = url.pathname.match(/^\/api\/targets\/([^/]+)\/([^/]+)$/);
    // As the real server: `?cluster=` names a target in a named cluster; an empty one is refused.
    const cluster = url.searchParams.get('cluster');
    const keyFrom = (match: RegExpMatchArray) => keyOf({ namespace: decodeURIComponent(match[1]!), name: decodeURIComponent(match[2]!), cluster: cluster ?? undefined });
    if ((evaluate || detail) && cluster === '') {
      return send(request, response, 400, { error: 'invalid-request', message: 'the query is invalid: cluster: must not be empty', fields: [{ path: 'cluster', message: 'must not be empty' }] });
    }
    if (request.method === 'GET' && url.pathname === '/api/info') return send(request, response, 200, info);
    if (request.method === 'GET' && url.pathname === '/api/targets') {
      return send(request, response, 200, { targets: [...histories.keys()].map(targetOf), ...(options.skipped ? { skipped: options.skipped, notOptedIn: 3 } : {}) });
    }
    if (request.method === 'GET' && detail) {
      const key = keyFrom(detail);
      if (!histories.has(key)) return send(request, response, 404, { error: 'not-found', message: `no target ${key}` });
      return send(request, response, 200, { ...targetOf(key), history: histories.get(key)!.slice(-500) });
    }
    if (request.method === 'POST' && evaluate) {
      if (request.headers.authorization !== `Bearer ${token}`) {
        return send(request, response, 401, { error: 'unauthorized', message: 'a valid bearer token is required' });
      }
      if (info.readOnly) return send(request, response, 403, { error: 'read-only', message: 'the server is read-only' });
      const key = keyFrom(evaluate);
      const latest = histories.get(key)?.at(-1);
      if (!latest) return send(request, response, 404, { error: 'not-found', message: `no target ${key}` });
      const record = makeRecord(latest.target, Date.now(), { ...HEALTHY_FEATURES, cpu_usage_pct: 31 }, { summary: `${key}: on-demand check, healthy` });
      fixture.push(record);
      return send(request, response, 200, record);
    }
    if (request.method === 'POST' && url.pathname === '/predict') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return send(request, response, 400, { error: 'invalid-request', message: 'the body is not JSON', fields: [] });
      }
      const input = (parsed ?? {}) as Record<string, unknown>;
      const fields: Array<{ path: string; message: string }> = [];
      for (const name of FEATURE_NAMES) {
        const value = input[name];
        if (typeof value !== 'number' || !Number.isFinite(value)) fields.push({ path: name, message: 'must be a number' });
        else if (value < 0) fields.push({ path: name, message: `must be >= 0 (${UNITS[name]})` });
        else if (name === 'ready_replica_ratio' && value > 1) fields.push({ path: name, message: 'must be <= 1 (ratio)' });
      }
      if (fields.length > 0) {
        return send(request, response, 400, {
          error: 'invalid-request',
          message: `the request body is invalid: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`,
          fields,
        });
      }
      return send(request, response, 200, fixturePredict(input as Record<string, number>));
    }
    // Reads are open here, as on a server without a viewer token: no ticket is needed for the stream.
    if (request.method === 'POST' && url.pathname === '/api/events/tickets') return send(request, response, 200, { ticket: null, expiresAt: null });
    if (request.method === 'GET' && url.pathname === '/api/events') {
      if (fixture.refuseStreams) return send(request, response, 503, { error: 'unavailable', message: 'try later' });
      fixture.streamsOpened += 1;
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...cors(request) });
      response.write('retry: 1000\n\n: ping\n\n');
      streams.add(response);
      response.on('close', () => streams.delete(response));
      return;
    }
    send(request, response, 404, { error: 'not-found', message: `no route ${request.method} ${url.pathname}` });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  fixture.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fixture;
}

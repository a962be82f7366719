/**
 * Test support (outside src/, never shipped): `createHttpServer` started on a free loopback port with
 * an in-memory model, one watched target and a pipeline whose "check now" records a decision, so a
 * test changes only the options it is about.
 */
import type { Pipeline, TargetRef } from '@autoheal/core';
import { createInMemoryRiskModel, makeDecisionRecord } from '@autoheal/core/testing';
import pino from 'pino';
import { DecisionHistory } from '../src/decision-history.js';
import { createServerMetrics } from '../src/metrics.js';
import { createHttpServer, type HttpServer, type HttpServerOptions, type ServerInfoSettings } from '../src/http/create-http-server.js';

export const TEST_TARGET: TargetRef = { namespace: 'prod', kind: 'Deployment', name: 'backend' };

const INFO: ServerInfoSettings = {
  dryRun: false,
  mode: 'full',
  leaderElection: false,
  policy: { threshold: 0.5, ladder: [{ kind: 'restart' }, { kind: 'cache' }, { kind: 'rollback' }], recheckDelayMs: 120_000, cooldownMs: 120_000, healthyResetMs: 600_000, circuitBreaker: { maxActions: 5, windowMs: 3_600_000 } },
};

/** A started test server. */
export interface TestHttpServer {
  url: string;
  port: number;
  http: HttpServer;
  history: DecisionHistory;
  stop(): Promise<void>;
}

/** Starts a server with `overrides` on top of test defaults (no API token unless given). */
export async function startTestHttpServer(overrides: Partial<HttpServerOptions> = {}): Promise<TestHttpServer> {
  const riskModel = createInMemoryRiskModel({ name: 'risk', version: '9.9.9' });
  const history = new DecisionHistory(5);
  history.register(TEST_TARGET);
  const pipeline = {
    evaluate: async (target: TargetRef) => {
      const record = makeDecisionRecord({ target });
      history.add(record);
      return record;
    },
  } as unknown as Pipeline;
  const http = await createHttpServer({
    host: '127.0.0.1',
    port: 0,
    readOnly: false,
    corsOrigins: [],
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
  const url = await http.start();
  return { url, port: Number(new URL(url).port), http, history, stop: () => http.stop(1000) };
}

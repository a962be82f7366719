/**
 * The targets API: `GET /api/targets` (latest decision per watched target), `GET
 * /api/targets/{namespace}/{name}` (one target's recent history) and `POST .../evaluate` ("check
 * now", a mutation: token and a writable server needed). It reads the server's decision history
 * and triggers the pipeline; every decision is the pipeline's.
 */
import type Hapi from '@hapi/hapi';
import { targetKey, type Pipeline, type TargetRef } from '@autoheal/core';
import type { DecisionHistory } from '../../decision-history.js';
import type { AccessControl } from '../auth.js';
import { ApiError } from '../error-mapping.js';

/** Options of {@link targetsPlugin}. */
export interface TargetsPluginOptions {
  history: DecisionHistory;
  /** The threshold of each target, shown with it. */
  thresholdFor: (target: TargetRef) => number;
  /** Needed for "check now"; without it that route answers 503. */
  pipeline?: Pipeline | undefined;
  /** False while another replica holds the leader Lease: "check now" answers 503. @default always true */
  canAct?: (() => boolean) | undefined;
  access: AccessControl;
}

const keyOf = (request: Hapi.Request) => targetKey({ namespace: String(request.params.namespace), name: String(request.params.name) });

/** The targets routes. */
export const targetsPlugin: Hapi.Plugin<TargetsPluginOptions> = {
  name: 'autoheal-targets',
  register(server, options) {
    const { history, thresholdFor } = options;
    server.route([
      {
        method: 'GET',
        path: '/api/targets',
        handler: () => ({
          targets: history.list().map((entry) => ({ key: entry.key, target: entry.target, threshold: thresholdFor(entry.target), latest: entry.latest })),
        }),
      },
      {
        method: 'GET',
        path: '/api/targets/{namespace}/{name}',
        handler: (request) => {
          const key = keyOf(request);
          const entry = history.get(key);
          if (!entry) throw new ApiError(404, 'not-found', `target ${key} is not watched; GET /api/targets lists the watched targets`);
          return { key, target: entry.target, threshold: thresholdFor(entry.target), latest: entry.latest, history: entry.history };
        },
      },
      {
        method: 'POST',
        path: '/api/targets/{namespace}/{name}/evaluate',
        options: {
          pre: [{ method: options.access.write }],
          // The body is ignored: any (or none) is accepted, so a bare `curl -X POST` works.
          payload: { parse: true, allow: ['application/json', 'text/plain', 'application/x-www-form-urlencoded'], failAction: 'ignore' },
        },
        handler: async (request) => {
          const key = keyOf(request);
          const entry = history.get(key);
          if (!entry) throw new ApiError(404, 'not-found', `target ${key} is not watched; add it to the config's targets`);
          if (!options.pipeline) throw new ApiError(503, 'unavailable', 'this server has no pipeline (no Prometheus or Kubernetes configured)');
          if (options.canAct && !options.canAct()) {
            throw new ApiError(503, 'not-leader', 'another autoheal replica holds the leader Lease and does the healing; ask it, or retry');
          }
          return options.pipeline.evaluate(entry.target);
        },
      },
    ]);
  },
};

/**
 * The targets API: `GET /api/targets` (latest decision and hold per watched target, and the
 * discovered Deployments that opted in but are not evaluated, with why), `GET
 * /api/targets/{namespace}/{name}` (one target's recent history) and `POST .../evaluate` ("check
 * now", a mutation: token and a writable server needed). It reads the server's decision history
 * and triggers the pipeline; every decision is the pipeline's.
 *
 * A target watched in a named cluster is addressed with `?cluster=<name>` on both routes; a target
 * without a cluster keeps its plain URL. The query parameter (rather than a path segment) keeps
 * every existing URL valid and takes any cluster name, slashes included.
 */
import type Hapi from '@hapi/hapi';
import { describeIssues, formatIssues, targetHoldOf, targetKey, type Pipeline, type SkippedTarget, type TargetRef } from '@autoheal/core';
import type { DecisionHistory, TargetHistory } from '../../decision-history.js';
import type { AccessControl } from '../auth.js';
import { ApiError, invalidRequest } from '../error-mapping.js';
import { targetQuerySchema } from '../schemas.js';

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
  /** What discovery left out at its last listing (the target catalog's `skipped`). @default nothing */
  skipped?: (() => readonly SkippedTarget[]) | undefined;
}

/**
 * The `skipped` and `notOptedIn` fields of `GET /api/targets`. Only the Deployments that opted in
 * and are still not evaluated (a bad annotation) are listed: each needs an operator. The ones that
 * never opted in are by design and may be thousands in a big cluster, so they are only counted
 * (`autoheal status` lists them).
 */
function skippedFields(skipped: readonly SkippedTarget[]) {
  return {
    skipped: skipped.filter((entry) => entry.reason !== 'not-opted-in').map((entry) => ({ key: targetKey(entry.target), ...entry })),
    notOptedIn: skipped.filter((entry) => entry.reason === 'not-opted-in').length,
  };
}

/**
 * The watched target the request names, or a 404 that says how to name it: a target that exists
 * only with a cluster is not found without one, and the answer lists the clusters to ask for.
 */
function findTarget(request: Hapi.Request, history: DecisionHistory, hint: string): TargetHistory {
  const query = targetQuerySchema.safeParse(request.query);
  if (!query.success) {
    const fields = describeIssues(query.error);
    throw invalidRequest(fields, `the query is invalid: ${formatIssues(fields)}`);
  }
  const namespace = String(request.params.namespace);
  const name = String(request.params.name);
  const key = targetKey({ namespace, name, cluster: query.data.cluster });
  const entry = history.get(key);
  if (entry) return entry;
  // The same namespace/name elsewhere: say how to ask for it.
  const others = history.list().filter((other) => other.target.namespace === namespace && other.target.name === name);
  const clusters = others.map((other) => other.target.cluster).filter((cluster): cluster is string => cluster !== undefined);
  const places = [
    ...(others.some((other) => other.target.cluster === undefined) ? ['without a cluster (leave out ?cluster)'] : []),
    ...(clusters.length > 0 ? [`in cluster ${clusters.map((cluster) => `"${cluster}"`).join(', ')} (add ?cluster=${encodeURIComponent(clusters[0]!)}${clusters.length > 1 ? ', or another of them' : ''})`] : []),
  ];
  const elsewhere = places.length > 0 ? `; ${namespace}/${name} is watched ${places.join(' and ')}` : '';
  throw new ApiError(404, 'not-found', `target ${key} is not watched${elsewhere}; ${hint}`);
}

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
          // `hold` (core's TargetHold, or null): what held the target at its newest evaluation.
          targets: history.list().map((entry) => ({ key: entry.key, target: entry.target, threshold: thresholdFor(entry.target), latest: entry.latest, hold: targetHoldOf(entry.latest) })),
          ...skippedFields(options.skipped?.() ?? []),
        }),
      },
      {
        method: 'GET',
        path: '/api/targets/{namespace}/{name}',
        handler: (request) => {
          const entry = findTarget(request, history, 'GET /api/targets lists the watched targets');
          return { key: entry.key, target: entry.target, threshold: thresholdFor(entry.target), latest: entry.latest, hold: targetHoldOf(entry.latest), history: entry.history };
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
          const entry = findTarget(request, history, "add it to the config's targets");
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

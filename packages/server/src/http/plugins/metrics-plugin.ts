/** `GET /metrics` (Prometheus exposition) and the count of every answered request by route, method and status. */
import type Hapi from '@hapi/hapi';
import type { ServerMetrics } from '../../metrics.js';
import { routeAccess } from '../auth.js';

/** Options of {@link metricsPlugin}. */
export interface MetricsPluginOptions {
  metrics: ServerMetrics;
}

/** The metrics route and request counter. */
export const metricsPlugin: Hapi.Plugin<MetricsPluginOptions> = {
  name: 'autoheal-metrics',
  register(server, { metrics }) {
    // Counts the requests Hapi answers; the /predict fast path counts its own (fast-predict.ts).
    server.events.on('response', (request) => {
      const status = 'statusCode' in (request.response ?? {}) ? (request.response as { statusCode: number }).statusCode : 0;
      metrics.httpRequests.labels(request.route.path, request.method.toUpperCase(), String(status)).inc();
    });
    server.route({
      method: 'GET',
      path: '/metrics',
      options: { app: routeAccess('metrics') },
      handler: async (_request, h) => h.response(await metrics.registry.metrics()).type(metrics.registry.contentType),
    });
  },
};

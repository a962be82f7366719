/** `GET /healthz` (alive) and `GET /readyz` (model loaded, sources reachable; 503 names the failing check). */
import type Hapi from '@hapi/hapi';
import { errorMessage, type FeatureSource, type RiskModel } from '@autoheal/core';
import { routeAccess } from '../auth.js';

/** A named readiness check; it throws when not ready. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

/** Options of {@link healthPlugin}. */
export interface HealthPluginOptions {
  riskModel: RiskModel;
  /** Pinged by `/readyz` when it has a `ping`. */
  featureSource?: FeatureSource | undefined;
  /** Extra checks (e.g. the Kubernetes API). */
  readinessChecks?: ReadinessCheck[] | undefined;
}

/** One line of the `/readyz` answer. */
interface CheckResult {
  name: string;
  ok: boolean;
  message?: string;
}

/** The health routes. */
export const healthPlugin: Hapi.Plugin<HealthPluginOptions> = {
  name: 'autoheal-health',
  register(server, options) {
    const { riskModel, featureSource } = options;
    server.route([
      // Open: the kubelet's probes carry no token.
      { method: 'GET', path: '/healthz', options: { app: routeAccess('open') }, handler: () => ({ status: 'ok' }) },
      {
        method: 'GET',
        path: '/readyz',
        options: { app: routeAccess('open') },
        handler: async (_request, h) => {
          const checks: CheckResult[] = [{ name: 'model', ok: true, message: `${riskModel.name} ${riskModel.version} loaded` }];
          const pending: ReadinessCheck[] = [...(options.readinessChecks ?? [])];
          if (featureSource?.ping) {
            const ping = featureSource.ping.bind(featureSource);
            pending.unshift({ name: `features:${featureSource.name}`, check: () => ping({ signal: AbortSignal.timeout(3000) }) });
          }
          for (const { name, check } of pending) {
            try {
              await check();
              checks.push({ name, ok: true });
            } catch (error) {
              checks.push({ name, ok: false, message: errorMessage(error) });
            }
          }
          const ready = checks.every((c) => c.ok);
          return h.response({ status: ready ? 'ready' : 'not-ready', checks }).code(ready ? 200 : 503);
        },
      },
    ]);
  },
};

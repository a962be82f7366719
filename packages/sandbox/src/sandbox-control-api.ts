/**
 * The sandbox's own HTTP routes, mounted before the Kubernetes API: `/metrics` (Prometheus text)
 * and the control API under `/sandbox/` that tests, demos and the CLI use to drive the
 * simulation. Bodies are validated with the simulation's zod schemas; a bad body gets a 400 whose
 * message names the field and the fix.
 *
 * - `POST /sandbox/faults` `{namespace, deployment, type, strength?, startAt?, rampMs?, peak?}` → 201
 * - `DELETE /sandbox/faults/{namespace}/{deployment}` → 200
 * - `POST /sandbox/load` `{namespace, deployment, requestsPerSecond}` → 200
 * - `POST /sandbox/advance` `{milliseconds}` → 200 (virtual time only, else 409)
 * - `GET /sandbox/state` → 200, the simulation summary
 */
import type http from 'node:http';
import { z } from 'zod';
import { StatusError } from './base/status-error.js';
import { prometheusTextContentType } from './metrics/prometheus-text.js';
import { SandboxValidationError, faultSpecSchema, loadSpecSchema, parseOrThrow } from './sim/simulation-options.js';
import type { Simulation } from './sim/simulation.js';

/** Body of `POST /sandbox/advance`. */
export const advanceRequestSchema = z.object({
  milliseconds: z.number().int('must be a whole number of milliseconds').min(0).max(7 * 24 * 3_600_000, 'must be at most 7 days'),
});

const maxBodyBytes = 1024 * 1024;

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

async function readJson(request: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buffer.length;
    if (size > maxBodyBytes) throw new SandboxValidationError('request body', [{ path: '', message: 'must be at most 1 MiB of JSON' }]);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new SandboxValidationError('request body', [{ path: '', message: 'must be JSON, e.g. {"namespace":"prod","deployment":"backend","type":"memory-leak"}' }]);
  }
}

/** Options of `createControlRoutes`. */
export interface ControlRoutesOptions {
  simulation: Simulation;
  /** Whether `POST /sandbox/advance` may move time. */
  virtualTime: boolean;
}

/**
 * Creates the `extraRoutes` handler of the API server: returns `true` when it answered.
 */
export function createControlRoutes(options: ControlRoutesOptions): (request: http.IncomingMessage, response: http.ServerResponse) => Promise<boolean> {
  const { simulation } = options;

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const path = url.pathname.replace(/\/+$/, '');
    const method = request.method ?? 'GET';

    if (path === '/metrics') {
      if (method !== 'GET' && method !== 'HEAD') return sendJson(response, 405, { error: 'use GET /metrics' });
      const text = simulation.renderMetrics();
      response.writeHead(200, { 'content-type': prometheusTextContentType, 'content-length': Buffer.byteLength(text) });
      response.end(method === 'HEAD' ? undefined : text);
      return;
    }
    if (path === '/sandbox/state' && method === 'GET') return sendJson(response, 200, simulation.state());
    if (path === '/sandbox/faults' && method === 'POST') {
      const fault = parseOrThrow(faultSpecSchema, await readJson(request), 'fault');
      simulation.injectFault(fault);
      const workload = simulation.state().deployments.find((entry) => entry.namespace === fault.namespace && entry.name === fault.deployment);
      return sendJson(response, 201, { namespace: fault.namespace, deployment: fault.deployment, faults: workload?.faults ?? [] });
    }
    const faultPath = /^\/sandbox\/faults\/([^/]+)\/([^/]+)$/.exec(path);
    if (faultPath && method === 'DELETE') {
      const namespace = decodeURIComponent(faultPath[1] ?? '');
      const deployment = decodeURIComponent(faultPath[2] ?? '');
      simulation.clearFaults({ namespace, deployment });
      return sendJson(response, 200, { namespace, deployment, faults: [] });
    }
    if (path === '/sandbox/load' && method === 'POST') {
      const load = parseOrThrow(loadSpecSchema, await readJson(request), 'load');
      simulation.setLoad(load);
      return sendJson(response, 200, load);
    }
    if (path === '/sandbox/advance' && method === 'POST') {
      if (!options.virtualTime) {
        return sendJson(response, 409, { error: '[autoheal] [sandbox] POST /sandbox/advance needs virtual time: start the sandbox with time: "virtual"' });
      }
      const { milliseconds } = parseOrThrow(advanceRequestSchema, await readJson(request), 'advance request');
      simulation.advance(milliseconds);
      return sendJson(response, 200, { time: new Date(simulation.clock.now()).toISOString() });
    }
    return sendJson(response, 404, {
      error: `[autoheal] [sandbox] no route ${method} ${path}: use POST /sandbox/faults, DELETE /sandbox/faults/{namespace}/{deployment}, POST /sandbox/load, POST /sandbox/advance or GET /sandbox/state`,
    });
  }

  return async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://sandbox').pathname;
    if (path !== '/metrics' && path !== '/metrics/' && !path.startsWith('/sandbox/') && path !== '/sandbox') return false;
    try {
      await handle(request, response);
    } catch (error) {
      if (error instanceof SandboxValidationError) {
        sendJson(response, 400, { error: error.message, issues: error.issues });
      } else if (StatusError.isInstance(error)) {
        sendJson(response, error.status.code, { error: `[autoheal] [sandbox] ${error.message}`, status: error.status });
      } else {
        sendJson(response, 500, { error: `[autoheal] [sandbox] ${error instanceof Error ? error.message : String(error)}` });
      }
    }
    return true;
  };
}

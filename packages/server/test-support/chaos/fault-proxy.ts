/**
 * Test support (outside src/, never shipped): a pass-through HTTP proxy that injects faults into
 * chosen requests — fail once (a 503 before or after the request reaches the upstream), delay,
 * drop the connection, or call a hook (the chaos tests kill the autoheal process there). WebSocket
 * upgrades (pod exec) are piped through untouched. The upstream can be changed while it runs (a
 * Prometheus restarted on another port behind a stable URL).
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** What a rule sees of a request. */
export interface ProxiedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The bearer token up to its first `:` (the sandbox's user), or `''`. */
  user: string;
  /** The body, parsed as JSON when it is JSON (else the text; `undefined` when empty). */
  body: unknown;
}

/** What to do with a matching request. */
export type FaultAction =
  /** Answer 503 without forwarding: the upstream never sees it. */
  | { kind: 'fail' }
  /** Forward it, then answer 503: the upstream applied it, the client thinks it failed. */
  | { kind: 'fail-after' }
  /** Forward it after `ms`. */
  | { kind: 'delay'; ms: number }
  /** Close the client's connection without an answer (and forward nothing). */
  | { kind: 'drop' }
  /** Call `run` before forwarding (`when: 'before'`) or once the upstream answered, before the client gets it (`'after'`). */
  | { kind: 'hook'; when: 'before' | 'after'; run: (request: ProxiedRequest) => void | Promise<void> };

/** A fault: which requests, what to do, how many times. */
export interface FaultRule {
  name: string;
  match: (request: ProxiedRequest) => boolean;
  action: FaultAction;
  /** How many matching requests it applies to. @default 1 */
  times?: number;
}

/** A running proxy. */
export interface FaultProxy {
  url: string;
  /** Adds a rule; returns a handle saying how often it fired. */
  inject(rule: FaultRule): { readonly fired: number; readonly requests: ProxiedRequest[] };
  /** Removes every rule. */
  clear(): void;
  /** Points the proxy at another upstream (`http://host:port`). */
  retarget(upstream: string): void;
  close(): Promise<void>;
}

function userOf(request: http.IncomingMessage): string {
  const match = /^Bearer\s+(.+)$/i.exec(String(request.headers.authorization ?? ''));
  const token = match?.[1]?.trim() ?? '';
  const colon = token.indexOf(':');
  return colon >= 0 ? token.slice(0, colon) : token;
}

function parsedBody(buffer: Buffer): unknown {
  if (buffer.length === 0) return undefined;
  const text = buffer.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const unavailable = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'injected fault: service unavailable', reason: 'ServiceUnavailable', code: 503 });

/**
 * Starts a proxy in front of `upstream`.
 *
 * @example
 * const proxy = await startFaultProxy(sandbox.url);
 * proxy.inject({ name: 'claim fails once', match: (r) => r.method === 'PATCH', action: { kind: 'fail' } });
 */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  let target = new URL(upstream);
  const rules: Array<{ rule: FaultRule; left: number; fired: number; requests: ProxiedRequest[] }> = [];
  const sockets = new Set<net.Socket>();

  function forward(request: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const outgoing = http.request(
        { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: { ...request.headers, host: target.host } },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }));
          answer.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  /** Streams (watches) are piped as they come; everything else is buffered so a rule can act after it. */
  function pipeStreaming(request: http.IncomingMessage, response: http.ServerResponse, body: Buffer): void {
    const outgoing = http.request({ host: target.hostname, port: target.port, method: request.method, path: request.url, headers: { ...request.headers, host: target.host } }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    outgoing.on('error', () => response.destroy());
    response.on('close', () => outgoing.destroy());
    outgoing.end(body);
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const url = new URL(request.url ?? '/', 'http://proxy');
        const seen: ProxiedRequest = { method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, user: userOf(request), body: parsedBody(body) };
        const entry = rules.find((candidate) => candidate.left > 0 && candidate.rule.match(seen));
        if (entry) {
          entry.left -= 1;
          entry.fired += 1;
          entry.requests.push(seen);
        }
        const action = entry?.rule.action;
        try {
          if (!action && (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1')) return pipeStreaming(request, response, body);
          if (action?.kind === 'fail') {
            response.writeHead(503, { 'Content-Type': 'application/json' });
            response.end(unavailable);
            return;
          }
          if (action?.kind === 'drop') {
            request.socket.destroy();
            return;
          }
          if (action?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, action.ms));
          if (action?.kind === 'hook' && action.when === 'before') await action.run(seen);
          const answer = await forward(request, body);
          if (action?.kind === 'hook' && action.when === 'after') await action.run(seen);
          if (action?.kind === 'fail-after') {
            response.writeHead(503, { 'Content-Type': 'application/json' });
            response.end(unavailable);
            return;
          }
          const headers = { ...answer.headers };
          delete headers['transfer-encoding'];
          headers['content-length'] = String(answer.body.length);
          if (!response.destroyed) {
            response.writeHead(answer.status, headers);
            response.end(answer.body);
          }
        } catch {
          if (!response.headersSent && !response.destroyed) {
            response.writeHead(502);
            response.end();
          } else response.destroy();
        }
      })();
    });
  });

  // Pod exec: a WebSocket upgrade, piped both ways as raw TCP.
  server.on('upgrade', (request: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    const upstreamSocket = net.connect(Number(target.port), target.hostname, () => {
      const lines = [`${request.method} ${request.url} HTTP/${request.httpVersion}`];
      for (let index = 0; index < request.rawHeaders.length; index += 2) {
        const name = request.rawHeaders[index]!;
        lines.push(`${name}: ${name.toLowerCase() === 'host' ? target.host : request.rawHeaders[index + 1]}`);
      }
      upstreamSocket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstreamSocket.write(head);
      upstreamSocket.pipe(socket);
      socket.pipe(upstreamSocket);
    });
    const end = () => {
      socket.destroy();
      upstreamSocket.destroy();
    };
    upstreamSocket.on('error', end);
    socket.on('error', end);
    socket.on('close', end);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    inject(rule) {
      const entry = { rule, left: rule.times ?? 1, fired: 0, requests: [] as ProxiedRequest[] };
      rules.push(entry);
      return {
        get fired() {
          return entry.fired;
        },
        get requests() {
          return entry.requests;
        },
      };
    },
    clear() {
      rules.length = 0;
    },
    retarget(next) {
      target = new URL(next);
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

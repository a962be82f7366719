/**
 * A real HTTP server on 127.0.0.1 standing in for Slack's incoming-webhook endpoint: it records
 * every payload in arrival order and answers as the test tells it to.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The secret-looking path the receivers listen on, so tests can check it is redacted. */
export const WEBHOOK_PATH = '/services/T000/B000/sup3rs3cretT0ken';

/** A running receiver. */
export interface WebhookReceiver {
  /** The webhook URL to give the notifier. */
  url: string;
  /** Parsed JSON bodies, in arrival order. */
  payloads: Array<Record<string, unknown>>;
  /** The `text` field of each payload, in arrival order. */
  texts(): string[];
  /** Arrival times (ms), to check back-off. */
  times: number[];
  paths: string[];
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** Answers request number `index` (0-based). */
export type Answer = (index: number, res: ServerResponse) => void;

/** Starts a receiver; by default every request is answered 200 `ok`, as Slack does. */
export async function startWebhookReceiver(answer: Answer = (_index, res) => res.writeHead(200).end('ok')): Promise<WebhookReceiver> {
  const payloads: Array<Record<string, unknown>> = [];
  const times: number[] = [];
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      times.push(Date.now());
      paths.push(req.url ?? '');
      payloads.push(JSON.parse(body) as Record<string, unknown>);
      answer(payloads.length - 1, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${WEBHOOK_PATH}`,
    payloads,
    texts: () => payloads.map((payload) => String(payload.text)),
    times,
    paths,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}

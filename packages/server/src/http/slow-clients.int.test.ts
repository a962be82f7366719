/**
 * Slow and oversized clients against the real server over raw TCP sockets: a client that trickles
 * its headers (slowloris) or its body is answered 408 and disconnected once its time is up, whatever
 * route it aims at (the `/predict` fast path included); an idle kept-alive connection is closed; a
 * body over a route's limit gets a 413 that states that route's limit. Short limits keep the test
 * quick; the assertions are about what the server does, never about how long it took.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHttpServer, type TestHttpServer } from '../../test-support/http-server.js';

let server: TestHttpServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const TIMEOUTS = { headersMs: 500, requestMs: 1000, keepAliveMs: 500 };

/**
 * Opens a raw connection, sends `first`, then one piece of `trickle` every 100 ms, forever, until the
 * server answers and closes. Resolves with everything the server sent and how many pieces it took.
 */
function trickle(port: number, first: string, piece: (index: number) => string): Promise<{ answer: string; pieces: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    let pieces = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      socket.write(first);
      timer = setInterval(() => {
        if (socket.writable) socket.write(piece(pieces++));
      }, 100);
    });
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('error', () => undefined); // a write racing the server's close: the close below says it all
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, pieces });
    });
    setTimeout(() => reject(new Error(`the server never cut the connection off (answer so far: ${answer})`)), 20_000).unref();
  });
}

function bodyOf(answer: string): { error: string; message: string } {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: string; message: string };
}

describe('slow clients', () => {
  it('cuts off a client that never finishes its headers (slowloris) with a 408, while others are served', async () => {
    server = await startTestHttpServer({ timeouts: TIMEOUTS });
    const slow = trickle(server.port, 'GET /healthz HTTP/1.1\r\nHost: autoheal\r\n', (i) => `X-Slow-${i}: 1\r\n`);
    // A normal client on another connection is not held up.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    const { answer, pieces } = await slow;

    expect(pieces).toBeGreaterThan(0);
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(answer).toContain('Connection: close');
    expect(bodyOf(answer)).toEqual({
      error: 'request-timeout',
      message: 'the request did not arrive in time: the headers must arrive within 500 ms and the whole request within 1000 ms (server.timeouts)',
    });
  });

  it('cuts off a client that trickles the body of POST /predict (the fast path)', async () => {
    server = await startTestHttpServer({ timeouts: TIMEOUTS });
    const { answer } = await trickle(server.port, 'POST /predict HTTP/1.1\r\nHost: autoheal\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{', () => ' ');

    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(bodyOf(answer).error).toBe('request-timeout');
  });

  it('cuts off a client that trickles the body of a Hapi route', async () => {
    server = await startTestHttpServer({ timeouts: TIMEOUTS });
    const { answer } = await trickle(server.port, 'POST /predict/batch HTTP/1.1\r\nHost: autoheal\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[', () => ' ');

    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(bodyOf(answer)).toMatchObject({ error: 'request-timeout', message: expect.stringContaining('within 1000 ms') });
  });

  it('closes a connection that sends nothing at all', async () => {
    server = await startTestHttpServer({ timeouts: TIMEOUTS });
    const closed = await new Promise<boolean>((resolve) => {
      const socket = net.connect(server!.port, '127.0.0.1');
      socket.on('data', () => undefined);
      socket.on('close', () => resolve(true));
      setTimeout(() => resolve(false), 20_000).unref();
    });
    expect(closed).toBe(true);
  });

  it('closes an idle kept-alive connection after its request was answered', async () => {
    server = await startTestHttpServer({ timeouts: TIMEOUTS });
    const { answer } = await new Promise<{ answer: string }>((resolve) => {
      const socket = net.connect(server!.port, '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: autoheal\r\n\r\n'));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('close', () => resolve({ answer }));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    // The server kept the connection open for another request, then closed it when it stayed idle.
    expect(answer).toContain('Connection: keep-alive');
  });
});

describe('bodies over the limit', () => {
  it('answers 413 on /predict/batch with its own limit (4 MiB), not the server-wide one', async () => {
    server = await startTestHttpServer({ bodyLimitBytes: 4096 });
    const huge = await fetch(`${server.url}/predict/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `[${' '.repeat(5 * 1024 * 1024)}]` });

    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual({ error: 'payload-too-large', message: 'the request body is larger than 4194304 bytes (4 MiB), the limit of POST /predict/batch' });
  });

  it('answers 413 on /predict with the server-wide limit', async () => {
    server = await startTestHttpServer({ bodyLimitBytes: 4096 });
    const huge = await fetch(`${server.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"padding": "${'x'.repeat(10_000)}"}` });

    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual({ error: 'payload-too-large', message: 'the request body is larger than 4096 bytes (4 KiB), the limit of POST /predict' });
  });
});

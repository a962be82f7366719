/**
 * `GET /api/events`: server-sent events, one `decision` event per DecisionRecord as the pipeline
 * records it. Open streams are ended when the server stops, so stopping never waits on them.
 *
 * `POST /api/events/tickets` trades a read token for a one-time ticket to open the stream with
 * (`?ticket=`), because `EventSource` cannot send an Authorization header (see `read-credentials.ts`).
 * With open reads the answer's ticket is `null`: none is needed.
 */
import { PassThrough } from 'node:stream';
import type Hapi from '@hapi/hapi';
import type { DecisionRecord } from '@autoheal/core';
import type { DecisionHistory } from '../../decision-history.js';
import { routeAccess, type AccessControl } from '../auth.js';

/** Options of {@link eventsPlugin}. */
export interface EventsPluginOptions {
  /** Where the records come from (its `subscribe`). */
  history: DecisionHistory;
  /** Issues the stream's tickets when reads are closed. */
  access: AccessControl;
}

/** A comment line this often keeps proxies from closing an idle stream. */
const PING_INTERVAL_MS = 15_000;

/** The event-stream route. */
export const eventsPlugin: Hapi.Plugin<EventsPluginOptions> = {
  name: 'autoheal-events',
  register(server, { history, access }) {
    const openStreams = new Set<PassThrough>();
    server.ext('onPreStop', () => {
      for (const stream of openStreams) stream.end();
    });

    server.route({
      method: 'POST',
      path: '/api/events/tickets',
      options: { app: routeAccess('read'), payload: { parse: true, allow: ['application/json', 'text/plain'], failAction: 'ignore' } },
      handler: () => (access.credentials ? access.credentials.issueTicket() : { ticket: null, expiresAt: null }),
    });

    server.route({
      method: 'GET',
      path: '/api/events',
      options: { app: routeAccess('read', { tickets: true }) },
      handler: (request, h) => {
        const stream = new PassThrough();
        openStreams.add(stream);
        stream.write('retry: 3000\n\n');
        const send = (record: DecisionRecord) => {
          stream.write(`id: ${record.id}\nevent: decision\ndata: ${JSON.stringify(record)}\n\n`);
        };
        const unsubscribe = history.subscribe(send);
        const ping = setInterval(() => stream.write(': ping\n\n'), PING_INTERVAL_MS);
        const end = () => {
          clearInterval(ping);
          unsubscribe();
          openStreams.delete(stream);
          if (!stream.destroyed) stream.end();
        };
        request.raw.req.once('close', end);
        stream.once('close', end);
        return (
          h
            .response(stream)
            .type('text/event-stream')
            .header('Cache-Control', 'no-cache, no-transform')
            .header('Connection', 'keep-alive')
            .header('X-Accel-Buffering', 'no')
            // An encoded (gzip) stream would be buffered; events must reach the browser at once.
            .header('Content-Encoding', 'identity')
        );
      },
    });
  },
};

/**
 * `GET /api/events`: server-sent events, one `decision` event per DecisionRecord as the pipeline
 * records it. Open streams are ended when the server stops, so stopping never waits on them.
 */
import { PassThrough } from 'node:stream';
import type Hapi from '@hapi/hapi';
import type { DecisionRecord } from '@autoheal/core';
import type { DecisionHistory } from '../../decision-history.js';

/** Options of {@link eventsPlugin}. */
export interface EventsPluginOptions {
  /** Where the records come from (its `subscribe`). */
  history: DecisionHistory;
}

/** A comment line this often keeps proxies from closing an idle stream. */
const PING_INTERVAL_MS = 15_000;

/** The event-stream route. */
export const eventsPlugin: Hapi.Plugin<EventsPluginOptions> = {
  name: 'autoheal-events',
  register(server, { history }) {
    const openStreams = new Set<PassThrough>();
    server.ext('onPreStop', () => {
      for (const stream of openStreams) stream.end();
    });

    server.route({
      method: 'GET',
      path: '/api/events',
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

/**
 * A metrics endpoint whose series are functions of the time since it started, for tests that compare
 * a real Prometheus with the trainer's JS on the same samples: counters with irregular steps and
 * resets, gauges with trends, series that appear later.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One served series: its value at `elapsedSeconds` (`undefined`: not served at that time). */
export interface ScriptedSeries {
  name: string;
  labels: Record<string, string>;
  value: (elapsedSeconds: number) => number | undefined;
}

export interface ScriptedExporter {
  /** `127.0.0.1:<port>`, as a scrape target. */
  address: string;
  /** Epoch ms when the exporter started (elapsed time 0). */
  startedAt: number;
  close(): Promise<void>;
}

const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** Starts the exporter on an ephemeral port of 127.0.0.1. */
export async function startScriptedExporter(series: readonly ScriptedSeries[]): Promise<ScriptedExporter> {
  const startedAt = Date.now();
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const elapsed = (Date.now() - startedAt) / 1000;
    const lines: string[] = [];
    for (const s of series) {
      const value = s.value(elapsed);
      if (value === undefined) continue;
      const labels = Object.entries(s.labels).map(([name, v]) => `${name}=${quote(v)}`).join(',');
      lines.push(`${s.name}{${labels}} ${value}`);
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(`${lines.join('\n')}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    startedAt,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

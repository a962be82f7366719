/**
 * Helpers for integration tests against a real Prometheus (started with the sandbox's
 * `startPrometheus`): free ports, waiting for data, and a proxy that counts requests.
 */
import { createServer, request as httpRequest } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';

/** A free TCP port on 127.0.0.1 (released right before use; fine for tests). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls an instant query until `predicate` holds for its numeric results (or throws after `timeoutMs`). */
export async function waitForQuery(url: string, promql: string, predicate: (values: number[]) => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`).catch(() => undefined);
    if (response?.ok) {
      last = await response.json();
      const result = (last as { data?: { result?: Array<{ value: [number, string] }> } }).data?.result ?? [];
      if (predicate(result.map((item) => Number(item.value[1])))) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${promql}; last answer: ${JSON.stringify(last).slice(0, 300)}`);
}

/** An HTTP proxy that forwards to `targetUrl` and records the path of every request. */
export async function startCountingProxy(targetUrl: string): Promise<{ url: string; paths: string[]; close(): Promise<void> }> {
  const paths: string[] = [];
  const target = new URL(targetUrl);
  const server = createServer((req, res) => {
    paths.push((req.url ?? '').split('?')[0] ?? '');
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upstreamResponse) => {
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * A real Prometheus that scrapes `target` every second and evaluates `rulesYaml` (a rule file) every
 * second: for testing recording rules, which the sandbox's `startPrometheus` does not load.
 */
export async function startPrometheusWithRules(target: string, rulesYaml: string): Promise<{ url: string; close(): Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const directory = await mkdtemp(join(tmpdir(), 'autoheal-prometheus-rules-'));
  await writeFile(join(directory, 'rules.yml'), rulesYaml);
  // JSON is valid YAML.
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: [join(directory, 'rules.yml')],
    scrape_configs: [{ job_name: 'fixture', honor_labels: true, scrape_interval: '1s', scrape_timeout: '1s', static_configs: [{ targets: [target] }] }],
  };
  await writeFile(join(directory, 'prometheus.yml'), JSON.stringify(config));
  const port = await freePort();
  const child = spawn(process.env.PROMETHEUS_BIN ?? 'prometheus', [`--config.file=${join(directory, 'prometheus.yml')}`, `--storage.tsdb.path=${join(directory, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: 'ignore' });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  while (!(await fetch(`${url}/-/ready`).then((response) => response.ok).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`Prometheus did not become ready at ${url}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    close: async () => {
      process.off('exit', kill);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(directory, { recursive: true, force: true });
    },
  };
}

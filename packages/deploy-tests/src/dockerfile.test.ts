/**
 * What can be checked of the Dockerfile without a Docker engine: its structure, the paths it
 * copies, and that its entry command runs from the runtime layout it builds (each workspace's
 * package.json + dist/, models/, node_modules) — assembled here in a temporary folder.
 * Not covered: the image build itself and `npm ci --omit=dev` (the temporary layout links the
 * repository's node_modules, dev dependencies included).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { render, repoRoot } from './render.js';

const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));
const workspaces = ['core', 'adapters/prometheus', 'adapters/onnx', 'adapters/kubernetes', 'adapters/slack', 'sandbox', 'trainer', 'server', 'dashboard-wc'];

describe('Dockerfile', () => {
  it('builds on node:20-bookworm-slim in two stages: npm ci + npm run build, then npm ci --omit=dev', () => {
    expect(instructions.filter((line) => line.startsWith('FROM '))).toEqual(['FROM node:20-bookworm-slim AS build', 'FROM node:20-bookworm-slim']);
    const runs = instructions.filter((line) => line.startsWith('RUN ')).join('\n');
    expect(runs).toMatch(/npm ci --no-audit --no-fund && npm run build/);
    expect(runs).toMatch(/npm ci --omit=dev/);
  });

  it('runs the CLI as the non-root user the manifests expect, serve by default', () => {
    expect(instructions).toContain('ENTRYPOINT ["node", "packages/server/dist/cli.js"]');
    expect(instructions).toContain('CMD ["serve"]');
    const user = instructions.filter((line) => line.startsWith('USER ')).at(-1);
    expect(user).toBe('USER 10001:10001');
    const podSecurity = render('overlays/production').find((object) => object.kind === 'Deployment')!.spec as any;
    expect(podSecurity.template.spec.securityContext.runAsUser).toBe(10001);
  });

  it('copies from the build context only paths that exist and that .dockerignore keeps', () => {
    const ignored = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    const sources = instructions
      .filter((line) => line.startsWith('COPY ') && !line.includes('--from='))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    expect(sources).toEqual(['.', 'models']);
    expect(existsSync(path.join(repoRoot, 'models/risk-v1.onnx'))).toBe(true);
    expect(existsSync(path.join(repoRoot, 'models/risk-v2.onnx'))).toBe(true);
    for (const pattern of ignored) expect(['models', 'package.json', 'package-lock.json', 'packages', 'scripts']).not.toContain(pattern);
  });

  it('ships the model at the path the ConfigMap names', () => {
    expect(instructions).toContain('WORKDIR /app');
    expect(instructions).toContain('COPY models ./models');
    const configMap = render('overlays/production').find((object) => object.kind === 'ConfigMap')! as any;
    expect(configMap.data['autoheal.yaml']).toContain('path: /app/models/risk-v2.onnx');
    expect(configMap.data['autoheal.yaml']).toContain('compatibilityPath: /app/models/risk-v1.onnx');
  });
});

/** The runtime stage's /app, assembled from this checkout. */
function assembleRuntimeLayout(): string {
  const app = mkdtempSync(path.join(tmpdir(), 'autoheal-image-'));
  cpSync(path.join(repoRoot, 'package.json'), path.join(app, 'package.json'));
  cpSync(path.join(repoRoot, 'models'), path.join(app, 'models'), { recursive: true });
  for (const workspace of workspaces) {
    const from = path.join(repoRoot, 'packages', workspace);
    const to = path.join(app, 'packages', workspace);
    mkdirSync(to, { recursive: true });
    cpSync(path.join(from, 'package.json'), path.join(to, 'package.json'));
    cpSync(path.join(from, 'dist'), path.join(to, 'dist'), { recursive: true });
  }
  // Third-party packages: links into the checkout's node_modules. @autoheal/*: links to the
  // copied workspaces (dist only, no src), as npm creates them in the image.
  mkdirSync(path.join(app, 'node_modules/@autoheal'), { recursive: true });
  for (const entry of readdirSync(path.join(repoRoot, 'node_modules'))) {
    if (entry === '@autoheal' || entry === '.bin') continue;
    symlinkSync(path.join(repoRoot, 'node_modules', entry), path.join(app, 'node_modules', entry));
  }
  for (const workspace of workspaces) {
    const { name } = JSON.parse(readFileSync(path.join(app, 'packages', workspace, 'package.json'), 'utf8')) as { name: string };
    symlinkSync(path.join(app, 'packages', workspace), path.join(app, 'node_modules', name));
  }
  return app;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// dist/ exists: global-setup.ts builds it when missing.
describe('the image entry command, from the runtime layout', () => {
  let app: string;
  let server: ChildProcess | undefined;

  beforeAll(() => {
    app = assembleRuntimeLayout();
  });

  afterAll(() => {
    server?.kill('SIGKILL');
    rmSync(app, { recursive: true, force: true });
  });

  it('prints the help of `node packages/server/dist/cli.js --help`', async () => {
    const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, ['packages/server/dist/cli.js', '--help'], { cwd: app, timeout: 60_000 }, (error, stdout) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
      );
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/serve/);
    expect(result.stdout).toMatch(/run/);
  });

  it('serves /healthz, /predict with the shipped model and the dashboard in predict-only mode (the default CMD), and stops on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['packages/server/dist/cli.js', 'serve'], {
      cwd: app,
      env: { PATH: process.env.PATH, HOME: app, AUTOHEAL_HOST: '127.0.0.1', AUTOHEAL_PORT: String(port), AUTOHEAL_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    server = child;
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
    const base = `http://127.0.0.1:${port}`;
    let health: Response | undefined;
    for (let i = 0; i < 120 && !health; i++) {
      health = await fetch(`${base}/healthz`).catch(() => undefined);
      if (!health) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(health?.status, stderr).toBe(200);
    const prediction = await fetch(`${base}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        restart_count_last_5m: 0,
        cpu_usage_pct: 10,
        memory_usage_bytes: 52428800,
        ready_replica_ratio: 1,
        unavailable_replicas: 0,
        network_receive_bytes_per_s: 86,
        http_5xx_error_rate: 0,
      }),
    });
    expect(prediction.status).toBe(200);
    const body = (await prediction.json()) as { probability: number };
    expect(body.probability).toBeGreaterThanOrEqual(0);
    expect(body.probability).toBeLessThanOrEqual(1);
    // The dashboard bundle resolves from the dist-only layout too.
    const dashboard = await fetch(`${base}/`);
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain('risk-dashboard');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    server = undefined;
  });
});

/**
 * The service-proxy connection with the kubeconfig's credentials and TLS settings, against small
 * local servers standing in for the API server: what reaches the server (path, Authorization,
 * client certificate), and the option rules.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { ConfigError } from '@autoheal/core';
import { KubeConfig } from '@kubernetes/client-node';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusFeatureSource } from './prometheus-feature-source.js';

const service = { namespace: 'monitoring', name: 'prometheus-operated', port: 9090 };
const prometheusAnswer = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, '1'] }] } });

interface Seen {
  path: string;
  authorization: string | undefined;
  clientCertificate: string | undefined;
}

/** Answers every request like Prometheus and records what arrived. */
function recordingHandler(seen: Seen[]) {
  return (request: http.IncomingMessage, response: http.ServerResponse) => {
    const socket = request.socket as TLSSocket;
    const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
    seen.push({ path: (request.url ?? '').split('?')[0] ?? '', authorization: request.headers.authorization, clientCertificate: peer?.subject?.CN === undefined ? undefined : String(peer.subject.CN) });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(prometheusAnswer);
  };
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A kubeconfig with one cluster and one user, written as YAML (JSON is valid YAML). */
function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown>, extraContexts: string[] = []): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'main', context: { cluster: 'c', user: 'u' } }, ...extraContexts.map((name) => ({ name, context: { cluster: 'c', user: 'u' } }))],
    'current-context': 'main',
  });
}

describe('credentials from the kubeconfig (plain HTTP API server)', () => {
  const seen: Seen[] = [];
  const server = http.createServer(recordingHandler(seen));
  let url = '';
  let directory = '';

  beforeAll(async () => {
    url = `http://127.0.0.1:${await listen(server)}`;
    directory = mkdtempSync(join(tmpdir(), 'autoheal-proxy-'));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(directory, { recursive: true, force: true });
  });

  async function lastRequestWith(user: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<Seen> {
    const source = createPrometheusFeatureSource({ service, kubeconfigYaml: kubeconfig({ server: `${url}/`, 'insecure-skip-tls-verify': true }, user), retries: 0, ...extra });
    try {
      await source.client.query('up');
    } finally {
      await source.close();
    }
    return seen.at(-1) as Seen;
  }

  it('sends the query to the service proxy path with the bearer token', async () => {
    const request = await lastRequestWith({ token: 'secret-token' });
    expect(request).toMatchObject({ path: '/api/v1/namespaces/monitoring/services/prometheus-operated:9090/proxy/api/v1/query', authorization: 'Bearer secret-token' });
  });

  it('puts an https scheme in the proxy path', async () => {
    const request = await lastRequestWith({ token: 't' }, { service: { ...service, scheme: 'https' } });
    expect(request.path).toBe('/api/v1/namespaces/monitoring/services/https:prometheus-operated:9090/proxy/api/v1/query');
  });

  it('reads a token file (client-node reads the "token-file" key)', async () => {
    const tokenFile = join(directory, 'token');
    writeFileSync(tokenFile, 'token-from-file\n');
    const request = await lastRequestWith({ 'token-file': tokenFile });
    expect(request.authorization).toBe('Bearer token-from-file');
  });

  it('runs an exec credential plugin (as EKS and GKE kubeconfigs do)', async () => {
    const credential = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: 'exec-token' } });
    const request = await lastRequestWith({ exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: process.execPath, args: ['-e', `process.stdout.write(${JSON.stringify(credential)})`] } });
    expect(request.authorization).toBe('Bearer exec-token');
  });

  it('says when the kubeconfig cannot give credentials (a failing exec plugin)', async () => {
    const source = createPrometheusFeatureSource({
      service,
      kubeconfigYaml: kubeconfig({ server: url, 'insecure-skip-tls-verify': true }, { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: process.execPath, args: ['-e', 'process.exit(3)'] } }),
      retries: 0,
    });
    const before = seen.length;
    try {
      await expect(source.collect({ namespace: 'prod', kind: 'Deployment', name: 'backend' })).rejects.toThrow(/cannot get credentials for the Kubernetes API from the kubeconfig \(user "u"\): .* Check the user entry/);
    } finally {
      await source.close();
    }
    // Nothing was sent without credentials.
    expect(seen.length).toBe(before);
  });

  it('sends basic credentials', async () => {
    const request = await lastRequestWith({ username: 'admin', password: 'pa:ss' });
    expect(request.authorization).toBe(`Basic ${Buffer.from('admin:pa:ss').toString('base64')}`);
  });

  it('uses the context it is given', async () => {
    const yaml = kubeconfig({ server: url, 'insecure-skip-tls-verify': true }, { token: 't' }, ['other']).replace('"current-context":"main"', '"current-context":"missing"');
    const source = createPrometheusFeatureSource({ service, kubeconfigYaml: yaml, context: 'other', retries: 0 });
    await expect(source.client.query('up')).resolves.toHaveLength(1);
    await source.close();
    expect(() => createPrometheusFeatureSource({ service, kubeconfigYaml: yaml, context: 'nope' })).toThrow('context "nope" is not in the kubeconfig; it has "main", "other"');
  });

  it('uses a loaded KubeConfig, choosing a context without changing the caller\'s object', async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(kubeconfig({ server: url, 'insecure-skip-tls-verify': true }, { token: 'from-object' }, ['other']));
    const source = createPrometheusFeatureSource({ service, kubeConfig, context: 'other', retries: 0 });
    try {
      await source.client.query('up');
    } finally {
      await source.close();
    }
    expect(seen.at(-1)?.authorization).toBe('Bearer from-object');
    expect(kubeConfig.getCurrentContext()).toBe('main');
  });
});

describe('TLS settings from the kubeconfig (HTTPS API server requiring a client certificate)', () => {
  let directory = '';
  let server: https.Server;
  let url = '';
  const seen: Seen[] = [];
  const file = (name: string) => readFileSync(join(directory, name));
  const base64 = (name: string) => file(name).toString('base64');

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'autoheal-tls-'));
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: directory, stdio: 'ignore' });
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=test-ca');
    writeFileSync(join(directory, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
    for (const [name, subject] of [['server', '/CN=127.0.0.1'], ['client', '/CN=autoheal-client']] as const) {
      openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
      openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', ...(name === 'server' ? ['-extfile', 'server.ext'] : []));
    }
    server = https.createServer({ key: file('server.key'), cert: file('server.crt'), ca: file('ca.crt'), requestCert: true, rejectUnauthorized: true }, recordingHandler(seen));
    url = `https://127.0.0.1:${await listen(server)}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(directory, { recursive: true, force: true });
  });

  async function query(cluster: Record<string, unknown>): Promise<unknown> {
    const source = createPrometheusFeatureSource({ service, kubeconfigYaml: kubeconfig({ server: url, ...cluster }, { 'client-certificate-data': base64('client.crt'), 'client-key-data': base64('client.key') }), retries: 0 });
    try {
      return await source.client.query('up');
    } finally {
      await source.close();
    }
  }

  it('verifies the server with the kubeconfig CA and presents the client certificate', async () => {
    await expect(query({ 'certificate-authority-data': base64('ca.crt') })).resolves.toHaveLength(1);
    expect(seen.at(-1)?.clientCertificate).toBe('autoheal-client');
  });

  it('reads the CA from a file', async () => {
    await expect(query({ 'certificate-authority': join(directory, 'ca.crt') })).resolves.toHaveLength(1);
  });

  it('refuses a server its CA does not vouch for, unless insecure-skip-tls-verify is set', async () => {
    await expect(query({})).rejects.toThrow(/cannot reach Prometheus .*certificate/);
    await expect(query({ 'insecure-skip-tls-verify': true })).resolves.toHaveLength(1);
  });
});

describe('options', () => {
  const yaml = kubeconfig({ server: 'http://127.0.0.1:1' }, { token: 't' });

  it('needs exactly one of url and service, and names both', () => {
    for (const options of [{}, { url: 'http://127.0.0.1:9090', service, kubeconfigYaml: yaml }]) {
      let error: unknown;
      try {
        createPrometheusFeatureSource(options);
      } catch (caught) {
        error = caught;
      }
      expect(ConfigError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain('give exactly one of url (Prometheus reachable directly) and service');
    }
  });

  it('rejects kubeconfig options without service, and auth or a dispatcher with service', () => {
    expect(() => createPrometheusFeatureSource({ url: 'http://127.0.0.1:9090', kubeconfigYaml: yaml })).toThrow('kubeconfigYaml: is only used with service');
    expect(() => createPrometheusFeatureSource({ service, kubeconfigYaml: yaml, auth: { type: 'bearer', token: 'x' } })).toThrow('auth: cannot be used with service');
    expect(() => createPrometheusFeatureSource({ service, kubeconfigYaml: yaml, dispatcher: new Agent() })).toThrow('dispatcher: cannot be used with service');
  });

  it('rejects two kubeconfig sources and a malformed service reference', () => {
    expect(() => createPrometheusFeatureSource({ service, kubeconfigYaml: yaml, inCluster: true })).toThrow('give at most one of kubeconfigPath, kubeconfigYaml, kubeConfig and inCluster (got kubeconfigYaml, inCluster)');
    expect(() => createPrometheusFeatureSource({ service: { ...service, name: 'Bad_Name' }, kubeconfigYaml: yaml })).toThrow('service.name: must be a service name');
  });

  it('says an http:// cluster needs insecure-skip-tls-verify', () => {
    expect(() => createPrometheusFeatureSource({ service, kubeconfigYaml: yaml })).toThrow('has a plain http:// server (http://127.0.0.1:1) without insecure-skip-tls-verify: true');
  });

  it('says which kubeconfig file it cannot load', () => {
    expect(() => createPrometheusFeatureSource({ service, kubeconfigPath: '/nonexistent/kubeconfig' })).toThrow(/^\[autoheal\] \[prometheus\] cannot load kubeconfig file \/nonexistent\/kubeconfig: /);
  });
});

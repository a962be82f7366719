#!/usr/bin/env node
// POST /predict throughput and latency of the autoheal server, side by side in ONE run with a bare
// node:http server that answers a constant JSON body (the ceiling on this machine), and the server's
// memory with the model loaded. Needs a build first: `npm run build` (or `npm run bench`).
//
//   node bench/predict-throughput.mjs [--duration 10] [--connections 32] [--model models/risk-v1.onnx]
//
// Each server runs in its own child process so their CPU use does not mix with the load generator's.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '32' }, model: { type: 'string', default: 'models/risk-v1.onnx' } },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const body = JSON.stringify({
  restart_count_last_5m: 0,
  cpu_usage_pct: 10,
  memory_usage_bytes: 52428800,
  ready_replica_ratio: 1,
  unavailable_replicas: 0,
  network_receive_bytes_per_s: 86,
  http_5xx_error_rate: 0,
});

const BARE_SERVER = `
const http = require('node:http');
const answer = JSON.stringify({ probability: 0.01, verdict: 'healthy', threshold: 0.5, model_version: '1.0.0' });
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(answer); });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log('LISTENING http://127.0.0.1:' + server.address().port));
setInterval(() => {}, 1 << 30);
process.on('message', (m) => { if (m === 'rss') process.send({ rss: process.memoryUsage().rss }); });
`;

function startChild(args, options = {}) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, AUTOHEAL_LOG_LEVEL: 'warn' }, ...options });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk) => {
      output += chunk;
      const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match && /LISTENING|listening/.test(output)) {
        child.stdout.off('data', onData);
        child.stderr.off('data', onData);
        resolve({ child, url: match[1] });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

async function load(url) {
  const result = await autocannon({ url: `${url}/predict`, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration, pipelining: 1 });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
    total: result.requests.total,
  };
}

async function rssOf(pid) {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

const bare = await startChild(['-e', BARE_SERVER]);
const bareResult = await load(bare.url);
bare.child.kill();

const autoheal = await startChild([path.join(root, 'packages/server/dist/cli.js'), 'serve', '--port', '0', '--model', values.model, '--log-level', 'warn'], {
  env: { ...process.env, AUTOHEAL_LOG_LEVEL: 'warn' },
});
const idleRss = await rssOf(autoheal.child.pid);
const autohealResult = await load(autoheal.url);
const loadedRss = await rssOf(autoheal.child.pid);
autoheal.child.kill();
await once(autoheal.child, 'exit');

const ratio = autohealResult.requestsPerSecond / bareResult.requestsPerSecond;
const rows = [
  ['server', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'requests'],
  ['bare node:http (constant JSON)', bareResult.requestsPerSecond, bareResult.p50ms, bareResult.p99ms, bareResult.errors, bareResult.total],
  ['autoheal POST /predict', autohealResult.requestsPerSecond, autohealResult.p50ms, autohealResult.p99ms, autohealResult.errors, autohealResult.total],
];
console.log(`\n${connections} connections, keep-alive, ${duration} s each, autocannon, same run\n`);
for (const row of rows) console.log(row.map((c, i) => String(c).padEnd(i === 0 ? 32 : 10)).join(''));
console.log(`\nautoheal / bare = ${(ratio * 100).toFixed(0)}% (target >= 60%), p99 ${autohealResult.p99ms} ms (target <= 5 ms)`);
console.log(`autoheal server RSS: ${(idleRss / 1048576).toFixed(0)} MB idle with the model loaded, ${(loadedRss / 1048576).toFixed(0)} MB after the load (target < 150 MB)`);

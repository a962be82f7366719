/**
 * Chaos: the world around autoheal fails mid-ladder. Slack hangs (its webhook accepts the connection
 * and never answers) for the whole test, and Prometheus is stopped between two steps and started
 * again. Healing must go on while Slack hangs (notifications are off the evaluation), nothing may be
 * claimed or written while the signals are gone (unknown never heals), and the ladder must carry on
 * from the cluster's state once Prometheus is back. Judged from the sandbox's request log and the
 * Events. See docs/reliability.md.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAutoheal, type AutohealProcess } from '../../test-support/chaos/autoheal-process.js';
import { startChaosCluster, type ChaosCluster } from '../../test-support/chaos/chaos-cluster.js';
import { claims, neverPastCeiling, oneClaimPerAttempt, oneStepEventPerAttempt, stepWrites, writesUnderOwnClaim } from '../../test-support/chaos/invariants.js';
import { waitUntil } from '../../test-support/chaos/wait.js';

const hasPrometheus = spawnSync('sh', ['-c', 'command -v prometheus'], { stdio: 'ignore' }).status === 0;
if (!hasPrometheus) console.warn('[chaos] SKIPPED: the "prometheus" binary is not installed (apt-get install prometheus)');

let cluster: ChaosCluster;
let child: AutohealProcess | undefined;
let slack: Server;
const hanging: IncomingMessage[] = [];

beforeAll(async () => {
  // A Slack that takes every message and never answers.
  slack = createServer((request) => {
    hanging.push(request);
  });
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  cluster = await startChaosCluster({ deployments: 1, prefix: 'outage' });
  await cluster.waitForData();
}, 300_000);

afterAll(async () => {
  await child?.kill();
  slack?.closeAllConnections();
  await new Promise((resolve) => slack?.close(resolve));
  await cluster?.close();
});

describe.skipIf(!hasPrometheus)('chaos: outages around autoheal', { timeout: 400_000 }, () => {
  it('heals on while Slack hangs; takes no step while Prometheus is down; carries the ladder on once it is back', async () => {
    const slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/hooks/chaos`;
    const config = await cluster.configFor('outage', { targets: ['prod/outage-0'], slackWebhookUrl: slackUrl, policy: { recheckDelay: '10s', cooldown: '10s' } });
    child = await startAutoheal('outage', ['watch', '--config', config, '--json']);
    const log = () => cluster.sandbox.requestLog.entries();
    const claimed = (attempt: number) => claims(log()).some((claim) => claim.attempt === attempt);

    await waitUntil(() => claimed(1), 'the claim of attempt 1');
    // Slack has the first message and has not answered it: the ladder must not wait for it.
    await waitUntil(() => hanging.length > 0, 'the first Slack message');

    await cluster.stopPrometheus();
    const downFrom = log().at(-1)?.seq ?? 0;
    // Long enough for the re-check and the cooldown to be due several times over.
    await new Promise((resolve) => setTimeout(resolve, 30_000));
    const downUntil = log().at(-1)?.seq ?? 0;
    await cluster.startPrometheus();

    await waitUntil(() => claimed(2), 'the claim of attempt 2 once Prometheus is back', 240_000);
    await child.stop();

    const entries = log();
    const during = (seq: number) => seq > downFrom && seq <= downUntil;
    // While every signal was gone: unknown, so nothing claimed and nothing written to the workload.
    expect(claims(entries).filter((claim) => during(claim.seq))).toEqual([]);
    expect(stepWrites(entries).filter((write) => during(write.seq))).toEqual([]);
    expect(child.output()).toMatch(/"verdict":"unknown"/);
    // Slack never answered a single message, yet attempt 2 was claimed: a hanging receiver delays only its own queue.
    expect(hanging.length).toBeGreaterThanOrEqual(1);
    expect(oneClaimPerAttempt(entries)).toEqual([]);
    expect(writesUnderOwnClaim(entries)).toEqual([]);
    expect(neverPastCeiling(entries)).toEqual([]);
    expect(oneStepEventPerAttempt(await cluster.events('outage-0'))).toEqual([]);
  });
});

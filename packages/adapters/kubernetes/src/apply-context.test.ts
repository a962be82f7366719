import type { HealStep, TargetRef } from '@autoheal/core';
import { ApiException, type V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createApplyContext, StepFencedError } from './apply-context.js';
import type { DeploymentReads } from './deployment-reads.js';
import type { KubeClients } from './kube-clients.js';

const target: TargetRef = { namespace: 'prod', kind: 'Deployment', name: 'web' };

/** Reads that count Deployment GETs and answer from `answers` in turn (an Error answer rejects). */
function countingReads(answers: (V1Deployment | Error)[]): DeploymentReads & { gets: number } {
  const reads = {
    gets: 0,
    async deployment() {
      const answer = answers[reads.gets++] ?? answers[answers.length - 1];
      if (answer instanceof Error) throw answer;
      return answer as V1Deployment;
    },
    ownedReplicaSets: async () => [],
    stepView: async (_target: TargetRef, _step: HealStep) => ({ deployment: {} }),
  };
  return reads;
}

const clients = {} as KubeClients;
const v = (resourceVersion: string): V1Deployment => ({ metadata: { name: 'web', resourceVersion } });

describe('createApplyContext', () => {
  it('reads the Deployment once, however many operations ask', async () => {
    const reads = countingReads([v('1')]);
    const context = createApplyContext(clients, reads, target, { dryRun: false });

    await Promise.all([context.deployment(), context.deployment()]);
    await context.deployment();

    expect(reads.gets).toBe(1);
  });

  it('answers with the object a write returned instead of reading again', async () => {
    const reads = countingReads([v('1')]);
    const context = createApplyContext(clients, reads, target, { dryRun: false });
    await context.deployment();

    context.updated(v('2'));

    await expect(context.deployment()).resolves.toEqual(v('2'));
    expect(reads.gets).toBe(1);
  });

  it('reads again after a failed read, so a later use (the step\'s Event) can still succeed', async () => {
    const reads = countingReads([new Error('timed out'), v('1')]);
    const context = createApplyContext(clients, reads, target, { dryRun: false });

    await expect(context.deployment()).rejects.toThrow('timed out');
    await expect(context.deployment()).resolves.toEqual(v('1'));
    expect(reads.gets).toBe(2);
  });
});

describe('createApplyContext: fencing and the claim as a precondition', () => {
  const intent = { attempt: 1, step: 'restart' as const, holder: 'replica-a', startedAt: 1, deadline: 2 };
  const claimedBy = (holder: string, resourceVersion: string): V1Deployment => ({
    metadata: { name: 'web', resourceVersion, annotations: { 'healing.attempt': '1', 'autoheal.dev/healing-state': JSON.stringify({ intent: { ...intent, holder } }) } },
  });
  const conflict = () => new ApiException(409, 'Conflict', '{"kind":"Status","reason":"Conflict","code":409}', {});
  const retrying = { conflictRetries: 3 } as KubeClients;

  it('sends the resourceVersion of the object whose claim it checked', async () => {
    const context = createApplyContext(retrying, countingReads([claimedBy('replica-a', '7')]), target, { dryRun: false, intent });
    const sent: Array<string | undefined> = [];

    await context.writeDeployment('restart', async (_current, resourceVersion) => sent.push(resourceVersion));

    expect(sent).toEqual(['7']);
  });

  it('after a 409 reads again and stops when the claim is now another process\'s', async () => {
    const reads = countingReads([claimedBy('replica-a', '7'), claimedBy('replica-b', '9')]);
    const context = createApplyContext(retrying, reads, target, { dryRun: false, intent });
    let writes = 0;

    const writing = context.writeDeployment('restart', async () => {
      writes += 1;
      throw conflict();
    });

    await expect(writing).rejects.toSatisfy((error) => StepFencedError.isFenced(error) && /no longer replica-a's \(it is replica-b's claim on attempt 1\)/.test(error.why));
    expect(writes).toBe(1);
    expect(reads.gets).toBe(2);
  });

  it('after a 409 reads again and retries when the claim is still its own (a status update moved the version)', async () => {
    const context = createApplyContext(retrying, countingReads([claimedBy('replica-a', '7'), claimedBy('replica-a', '8')]), target, { dryRun: false, intent });
    const sent: Array<string | undefined> = [];

    await context.writeDeployment('restart', async (_current, resourceVersion) => {
      sent.push(resourceVersion);
      if (sent.length === 1) throw conflict();
    });

    expect(sent).toEqual(['7', '8']);
  });

  it('asks the fence before every write and sends nothing when it refuses', async () => {
    let refuse = false;
    const context = createApplyContext(retrying, countingReads([v('1')]), target, { dryRun: false, fence: { check: () => (refuse ? 'lost the Lease' : undefined) } });
    let writes = 0;
    await context.writeDeployment('restart', async () => (writes += 1));
    refuse = true;

    await expect(context.writeDeployment('scale', async () => (writes += 1))).rejects.toThrow('scale not sent: lost the Lease');
    expect(writes).toBe(1);
  });

  it('sends no precondition without a claim, and fences nothing in dry-run', async () => {
    const plain = createApplyContext(retrying, countingReads([v('1')]), target, { dryRun: false });
    const dryRun = createApplyContext(retrying, countingReads([claimedBy('replica-b', '1')]), target, { dryRun: true, intent, fence: { check: () => 'never' } });
    const sent: Array<string | undefined> = [];

    await plain.writeDeployment('restart', async (_current, resourceVersion) => sent.push(resourceVersion));
    await dryRun.writeDeployment('restart', async (_current, resourceVersion) => sent.push(resourceVersion));

    expect(sent).toEqual([undefined, undefined]);
  });
});

import type { HealStep, TargetRef } from '@autoheal/core';
import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createApplyContext } from './apply-context.js';
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

/** The core Healer conformance suite, run against the Kubernetes healer and the sandbox. */
import { describeHealerConformance } from '@autoheal/core/testing';
import { afterAll, beforeAll } from 'vitest';
import { createKubernetesHealer } from './kubernetes-healer.js';
import { startTestCluster, type TestCluster } from '../test-support/test-cluster.js';

let cluster: TestCluster;
let counter = 0;

beforeAll(async () => {
  cluster = await startTestCluster([]);
});

afterAll(async () => {
  await cluster?.close();
});

describeHealerConformance('kubernetes', async () => {
  // A fresh Deployment per test: the suite needs a target without ladder state.
  counter += 1;
  const name = `conformance-${counter}`;
  cluster.addWorkload({ namespace: 'prod', name, replicas: 2 });
  const healer = createKubernetesHealer({ kubeconfigPath: cluster.kubeconfigPath });
  return { healer, target: { namespace: 'prod', kind: 'Deployment', name }, cleanup: async () => { await healer.close?.(); } };
});

/**
 * Test support (outside `src/`, so it never ships): `startSandbox` from @autoheal/sandbox in virtual
 * time, with its kubeconfig in a temp dir this helper removes, and quiet traffic so nothing but the
 * tests changes the workloads.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type ObjectStore } from '@autoheal/sandbox';

/** A workload to create: a Deployment (and optional HPA). */
export interface TestWorkload {
  namespace: string;
  name: string;
  replicas: number;
  hpa?: { minReplicas: number; maxReplicas: number; targetCpuUtilization: number };
}

/** A running sandbox for one test file. */
export interface TestCluster {
  url: string;
  kubeconfigPath: string;
  kubeconfigYaml: string;
  store: ObjectStore;
  /** Moves virtual time forward so controllers, pods and the HPA react. */
  advance(ms: number): void;
  /** Creates a workload and lets its pods start and become ready. */
  addWorkload(workload: TestWorkload): void;
  /** Cuts every open watch stream (the sandbox's `dropWatches`); answers how many. */
  dropWatches(mode?: 'reset' | 'end'): number;
  close(): Promise<void>;
}

/** Starts the sandbox with `workloads` (time is virtual: only `advance` moves it). */
export async function startTestCluster(workloads: TestWorkload[], options: { historyLimit?: number } = {}): Promise<TestCluster> {
  const directory = await mkdtemp(join(tmpdir(), 'autoheal-k8s-int-'));
  const kubeconfigPath = join(directory, 'kubeconfig');
  const sandbox = await startSandbox({
    time: 'virtual',
    seed: 11,
    kubeconfigPath,
    deployments: workloads.map((w) => ({ ...w, requestsPerSecond: 1 })),
    ...(options.historyLimit ? { historyLimit: options.historyLimit } : {}),
  });
  // Let the first pods start and become ready.
  sandbox.advance(60_000);
  return {
    url: sandbox.url,
    kubeconfigPath,
    kubeconfigYaml: await readFile(kubeconfigPath, 'utf8'),
    store: sandbox.store,
    advance: (ms: number) => sandbox.advance(ms),
    addWorkload(workload: TestWorkload) {
      sandbox.simulation.addWorkload({ ...workload, requestsPerSecond: 1 });
      sandbox.advance(60_000);
    },
    dropWatches: (mode) => sandbox.dropWatches(mode),
    async close() {
      await sandbox.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

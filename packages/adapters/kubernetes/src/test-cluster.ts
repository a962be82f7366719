/**
 * Test support (not exported): a sandbox cluster on 127.0.0.1 with a kubeconfig in a temp dir,
 * stepped in virtual time. Built from @autoheal/sandbox's simulation and API server.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Temporary: loaded by path until @autoheal/sandbox exports startSandbox.
type KubeObject = { metadata: { name: string; namespace?: string; resourceVersion?: string; annotations?: Record<string, string> }; [key: string]: unknown };
/** The slice of the sandbox's ObjectStore the tests use. */
export interface ObjectStore {
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(resource: string, namespace?: string): { items: KubeObject[]; resourceVersion: string };
  update(resource: string, object: KubeObject): KubeObject;
}
const sandboxSource = new URL('../../../sandbox/src/', import.meta.url);
async function load(path: string): Promise<any> {
  return import(/* @vite-ignore */ new URL(path, sandboxSource).pathname);
}

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
  addWorkload(workload: TestWorkload): void;
  close(): Promise<void>;
}

/** Starts the sandbox with `workloads` and no load-driven surprises (low steady traffic). */
export async function startTestCluster(workloads: TestWorkload[]): Promise<TestCluster> {
  const { createSimulation } = await load('sim/simulation.ts');
  const { createApiServer } = await load('api/api-server.ts');
  const { kubeconfigYaml, writeKubeconfig } = await load('api/kubeconfig.ts');
  const simulation = createSimulation({ seed: 11, deployments: workloads.map((w) => ({ ...w, requestsPerSecond: 1 })) });
  const api = createApiServer({ store: simulation.store, clock: simulation.clock, exec: simulation.execHandler });
  const url = await api.listen(0, '127.0.0.1');
  const directory = await mkdtemp(join(tmpdir(), 'autoheal-k8s-int-'));
  const kubeconfigPath = join(directory, 'kubeconfig');
  await writeKubeconfig(kubeconfigPath, url, { namespace: 'prod' });
  // Let the first pods start and become ready.
  simulation.advance(60_000);
  return {
    url,
    kubeconfigPath,
    kubeconfigYaml: kubeconfigYaml(url, { namespace: 'prod' }),
    store: simulation.store,
    advance: (ms: number) => simulation.advance(ms),
    addWorkload(workload: TestWorkload) {
      simulation.addWorkload({ ...workload, requestsPerSecond: 1 });
      simulation.advance(60_000);
    },
    async close() {
      simulation.close();
      await api.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * The kubelet of the sandbox's one node: it keeps a runtime per pod the ReplicaSet controller
 * creates, moves containers through their lives (start, crash, back-off, readiness), writes pod
 * statuses back to the store when they change (with a `BackOff` Event per restart), answers exec,
 * and tells the HPA what each pod uses. What the containers do with traffic is the workload
 * model's part.
 */
import type { ExecResult } from '../base/exec-handler.js';
import { type Pod, objectKey } from '../base/kube-types.js';
import type { SeededRandom } from '../base/seeded-random.js';
import { badRequest, notFound } from '../base/status-error.js';
import type { ClusterCache } from '../controller/cluster-cache.js';
import type { EventRecorder } from '../controller/event-recorder.js';
import type { PodCpuReader } from '../controller/hpa-controller.js';
import type { ObjectStore } from '../store/types.js';
import { interpretCommand } from './exec-command.js';
import {
  type PodRuntime,
  advanceLifecycle,
  createPodRuntime,
  markStatusWritten,
  podStatusOf,
  statusChanged,
} from './pod-runtime.js';

/** Options of `createKubelet`. */
export interface KubeletOptions {
  store: ObjectStore;
  cache: ClusterCache;
  recorder: EventRecorder;
  /** The node the pods run on. @default 'sandbox-node-1' */
  nodeName?: string;
}

/** An exec the kubelet ran: its result, and whether the command cleared the pod's cache. */
export interface KubeletExec {
  result: ExecResult;
  runtime: PodRuntime;
  clearsCache: boolean;
}

/** The simulated kubelet. */
export interface Kubelet {
  /** The runtime of a pod by namespace and name. */
  runtimeOf(namespace: string | undefined, name: string): PodRuntime | undefined;
  /** Every pod runtime, in creation order. */
  runtimes(): Iterable<PodRuntime>;
  /** Starts a runtime for a pod just created; `random` is its Deployment's generator. */
  admit(pod: Pod, deploymentKey: string, random: SeededRandom): PodRuntime;
  /** Forgets a deleted pod, returning its runtime. */
  forget(namespace: string | undefined, name: string): PodRuntime | undefined;
  /** Moves every container through its life up to `now`. */
  advance(now: number, randomOf: (runtime: PodRuntime) => SeededRandom): void;
  /** Writes the pod statuses that changed since the last write, with a `BackOff` Event per restart. */
  writeStatuses(): void;
  /** Runs a command in a pod's container, refusing as the API server and kubelet do. */
  exec(namespace: string, podName: string, command: string[], container?: string): KubeletExec;
  /** CPU figures of a running pod, for the HPA. */
  cpuOf: PodCpuReader;
}

/** Creates the kubelet. */
export function createKubelet(options: KubeletOptions): Kubelet {
  const { store, cache, recorder } = options;
  const nodeName = options.nodeName ?? 'sandbox-node-1';
  const podRuntimes = new Map<string, PodRuntime>();
  /** Pods admitted so far: each gets the next pod IP. */
  let podCounter = 0;

  function recordBackOff(runtime: PodRuntime, pod: Pod): void {
    recorder.record({
      involvedObject: {
        apiVersion: 'v1',
        kind: 'Pod',
        name: runtime.name,
        namespace: runtime.namespace,
        uid: pod.metadata.uid,
        fieldPath: `spec.containers{${runtime.containerName}}`,
      },
      type: 'Warning',
      reason: 'BackOff',
      message: `Back-off restarting failed container ${runtime.containerName} in pod ${runtime.name}_${runtime.namespace}(${pod.metadata.uid ?? ''})`,
      component: 'kubelet',
      host: nodeName,
      aggregate: true,
    });
  }

  return {
    runtimeOf: (namespace, name) => podRuntimes.get(objectKey(namespace, name)),
    runtimes: () => podRuntimes.values(),
    admit(pod, deploymentKey, random) {
      const runtime = createPodRuntime(pod, deploymentKey, random, podCounter);
      podCounter += 1;
      podRuntimes.set(objectKey(pod.metadata.namespace, pod.metadata.name), runtime);
      return runtime;
    },
    forget(namespace, name) {
      const key = objectKey(namespace, name);
      const runtime = podRuntimes.get(key);
      podRuntimes.delete(key);
      return runtime;
    },
    advance(now, randomOf) {
      for (const runtime of podRuntimes.values()) advanceLifecycle(runtime, now, randomOf(runtime));
    },
    writeStatuses() {
      for (const [key, runtime] of podRuntimes) {
        if (!statusChanged(runtime)) continue;
        const pod = cache.get<Pod>('/pods', runtime.namespace, runtime.name);
        const crashed = runtime.restartCount > runtime.written.restartCount;
        markStatusWritten(runtime);
        if (pod && crashed) recordBackOff(runtime, pod);
        if (!pod) {
          podRuntimes.delete(key);
          continue;
        }
        store.update('/pods', { ...pod, status: podStatusOf(runtime) });
      }
    },
    exec(namespace, podName, command, container) {
      const runtime = podRuntimes.get(objectKey(namespace, podName));
      if (!runtime || !cache.get('/pods', namespace, podName)) throw notFound('pods', '', podName);
      if (container !== undefined && container !== '' && container !== runtime.containerName) {
        throw badRequest(`container ${container} is not valid for pod ${podName}`);
      }
      if (runtime.phase !== 'running') {
        throw badRequest(`unable to upgrade connection: container not found ("${runtime.containerName}")`);
      }
      if (command.length === 0) throw badRequest('you must specify at least one command for the container');
      const interpreted = interpretCommand(command);
      return { result: interpreted.result, runtime, clearsCache: interpreted.clearsCache };
    },
    cpuOf(namespace, podName) {
      const runtime = podRuntimes.get(objectKey(namespace, podName));
      return runtime && runtime.phase === 'running' ? { usageCores: runtime.cpuCores, requestCores: runtime.cpuRequestCores } : undefined;
    },
  };
}

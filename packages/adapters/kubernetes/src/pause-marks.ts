/**
 * The Kubernetes healer's pause marks: core's `PauseSource` over the `autoheal.dev/paused`
 * annotation (`pause-annotation.ts`) of each Deployment (one target) and of autoheal's pause
 * ConfigMap in its own namespace (every target), and the writes `autoheal pause|resume` make.
 *
 * Cheap by construction: a target's mark comes from the GET the evaluation makes anyway (kept for
 * its state read, `shared-deployment-read.ts`), and the ConfigMap is read at most once per
 * `globalPauseCacheMs` for every target (concurrent reads share one request). Writes in this process
 * forget the cached global mark at once; another process's `autoheal pause --all` is seen within
 * `globalPauseCacheMs`.
 *
 * Why a ConfigMap of its own (`autoheal-pause`) rather than autoheal's config or its Lease: it is
 * created on the first `autoheal pause --all`, so a GitOps tool that owns the config never reverts
 * it, RBAC can name it alone, and the elector's frequent Lease writes never race with it.
 */
import type { CallOptions, PauseMark, PauseSource, PauseStatus, TargetRef } from '@autoheal/core';
import { errorMessage } from '@autoheal/core';
import { PatchStrategy, type V1ConfigMap, type V1Deployment } from '@kubernetes/client-node';
import { callApi, isNotFound, type CallDescription } from './api-call.js';
import { deploymentCall, dryRunParam, type KubeClients } from './kube-clients.js';
import { PAUSE_ANNOTATION, pauseAnnotationValue, pauseMarkOf, type PauseRequest } from './pause-annotation.js';
import type { SharedDeploymentRead } from './shared-deployment-read.js';

/** What a pause or resume changed. */
export interface PauseChange {
  /** Where the mark is, in words (`annotation autoheal.dev/paused on deployment prod/web`). */
  where: string;
  /** The mark before (absent: it was not paused). */
  previous?: PauseMark;
  /** The mark after (absent: not paused). */
  current?: PauseMark;
  /** False when nothing had to be written (resuming what was not paused). */
  changed: boolean;
  dryRun: boolean;
}

/** Options of a pause write. */
export interface PauseWriteOptions extends CallOptions {
  /** Validate on the API server (`dryRun=All`) and persist nothing. */
  dryRun?: boolean;
}

/** The pause marks of one healer: core's `PauseSource` plus the operator's reads and writes. */
export interface KubernetesPauses extends PauseSource {
  /** The target's own mark as written (an expired one too), or `undefined`. */
  targetMark(target: TargetRef, options?: CallOptions): Promise<PauseMark | undefined>;
  /** The global mark as written (an expired one too), or `undefined` (no ConfigMap, or no mark on it). */
  globalMark(options?: CallOptions): Promise<PauseMark | undefined>;
  /** Pauses `target` (`request`) or resumes it (`null`): a merge patch of the Deployment's annotation. */
  setTargetPause(target: TargetRef, request: PauseRequest | null, options?: PauseWriteOptions): Promise<PauseChange>;
  /** Pauses every target (`request`) or resumes them (`null`): the pause ConfigMap's annotation (created when missing). */
  setGlobalPause(request: PauseRequest | null, options?: PauseWriteOptions): Promise<PauseChange>;
}

/** Where the global mark lives and how long a read of it is reused. */
export interface PauseMarkSettings {
  namespace: string;
  configMapName: string;
  globalPauseCacheMs: number;
  now?: () => number;
}

/** Creates the pause marks of a healer. */
export function createPauseMarks(clients: KubeClients, shared: SharedDeploymentRead, settings: PauseMarkSettings): KubernetesPauses {
  const now = settings.now ?? Date.now;
  const { namespace, configMapName } = settings;
  const globalWhere = `annotation ${PAUSE_ANNOTATION} on configmap ${namespace}/${configMapName}`;
  const targetWhere = (target: TargetRef) => `annotation ${PAUSE_ANNOTATION} on deployment ${target.namespace}/${target.name}`;
  const configMapCall = (verb: CallDescription['verb']): CallDescription => ({ verb, group: '', resource: 'configmaps', namespace, ...(verb === 'create' ? {} : { name: configMapName }) });
  let cachedGlobal: { at: number; read: Promise<PauseMark | undefined> } | undefined;

  async function getConfigMap(signal?: AbortSignal): Promise<V1ConfigMap | undefined> {
    try {
      return await callApi(configMapCall('get'), signal, () => clients.core.readNamespacedConfigMap({ name: configMapName, namespace }, clients.request(signal)));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async function globalMark(options?: CallOptions): Promise<PauseMark | undefined> {
    return pauseMarkOf((await getConfigMap(options?.signal))?.metadata?.annotations?.[PAUSE_ANNOTATION], 'global', globalWhere);
  }

  /** The global mark, read at most once per `globalPauseCacheMs` (a failed read too, so a broken API is not hammered). */
  function cachedGlobalMark(): Promise<PauseMark | undefined> {
    const at = now();
    if (!cachedGlobal || at - cachedGlobal.at > settings.globalPauseCacheMs) {
      // No caller's signal: the read is shared by every target of the round.
      cachedGlobal = { at, read: globalMark() };
    }
    return cachedGlobal.read;
  }

  const markOfDeployment = (target: TargetRef, deployment: V1Deployment) => pauseMarkOf(deployment.metadata?.annotations?.[PAUSE_ANNOTATION], 'target', targetWhere(target));

  async function pauseOf(target: TargetRef, options?: CallOptions): Promise<PauseStatus> {
    const [own, global] = await Promise.allSettled([shared.readAndKeep(target, options?.signal), cachedGlobalMark()]);
    // An abort ends the evaluation; it is not a reason to hold the target.
    if (options?.signal?.aborted && own.status === 'rejected') throw own.reason;
    const pauses: PauseMark[] = [];
    const problems: string[] = [];
    if (own.status === 'fulfilled') {
      const mark = markOfDeployment(target, own.value);
      if (mark) pauses.push(mark);
    } else problems.push(`deployment ${target.namespace}/${target.name}: ${errorMessage(own.reason)}`);
    if (global.status === 'fulfilled') {
      if (global.value) pauses.push(global.value);
    } else problems.push(`configmap ${namespace}/${configMapName}: ${errorMessage(global.reason)}`);
    return problems.length > 0 ? { pauses, unavailable: problems.join('; ') } : { pauses };
  }

  async function targetMark(target: TargetRef, options?: CallOptions): Promise<PauseMark | undefined> {
    return markOfDeployment(target, await shared.take(target, options?.signal));
  }

  const annotationValue = (request: PauseRequest | null) => (request === null ? null : pauseAnnotationValue(request));
  const markOfRequest = (request: PauseRequest | null, scope: 'target' | 'global', where: string) => (request === null ? undefined : pauseMarkOf(pauseAnnotationValue(request), scope, where));

  async function setTargetPause(target: TargetRef, request: PauseRequest | null, options: PauseWriteOptions = {}): Promise<PauseChange> {
    const { signal, dryRun = false } = options;
    const where = targetWhere(target);
    const previous = await targetMark(target, { ...(signal ? { signal } : {}) });
    const current = markOfRequest(request, 'target', where);
    const base = { where, ...(previous ? { previous } : {}), ...(current ? { current } : {}), dryRun };
    if (request === null && previous === undefined) return { ...base, changed: false };
    const body = { metadata: { annotations: { [PAUSE_ANNOTATION]: annotationValue(request) } } };
    await callApi(deploymentCall(target, 'patch'), signal, () =>
      clients.apps.patchNamespacedDeployment(
        { name: target.name, namespace: target.namespace, body, fieldManager: clients.fieldManager, dryRun: dryRunParam(dryRun) },
        clients.request(signal, PatchStrategy.MergePatch),
      ),
    );
    return { ...base, changed: true };
  }

  async function setGlobalPause(request: PauseRequest | null, options: PauseWriteOptions = {}): Promise<PauseChange> {
    const { signal, dryRun = false } = options;
    const existing = await getConfigMap(signal);
    const previous = pauseMarkOf(existing?.metadata?.annotations?.[PAUSE_ANNOTATION], 'global', globalWhere);
    const current = markOfRequest(request, 'global', globalWhere);
    const base = { where: globalWhere, ...(previous ? { previous } : {}), ...(current ? { current } : {}), dryRun };
    if (request === null && previous === undefined) return { ...base, changed: false };
    const annotations = { [PAUSE_ANNOTATION]: annotationValue(request) };
    if (existing) {
      await callApi(configMapCall('patch'), signal, () =>
        clients.core.patchNamespacedConfigMap(
          { name: configMapName, namespace, body: { metadata: { annotations } }, fieldManager: clients.fieldManager, dryRun: dryRunParam(dryRun) },
          clients.request(signal, PatchStrategy.MergePatch),
        ),
      );
    } else {
      const body: V1ConfigMap = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: configMapName, namespace, labels: { 'app.kubernetes.io/managed-by': 'autoheal', 'app.kubernetes.io/component': 'pause' }, annotations: { [PAUSE_ANNOTATION]: annotationValue(request)! } },
      };
      await callApi(configMapCall('create'), signal, () => clients.core.createNamespacedConfigMap({ namespace, body, fieldManager: clients.fieldManager, dryRun: dryRunParam(dryRun) }, clients.request(signal)));
    }
    if (!dryRun) cachedGlobal = undefined;
    return { ...base, changed: true };
  }

  return { name: `kubernetes pause marks (${PAUSE_ANNOTATION})`, pauseOf, targetMark, globalMark, setTargetPause, setGlobalPause };
}

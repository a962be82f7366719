/**
 * The API clients one healer shares, with the settings every request carries (time limit,
 * `fieldManager`), so the modules that read and write take one object instead of five.
 */
import { AppsV1Api, AutoscalingV2Api, CoreV1Api, type ConfigurationOptions, type KubeConfig, type ObservableMiddleware } from '@kubernetes/client-node';
import type { TargetRef } from '@autoheal/core';
import { requestOptions, type CallDescription } from './api-call.js';

/** The clients and request settings of one healer. */
export interface KubeClients {
  readonly kubeConfig: KubeConfig;
  readonly apps: AppsV1Api;
  readonly core: CoreV1Api;
  readonly autoscaling: AutoscalingV2Api;
  /** Sent with every write. */
  readonly fieldManager: string;
  /** Retries of a read-modify-write after a 409 Conflict. */
  readonly conflictRetries: number;
  /** Options of one request: the configured time limit, the caller's signal, a patch Content-Type. */
  request(signal?: AbortSignal, contentType?: string): ConfigurationOptions<ObservableMiddleware>;
}

/** Creates the clients from a loaded kubeconfig. */
export function createKubeClients(
  kubeConfig: KubeConfig,
  settings: { fieldManager: string; requestTimeoutMs: number; conflictRetries: number },
): KubeClients {
  return {
    kubeConfig,
    apps: kubeConfig.makeApiClient(AppsV1Api),
    core: kubeConfig.makeApiClient(CoreV1Api),
    autoscaling: kubeConfig.makeApiClient(AutoscalingV2Api),
    fieldManager: settings.fieldManager,
    conflictRetries: settings.conflictRetries,
    request: (signal, contentType) => requestOptions(settings.requestTimeoutMs, signal, contentType),
  };
}

/** The call description of a request on the target Deployment (or one of its subresources). */
export function deploymentCall(target: TargetRef, verb: CallDescription['verb'], resource = 'deployments'): CallDescription {
  return { verb, group: 'apps', resource, namespace: target.namespace, name: target.name };
}

/** The `dryRun` query parameter: `All` validates on the server and persists nothing. */
export function dryRunParam(dryRun: boolean): 'All' | undefined {
  return dryRun ? 'All' : undefined;
}

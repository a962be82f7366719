/** Loads a `KubeConfig` from whichever source the options name, with errors that say how to fix it. */
import { ConfigError, errorMessage } from '@autoheal/core';
import { KubeConfig } from '@kubernetes/client-node';

/** Where to load the cluster credentials from (a subset of the healer's options). */
export interface KubeConfigSource {
  kubeconfigPath?: string;
  kubeconfigYaml?: string;
  inCluster?: boolean;
  kubeConfig?: KubeConfig;
  context?: string;
}

/**
 * Builds a `KubeConfig` from a file path, a YAML string, the in-cluster service account, an existing
 * instance, or the default loading rules (`$KUBECONFIG`, `~/.kube/config`, in-cluster), then selects
 * `context` when given.
 *
 * @example
 * const kc = loadKubeConfig({ kubeconfigPath: '/etc/autoheal/kubeconfig', context: 'prod' });
 */
export function loadKubeConfig(source: KubeConfigSource): KubeConfig {
  let kc: KubeConfig;
  let from: string;
  try {
    if (source.kubeConfig) {
      kc = source.kubeConfig;
      from = 'the given KubeConfig';
    } else {
      kc = new KubeConfig();
      if (source.kubeconfigPath) {
        from = `kubeconfig file ${source.kubeconfigPath}`;
        kc.loadFromFile(source.kubeconfigPath);
      } else if (source.kubeconfigYaml) {
        from = 'the kubeconfigYaml option';
        kc.loadFromString(source.kubeconfigYaml);
      } else if (source.inCluster) {
        from = 'the in-cluster service account';
        kc.loadFromCluster();
      } else {
        from = 'the default kubeconfig ($KUBECONFIG or ~/.kube/config, else in-cluster)';
        kc.loadFromDefault();
      }
    }
  } catch (error) {
    throw new ConfigError(
      `could not load a kubeconfig: ${errorMessage(error)}; set kubeconfigPath to a readable kubeconfig file, kubeconfigYaml, or inCluster: true when running in a pod`,
      { component: 'kubernetes', cause: error },
    );
  }
  if (source.context) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(source.context)) {
      throw new ConfigError(
        `context "${source.context}" is not in ${from}; available contexts: ${names.length > 0 ? names.join(', ') : '(none)'}`,
        { component: 'kubernetes' },
      );
    }
    kc.setCurrentContext(source.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) {
    throw new ConfigError(
      `${from} has no current cluster with a server URL; set "current-context" in the kubeconfig or pass the context option`,
      { component: 'kubernetes' },
    );
  }
  return kc;
}

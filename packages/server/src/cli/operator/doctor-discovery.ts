/**
 * `autoheal doctor`'s discovery check: with a `discovery:` section, lists what discovery finds now
 * (the watches' first list), one line for the targets found and those not opted in, and a failing
 * line per Deployment skipped for a bad annotation, with the `kubectl annotate` that fixes it.
 */
import { errorMessage, targetKey, type TargetRef } from '@autoheal/core';
import type { AutohealConfig } from '../../config/config-schema.js';
import { discoveryOptionsFromConfig } from '../../config/adapter-options.js';
import type { DoctorCheck } from './doctor-command.js';

/** Shown at most, by name, per line. */
const NAMED = 10;

const names = (targets: readonly TargetRef[]) => `${targets.slice(0, NAMED).map(targetKey).join(', ')}${targets.length > NAMED ? `, … (${targets.length - NAMED} more)` : ''}`;

/** Reports the discovery check; returns the discovered targets (so the later checks cover them), or [] without discovery or when it failed. */
export async function checkDiscovery(config: AutohealConfig, report: (check: DoctorCheck) => void, syncTimeoutMs = 15_000): Promise<TargetRef[]> {
  const options = discoveryOptionsFromConfig(config);
  if (!options) return [];
  const { createKubernetesTargetDiscovery } = await import('@autoheal/adapter-kubernetes');
  let discovery;
  try {
    discovery = createKubernetesTargetDiscovery({ ...options, recordEvents: false, syncTimeoutMs, reconnectDelayMs: 1_000 });
  } catch (error) {
    report({ area: 'discovery', ok: false, message: errorMessage(error), fix: 'correct discovery: or kubernetes: in the config' });
    return [];
  }
  try {
    const listing = await discovery.targets();
    const health = discovery.health();
    const found = listing.targets.map((entry) => entry.target);
    const notOptedIn = listing.skipped.filter((entry) => entry.reason === 'not-opted-in').map((entry) => entry.target);
    report({
      area: 'discovery',
      ok: true,
      message:
        `${health.namespaces.selected} namespace(s) with ${health.namespaceSelector}, ${health.deployments.seen} Deployment(s) watched: ` +
        `${found.length} opted in${found.length > 0 ? ` (${names(found)})` : ''}; ${notOptedIn.length} not opted in${notOptedIn.length > 0 ? ` (${names(notOptedIn)}: annotate ${health.annotation}="true" to opt in)` : ''}`,
    });
    for (const skipped of listing.skipped.filter((entry) => entry.reason === 'invalid-overrides')) {
      report({
        area: 'discovery',
        ok: false,
        message: `${targetKey(skipped.target)} is skipped (not evaluated): ${skipped.message}`,
        fix: `correct the annotation (kubectl -n ${skipped.target.namespace} annotate deployment ${skipped.target.name} --overwrite KEY=VALUE), or remove ${health.annotation} to opt it out`,
      });
    }
    return found;
  } catch (error) {
    report({
      area: 'discovery',
      ok: false,
      message: errorMessage(error),
      fix: 'autoheal needs list and watch on namespaces and on apps deployments cluster-wide (the ClusterRole autoheal-discovery in manifests/base) and a reachable API server (kubernetes: in the config)',
    });
    return [];
  } finally {
    await discovery.close();
  }
}

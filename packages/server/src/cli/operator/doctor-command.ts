/**
 * `autoheal doctor [--no-post]`: a preflight that checks what autoheal needs and says how to fix each
 * problem, one line per check (✔/✘), exit 0 only when every check passes. It replaces the original
 * project's troubleshooting list: bad model path, Prometheus "no targets", `pods/exec` forbidden,
 * Slack 404, and the `kubectl auth can-i` checks.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { OnnxRiskModel } from '@autoheal/adapter-onnx';
import { errorMessage, featureSetNames, featureSetNamesFor, targetKey, type FeatureSource, type HealStep, type RiskModel, type TargetRef } from '@autoheal/core';
import type { AccessQuestion, KubernetesHealer } from '@autoheal/adapter-kubernetes';
import type { AutohealConfig } from '../../config/config-schema.js';
import { EVENTS_PER_DEPLOYMENT } from '../../circuit-history.js';
import { createFeatureSourceFromConfig, createHealerFromConfig, loadRiskModel } from '../../compose.js';
import { COMMON_FLAGS, COMMON_FLAGS_HELP, configFromFlags } from '../common-flags.js';
import type { CliIo } from '../io.js';
import { checkDiscovery } from './doctor-discovery.js';
import type { OperatorDeps } from './operator-context.js';
import { parseOrExit, parseTargets, strictParse } from './operator-flags.js';

const HELP = `Usage: autoheal doctor [TARGET...] [--no-post] [--json]

Checks, one line each, and says how to fix what fails:
  1. the config file validates; with discovery:, what it finds (opted in, not opted in, and each
     Deployment skipped for a bad annotation), and the later checks cover the discovered targets
  2. the model loads and declares the features the config expects
  3. Prometheus answers, and every feature query returns data for every target
  4. the Kubernetes permissions each enabled ladder step needs (SelfSubjectAccessReview, as
     kubectl auth can-i), with the RBAC rule to add and the kubectl auth can-i line
  5. the Slack webhook answers: posts a short test message, or with --no-post sends an empty
     message that Slack rejects with 400 no_text when the webhook exists (nothing is posted)

Exit code 0 only when every check passes; 1 otherwise.

Options:
      --no-post                  check the Slack webhook without posting a message

${COMMON_FLAGS_HELP}`;

/** The result of one check. */
export interface DoctorCheck {
  /** `config`, `discovery`, `model`, `prometheus`, `rbac`, `slack`. */
  area: string;
  ok: boolean;
  /** What was found, in one line. */
  message: string;
  /** How to fix it (may span lines: an RBAC rule). */
  fix?: string;
}

/** The doctor command. */
export async function doctorCommand(argv: string[], io: CliIo, deps: OperatorDeps = {}): Promise<number> {
  const { values, positionals } = parseOrExit(() => parseArgs({ args: argv, options: { ...COMMON_FLAGS, 'no-post': { type: 'boolean' } }, ...strictParse }));
  if (values.help) return (io.stdout(`${HELP}\n`), 0);
  const checks: DoctorCheck[] = [];
  const report = (check: DoctorCheck) => {
    checks.push(check);
    if (!values.json) io.stdout(formatCheck(check));
  };

  let config: AutohealConfig;
  try {
    config = await configFromFlags(values, parseTargets(positionals).map(targetKey), io);
    report({ area: 'config', ok: true, message: `${values.config ?? 'no file (defaults, AUTOHEAL_* variables and flags)'} is valid: ${config.targets.length} target(s), ladder ${ladderOf(config).map((s) => s.kind).join(' → ')}` });
  } catch (error) {
    report({ area: 'config', ok: false, message: errorMessage(error), fix: 'correct the field named above (autoheal config validate FILE checks a file alone)' });
    return finish(io, checks, values.json === true);
  }

  // Discovered targets are checked below like the configured ones.
  const discovered = await checkDiscovery(config, report);
  if (discovered.length > 0) config = { ...config, targets: [...config.targets, ...discovered.filter((target) => !config.targets.some((known) => targetKey(known) === targetKey(target)))] };
  const modelFeatures = await checkModel(config, deps, report);
  await checkPrometheus(config, deps, report, modelFeatures ?? config.model.featureNames ?? featureSetNames('v2'));
  await checkKubernetes(config, report);
  await checkSlack(config, deps, values['no-post'] === true, report);
  return finish(io, checks, values.json === true);
}

function finish(io: CliIo, checks: DoctorCheck[], json: boolean): number {
  const failed = checks.filter((c) => !c.ok).length;
  if (json) io.stdout(`${JSON.stringify({ ok: failed === 0, checks }, null, 2)}\n`);
  else io.stdout(failed === 0 ? `\nAll ${checks.length} checks passed.\n` : `\n${failed} of ${checks.length} checks failed.\n`);
  return failed === 0 ? 0 : 1;
}

function formatCheck(check: DoctorCheck): string {
  const head = `${check.ok ? '✔' : '✘'} ${check.area}: ${check.message}`;
  if (!check.fix) return `${head}\n`;
  return `${head}\n${check.fix.split('\n').map((line, i) => `    ${i === 0 ? 'fix: ' : '     '}${line}`).join('\n')}\n`;
}

function ladderOf(config: AutohealConfig): HealStep[] {
  return config.policy.ladder;
}

// ---- 2. the model ------------------------------------------------------------------------------

/** Checks the model; returns the features it takes when it loads. */
async function checkModel(config: AutohealConfig, deps: OperatorDeps, report: (check: DoctorCheck) => void): Promise<readonly string[] | undefined> {
  const modelPath = path.resolve(config.model.path);
  let model: RiskModel;
  try {
    model = deps.riskModel ?? (await loadRiskModel(config));
  } catch (error) {
    let found = errorMessage(error);
    const head = await readFile(modelPath).then((bytes) => bytes.subarray(0, 200).toString('utf8'), () => undefined);
    if (head === undefined) found = `no file at ${modelPath}`;
    else if (head.startsWith('version https://git-lfs')) found = `${modelPath} is a Git LFS pointer, not the model`;
    report({
      area: 'model',
      ok: false,
      message: `cannot load the model: ${found}`,
      fix: 'verify MODEL_PATH / model.path (--model); is it a Git LFS pointer? (git lfs pull fetches the real file)',
    });
    return undefined;
  }
  try {
    const featureSet = (model as Partial<OnnxRiskModel>).featureSet;
    const expected = config.model.featureNames ?? (featureSet ? featureSetNamesFor(featureSet, model.featureNames) : model.featureNames);
    const missing = expected.filter((f) => !model.featureNames.includes(f));
    const extra = model.featureNames.filter((f) => !expected.includes(f));
    if (missing.length > 0 || extra.length > 0) {
      report({
        area: 'model',
        ok: false,
        message: `${model.name} ${model.version} does not match the feature schema: ${missing.length > 0 ? `lacks ${missing.join(', ')}` : ''}${missing.length > 0 && extra.length > 0 ? '; ' : ''}${extra.length > 0 ? `also needs ${extra.join(', ')}` : ''}`,
        fix: 'use a model trained on model.featureNames, or set model.featureNames to the model’s features',
      });
    } else {
      report({ area: 'model', ok: true, message: `${model.name} ${model.version} loads and declares the ${expected.length} features of ${featureSet ? `feature set ${featureSet}` : 'the schema'}` });
    }
    return model.featureNames;
  } finally {
    if (!deps.riskModel) await model.close?.();
  }
}

// ---- 3. Prometheus ---------------------------------------------------------------------------

const NO_TARGETS_HINT =
  'Prometheus has no series for this Deployment: check that it scrapes the workload (the ServiceMonitor/PodMonitor selectors match the Service and pod labels, the port is named `http`), and kube-state-metrics and cAdvisor targets are up (Prometheus UI → Status → Targets)';

async function checkPrometheus(config: AutohealConfig, deps: OperatorDeps, report: (check: DoctorCheck) => void, needed: readonly string[]): Promise<void> {
  let source: FeatureSource;
  try {
    source = deps.featureSource ?? (await createFeatureSourceFromConfig(config, needed));
  } catch (error) {
    report({ area: 'prometheus', ok: false, message: errorMessage(error), fix: 'set prometheus.url (or --prometheus-url, AUTOHEAL_PROMETHEUS_URL)' });
    return;
  }
  const where = config.prometheus?.url ?? source.name;
  try {
    try {
      await source.ping?.();
      report({ area: 'prometheus', ok: true, message: `${where} answers` });
    } catch (error) {
      report({ area: 'prometheus', ok: false, message: `${where} does not answer: ${errorMessage(error)}`, fix: 'check prometheus.url / --prometheus-url and that Prometheus is running and reachable from here' });
      return;
    }
    if (config.targets.length === 0) {
      report({ area: 'prometheus', ok: false, message: 'no targets to check the feature queries for', fix: 'name them (autoheal doctor prod/backend) or list them in the config file under targets:' });
      return;
    }
    let observations;
    try {
      observations = await source.collectMany(config.targets);
    } catch (error) {
      report({ area: 'prometheus', ok: false, message: `collecting the features failed: ${errorMessage(error)}`, fix: 'check prometheus.url, the credentials and prometheus.queries' });
      return;
    }
    const { DEFAULT_QUERIES } = deps.featureSource ? { DEFAULT_QUERIES: {} as Record<string, unknown> } : await import('@autoheal/adapter-prometheus');
    const queryOf = (feature: string): string | undefined => {
      const configured = config.prometheus?.queries[feature] ?? (DEFAULT_QUERIES as Record<string, unknown>)[feature];
      if (typeof configured === 'string') return configured;
      if (configured && typeof configured === 'object' && 'query' in configured) return String((configured as { query: unknown }).query);
      return undefined;
    };
    for (const observation of observations) {
      const key = targetKey(observation.target);
      // An absence core explains (no history yet, no limit set, too little traffic, …) is not a broken query.
      const missing = observation.missing.filter((m) => needed.includes(m.feature) && (m.kind === undefined || m.kind === 'no-data' || m.kind === 'failed'));
      if (missing.length === 0) {
        report({ area: 'prometheus', ok: true, message: `${key}: every feature query returns data (${needed.length})` });
        continue;
      }
      const nothingAtAll = missing.length === needed.length;
      for (const m of missing) {
        const query = queryOf(m.feature);
        const namesQuery = query !== undefined && !m.reason.includes('uery');
        report({
          area: 'prometheus',
          ok: false,
          message: `${key}: feature ${m.feature} returns nothing: ${m.reason}${namesQuery ? ` (query: ${query})` : ''}`,
          ...(nothingAtAll
            ? {}
            : { fix: `run the query in the Prometheus UI for namespace ${observation.target.namespace}; fix prometheus.queries.${m.feature} if it matches no series (an unknown feature means autoheal never acts on this target)` }),
        });
      }
      // Nothing at all for a target is the original's "no targets" case: Prometheus does not scrape it.
      if (nothingAtAll) report({ area: 'prometheus', ok: false, message: `${key}: no feature query returns data`, fix: NO_TARGETS_HINT });
    }
  } finally {
    if (!deps.featureSource) await source.close?.();
  }
}

// ---- 4. Kubernetes permissions ---------------------------------------------------------------

/** One permission and why autoheal needs it. */
interface Needed extends AccessQuestion {
  why: string;
}

function neededPermissions(config: AutohealConfig, namespace: string, hasHpa: boolean): Needed[] {
  const list: Needed[] = [];
  const add = (verb: string, group: string, resource: string, why: string, subresource?: string) =>
    list.push({ verb, group, resource, namespace, why, ...(subresource ? { subresource } : {}) });
  // What the Kubernetes healer actually sends (see adapter-kubernetes README, RBAC).
  add('get', 'apps', 'deployments', 'state: read the healing.attempt annotation');
  add('patch', 'apps', 'deployments', 'state: write the healing.attempt annotation');
  add('create', '', 'events', 'Events on the Deployment');
  add('list', '', 'events', 'status and heal read the Events (last actions, circuit breaker)');
  add('patch', '', 'events', "a step's Event gets its decision record (id, risk, diagnosis, signals)");
  const steps = ladderOf(config);
  for (const step of steps) {
    if (step.kind === 'restart' || step.kind === 'cache') {
      if (step.kind === 'restart' || step.restart) add('patch', 'apps', 'deployments', `${step.kind} step: rollout restart`);
      if (step.scaleUp !== false) {
        add('get', 'apps', 'deployments', `${step.kind} step: read the replicas`, 'scale');
        add('patch', 'apps', 'deployments', `${step.kind} step: scale up`, 'scale');
        add('list', 'autoscaling', 'horizontalpodautoscalers', `${step.kind} step: look for an HPA that would undo a scale-up`);
        if (hasHpa) {
          add('get', 'autoscaling', 'horizontalpodautoscalers', `${step.kind} step: scale up through the HPA's minReplicas`);
          add('update', 'autoscaling', 'horizontalpodautoscalers', `${step.kind} step: scale up through the HPA's minReplicas`);
        }
      }
    }
    if (step.kind === 'cache') {
      add('list', 'apps', 'replicasets', 'cache step: find the current ReplicaSet');
      add('list', '', 'pods', 'cache step: find the ready pods');
      add('create', '', 'pods', 'cache step: run the clear command in each pod', 'exec');
      add('get', '', 'pods', 'cache step: exec over WebSocket', 'exec');
    }
    if (step.kind === 'scale') {
      add('patch', 'apps', 'deployments', 'scale step: scale up', 'scale');
      add('list', 'autoscaling', 'horizontalpodautoscalers', 'scale step: look for an HPA that would undo a scale-up');
      if (hasHpa) add('update', 'autoscaling', 'horizontalpodautoscalers', "scale step: scale up through the HPA's minReplicas");
    }
    if (step.kind === 'rollback') {
      add('list', 'apps', 'replicasets', 'rollback step: find the previous revision');
      add('patch', 'apps', 'deployments', 'rollback step: apply the previous template');
    }
  }
  // One question per verb and resource; the reasons are joined.
  const merged = new Map<string, Needed>();
  for (const item of list) {
    const key = `${item.verb} ${item.group}/${item.resource}/${item.subresource ?? ''}`;
    const seen = merged.get(key);
    if (seen) {
      if (!seen.why.includes(item.why)) seen.why = `${seen.why}; ${item.why}`;
    } else merged.set(key, { ...item });
  }
  return [...merged.values()];
}

function resourceName(item: AccessQuestion): string {
  return item.subresource ? `${item.resource}/${item.subresource}` : item.resource;
}

/** The rule to add to the Role in the namespace, as YAML, grouped by API group and resource. */
function rbacRule(missing: readonly Needed[]): string {
  const byResource = new Map<string, { group: string; resource: string; name?: string; verbs: string[] }>();
  for (const item of missing) {
    const key = `${item.group}|${resourceName(item)}|${item.name ?? ''}`;
    const entry = byResource.get(key) ?? { group: item.group, resource: resourceName(item), ...(item.name ? { name: item.name } : {}), verbs: [] };
    if (!entry.verbs.includes(item.verb)) entry.verbs.push(item.verb);
    byResource.set(key, entry);
  }
  const lines = ['rules:'];
  for (const entry of byResource.values()) {
    lines.push(`  - apiGroups: ["${entry.group}"]`, `    resources: ["${entry.resource}"]`, ...(entry.name ? [`    resourceNames: ["${entry.name}"]`] : []), `    verbs: [${entry.verbs.map((v) => `"${v}"`).join(', ')}]`);
  }
  return lines.join('\n');
}

async function checkKubernetes(config: AutohealConfig, report: (check: DoctorCheck) => void): Promise<void> {
  let healer: KubernetesHealer;
  let reviewAccess: typeof import('@autoheal/adapter-kubernetes').reviewAccess;
  try {
    healer = await createHealerFromConfig(config, EVENTS_PER_DEPLOYMENT);
    ({ reviewAccess } = await import('@autoheal/adapter-kubernetes'));
  } catch (error) {
    report({ area: 'rbac', ok: false, message: errorMessage(error), fix: 'check --kubeconfig / kubernetes.kubeconfig and --context' });
    return;
  }
  const questions: Array<{ namespace: string; needed: Needed[]; targets: TargetRef[] }> = [];
  const byNamespace = new Map<string, TargetRef[]>();
  for (const target of config.targets) byNamespace.set(target.namespace, [...(byNamespace.get(target.namespace) ?? []), target]);
  for (const [namespace, targets] of byNamespace) {
    // An HPA on a target needs the HPA write permissions too; a summary that cannot be read is
    // reported by the permission checks themselves.
    let hasHpa = false;
    for (const target of targets) {
      const summary = await healer.getDeploymentSummary(target).catch(() => undefined);
      if (summary?.hpa) hasHpa = true;
    }
    questions.push({ namespace, needed: neededPermissions(config, namespace, hasHpa), targets });
  }
  // autoheal's own namespace: the circuit breaker's ConfigMap (every mode), and the Lease when leader election is on.
  const ownNamespace = config.leaderElection?.namespace ?? 'autoheal';
  const own: Needed[] = [
    { verb: 'create', group: '', resource: 'configmaps', namespace: ownNamespace, why: 'the shared circuit breaker (without it the breaker fails closed and no step is taken)' },
    ...['get', 'update'].map((verb) => ({ verb, group: '', resource: 'configmaps', namespace: ownNamespace, name: 'autoheal-circuit-breaker', why: 'the shared circuit breaker (without it the breaker fails closed and no step is taken)' })),
    { verb: 'get', group: '', resource: 'configmaps', namespace: ownNamespace, name: 'autoheal-pause', why: 'the global pause (autoheal pause --all; without it every target is held as pause-unknown)' },
  ];
  if (config.leaderElection?.enabled) {
    const { leaseName } = config.leaderElection;
    own.push({ verb: 'create', group: 'coordination.k8s.io', resource: 'leases', namespace: ownNamespace, why: 'leader election (only one replica acts)' });
    for (const verb of ['get', 'update']) own.push({ verb, group: 'coordination.k8s.io', resource: 'leases', namespace: ownNamespace, name: leaseName, why: 'leader election (only one replica acts)' });
  }
  if (questions.length === 0) {
    report({ area: 'rbac', ok: false, message: 'no targets, so no namespace to check permissions in', fix: 'name them (autoheal doctor prod/backend) or list them in the config file under targets:' });
    return;
  }
  questions.push({ namespace: ownNamespace, needed: own, targets: [] });
  for (const { namespace, needed } of questions) {
    const missing: Needed[] = [];
    try {
      for (const item of needed) {
        const { verb, group, resource, subresource, name } = item;
        const answer = await reviewAccess(healer.kubeConfig, { verb, group, resource, namespace, ...(subresource ? { subresource } : {}), ...(name ? { name } : {}) });
        if (!answer.allowed) missing.push(item);
      }
    } catch (error) {
      report({ area: 'rbac', ok: false, message: `cannot ask the API server about permissions in ${namespace}: ${errorMessage(error)}`, fix: 'check --kubeconfig / kubernetes.kubeconfig, --context and that the API server is reachable' });
      continue;
    }
    if (missing.length === 0) {
      report({ area: 'rbac', ok: true, message: `${namespace}: all ${needed.length} permissions the enabled steps need are granted` });
      continue;
    }
    for (const item of missing) {
      report({
        area: 'rbac',
        ok: false,
        message: `${namespace}: cannot ${item.verb} ${resourceName(item)}${item.group ? ` (${item.group})` : ''} — needed by ${item.why}`,
        fix: `kubectl auth can-i ${item.verb} ${resourceName(item)}${item.group ? `.${item.group}` : ''} -n ${namespace}   (answers "no" now)\nadd to the Role bound to autoheal in ${namespace}:\n${rbacRule([item])}${item.subresource === 'exec' ? '\n(or leave the cache step out of policy.ladder if pods/exec cannot be granted)' : ''}`,
      });
    }
  }
  await healer.close?.();
}

// ---- 5. Slack --------------------------------------------------------------------------------

async function checkSlack(config: AutohealConfig, deps: OperatorDeps, noPost: boolean, report: (check: DoctorCheck) => void): Promise<void> {
  const url = config.slack.webhookUrl;
  if (!url) {
    report({ area: 'slack', ok: true, message: 'no webhook configured (SLACK_WEBHOOK_URL / slack.webhookUrl): nothing is posted' });
    return;
  }
  const doFetch = deps.fetch ?? fetch;
  const shown = url.replace(/\/services\/.*/, '/services/…'); // the path is the secret
  const body = noPost ? {} : { text: 'autoheal doctor: test message; this webhook works.' };
  let status: number;
  let text: string;
  try {
    const response = await doFetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    status = response.status;
    text = (await response.text()).trim().slice(0, 200);
  } catch (error) {
    report({ area: 'slack', ok: false, message: `${shown} cannot be reached: ${errorMessage(error)}`, fix: 'check the webhook URL and that hooks.slack.com is reachable from here (proxy, egress rules)' });
    return;
  }
  if (noPost && status === 400 && text.includes('no_text')) {
    report({ area: 'slack', ok: true, message: `${shown} exists (it answered 400 no_text to an empty message; nothing was posted)` });
  } else if (!noPost && status >= 200 && status < 300) {
    report({ area: 'slack', ok: true, message: `${shown} accepted a test message (${status})` });
  } else if (status === 404 || status === 403 || status === 410 || /no_service|invalid_token|channel_not_found|action_prohibited/.test(text)) {
    report({ area: 'slack', ok: false, message: `${shown} answered ${status} ${text}`, fix: 'check the webhook URL (SLACK_WEBHOOK_URL / slack.webhookUrl): it is wrong, revoked, or its channel was removed; create a new incoming webhook' });
  } else {
    report({ area: 'slack', ok: false, message: `${shown} answered ${status} ${text}, which is not how a Slack webhook answers`, fix: 'check the webhook URL points at hooks.slack.com/services/…' });
  }
}

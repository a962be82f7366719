/**
 * The exec operation (the cache clear): the planned command in each planned pod over the exec
 * WebSocket, a few pods at a time, each with its own time limit. Exec has no server-side dry-run,
 * so dry-run runs nothing and says so.
 */
import type { HealOperationOf, OperationResultOf, PodExecResult } from '@autoheal/core';
import { StepFencedError, type ApplyContext } from './apply-context.js';
import { execInPod } from './pod-exec.js';

// How many pods are exec'd into at once: enough to be quick, few enough not to flood the API server.
const EXEC_CONCURRENCY = 5;

async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The result of a pod the fence stopped before its command ran, or `undefined` when it may run. */
function fencedPod(context: ApplyContext, pod: string, container: string): Promise<PodExecResult> | undefined {
  try {
    context.checkFence(`exec in ${pod}`);
    return undefined;
  } catch (error) {
    const why = StepFencedError.isFenced(error) ? error.why : String(error);
    return Promise.resolve({ pod, container, ok: false, stdout: '', stderr: '', timedOut: false, error: `not run: ${why}`, durationMs: 0 });
  }
}

/**
 * The failed pods. A pod's own result (an exit code, a time-out) is said per pod; an error that kept
 * the exec from starting (forbidden, unreachable: the same for every pod) is said once, followed by
 * all the pods it hit, instead of being repeated per pod.
 */
function describeFailures(failed: readonly PodExecResult[]): string {
  const own: string[] = [];
  const podsByError = new Map<string, string[]>();
  for (const result of failed) {
    if (result.timedOut) own.push(`${result.pod} (timed out)`);
    else if (result.exitCode !== undefined) own.push(`${result.pod} (exit ${result.exitCode})`);
    else {
      const error = result.error ?? 'failed';
      podsByError.set(error, [...(podsByError.get(error) ?? []), result.pod]);
    }
  }
  const shared = [...podsByError].map(([error, pods]) => (pods.length === 1 ? `${pods[0]} (${error})` : `${pods.join(', ')}: ${error}`));
  return [own.join(', '), ...shared].filter((part) => part !== '').join('; ');
}

/**
 * Runs the command in every planned pod. A failure in some pods is `ok: false` naming them; the
 * step goes on (its restart replaces those pods anyway).
 */
export async function applyExec(
  context: ApplyContext,
  operation: HealOperationOf<'exec'>,
  limits: { outputLimit: number },
): Promise<OperationResultOf<'exec'>> {
  const { clients, target, dryRun, signal } = context;
  const { details } = operation;
  const { pods, command, container, skipped } = details;
  const skippedText = skipped.length > 0 ? `; skipped (not ready): ${skipped.map((s) => `${s.pod} (${s.reason})`).join(', ')}` : '';
  if (dryRun) {
    return {
      op: 'exec',
      ok: true,
      message: `would run \`${command.join(' ')}\` in pods ${pods.length > 0 ? pods.join(', ') : '(none ready)'} (exec has no server-side dry-run, so nothing was run)${skippedText}`,
      details: { ...details, ran: false },
    };
  }
  if (pods.length === 0) {
    return { op: 'exec', ok: false, message: `no ready pod to clear the cache in${skippedText}`, details: { ...details, results: [] } };
  }
  context.checkFence('exec', await context.deployment());
  const results = await mapWithConcurrency(pods, EXEC_CONCURRENCY, (pod) =>
    fencedPod(context, pod, container) ??
    execInPod({
      kubeConfig: clients.kubeConfig,
      namespace: target.namespace,
      pod,
      container,
      command,
      timeoutMs: details.perPodTimeoutMs,
      outputLimit: limits.outputLimit,
      signal,
    }),
  );
  const failed = results.filter((r) => !r.ok);
  const message =
    failed.length === 0
      ? `ran \`${command.join(' ')}\` in ${results.length} pod(s): ${results.map((r) => r.pod).join(', ')}${skippedText}`
      : `cache clear failed in ${failed.length} of ${results.length} pod(s): ${describeFailures(failed)}${skippedText}`;
  return { op: 'exec', ok: failed.length === 0, message, details: { ...details, results } };
}

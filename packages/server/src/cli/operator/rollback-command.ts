/**
 * `autoheal rollback TARGET [--to-revision N] [--dry-run]`: `kubectl rollout undo` through the
 * Kubernetes healer (the same patch), recorded as an `AutohealRollback` Event. A revision that does
 * not exist prints the revision table and exits 1.
 */
import { parseArgs } from 'node:util';
import { AutohealError, targetKey } from '@autoheal/core';
import type { RevisionInfo } from '@autoheal/adapter-kubernetes';
import { COMMON_FLAGS, COMMON_FLAGS_HELP, configFromFlags } from '../common-flags.js';
import { CliExit, formatTable, type CliIo } from '../io.js';
import { RUN_EXIT } from '../run-exit-codes.js';
import { EVENTS_PER_DEPLOYMENT } from '../../circuit-history.js';
import { createHealerFromConfig } from '../../compose.js';
import { parseOrExit, strictParse, singleTarget } from './operator-flags.js';

const USAGE = 'autoheal rollback TARGET [--to-revision N] [--dry-run] [--json]';

const HELP = `Usage: ${USAGE}

Rolls TARGET back like kubectl rollout undo [--to-revision=N] (the same patch) and records an
AutohealRollback Event. Without --to-revision: the previous revision. With --dry-run the API
server validates the patch (dryRun=All) and nothing changes. The ladder state is not touched;
"autoheal reset" clears it. This is a direct operator action: the loop's safety rules (cooldown,
circuit breaker) do not hold it back, but the Event counts in the breaker's window.

Exit codes: 0 rolled back (or dry-run planned) · 1 usage error or unknown revision · 40 refused
(paused Deployment, nothing to roll back to) · 2 API error.

Options:
      --to-revision N            the revision to roll back to (see the table printed for a wrong N)

${COMMON_FLAGS_HELP}`;

/** The revision table, as `kubectl rollout history` plus ReplicaSet, images and creation time. */
export function revisionTable(revisions: readonly RevisionInfo[]): string {
  return formatTable(
    ['REVISION', 'REPLICASET', 'IMAGES', 'CHANGE-CAUSE', 'CREATED', 'CURRENT'],
    revisions.map((r) => [String(r.revision), r.replicaSet, r.images.join(',') || '—', r.changeCause ?? '<none>', r.created ?? '—', r.current ? '*' : '']),
  );
}

/** The rollback command. */
export async function rollbackCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOrExit(() => parseArgs({ args: argv, options: { ...COMMON_FLAGS, 'to-revision': { type: 'string' } }, ...strictParse }));
  if (values.help) return (io.stdout(`${HELP}\n`), 0);
  const target = singleTarget(positionals, USAGE);
  let toRevision: number | undefined;
  if (values['to-revision'] !== undefined) {
    toRevision = Number(values['to-revision']);
    if (!Number.isInteger(toRevision) || toRevision < 1) throw new CliExit(RUN_EXIT.usage, `--to-revision "${values['to-revision']}" is not a revision number: give a whole number >= 1 (see kubectl rollout history)`);
  }
  const config = await configFromFlags(values, [], io);
  const healer = await createHealerFromConfig(config, EVENTS_PER_DEPLOYMENT);
  const key = targetKey(target);
  const revisions = await healer.listRevisions(target);
  if (toRevision !== undefined && !revisions.some((r) => r.revision === toRevision)) {
    io.stdout(revisionTable(revisions));
    const available = revisions.map((r) => r.revision).join(', ') || 'none';
    throw new CliExit(RUN_EXIT.usage, `revision ${toRevision} of ${key} does not exist; available revisions: ${available}. Run again with one of them: autoheal rollback ${key} --to-revision N`);
  }
  const dryRun = values['dry-run'] === true;
  try {
    const outcome = await healer.rollback(target, toRevision, { dryRun });
    if (values.json) io.stdout(`${JSON.stringify({ target, toRevision: toRevision ?? null, dryRun, outcome, revisions }, null, 2)}\n`);
    else {
      io.stdout(`${key}: ${dryRun ? 'dry-run (validated by the API server, nothing changed)' : outcome.ok ? 'rolled back' : 'rollback FAILED'}: ${outcome.message}\n`);
      for (const result of outcome.results) io.stdout(`  ${result.ok ? 'ok    ' : 'failed'} ${result.op}: ${result.message}\n`);
      if (!dryRun && outcome.ok) io.stdout('Event AutohealRollback recorded. The ladder state is unchanged (autoheal reset clears it).\n');
    }
    return outcome.ok ? (dryRun ? RUN_EXIT.dryRun : RUN_EXIT.ok) : RUN_EXIT.error;
  } catch (error) {
    if (AutohealError.isInstance(error) && error.code === 'HEALING_REFUSED') {
      io.stdout(revisionTable(revisions));
      throw new CliExit(RUN_EXIT.suppressed, error.message);
    }
    throw error;
  } finally {
    await healer.close?.();
  }
}

/**
 * `npm run bench:outcome`: plays the sandbox's scenario catalogue under every policy, one worker
 * process per core, and writes the results as JSON and Markdown (`bench/outcome/results/`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { faultTypes, type FaultType } from '@autoheal/sandbox';
import { benchCatalogue, BENCH_WARMUP_MS } from './bench-catalogue.js';
import { z } from 'zod';
import { markdownReport, type RunFacts } from './markdown-report.js';
import { assertModelsPresent, benchmarkPolicies } from './policies.js';
import { reusableRuns } from './reuse-runs.js';
import { judgeTargets, summarize } from './summarize.js';
import { runPool, type Job } from './worker-pool.js';

const HELP = `Usage: npm run bench:outcome -- [options]

Plays the sandbox's scenario catalogue (every fault type x strengths x workload shapes, and healthy
days) under each healing policy, in virtual time, with the real pipeline, ONNX adapter and
Kubernetes healer, and reports breach-minutes, failed requests, time to act and to recover, wrong
actions and false heals.

Options:
  --seed N              catalogue seed (default 1)
  --workers N           worker processes (default: one per core)
  --policies a,b        only these policies (default: all)
  --faults a,b          only these fault types (default: all)
  --variants N          scenarios per fault type x strength x shape (default 3)
  --healthy-variants N  healthy scenarios per shape (default 12)
  --out DIR             where outcome.json (summary), outcome-runs.json (every run) and outcome.md
                        go (default bench/outcome/results)
  --reuse DIR           take the runs of the policies defined exactly as in DIR's outcome.json (same
                        seed and scenarios) from DIR instead of playing them again`;

const root = fileURLToPath(new URL('../../../', import.meta.url));

const count = (flag: string) => z.coerce.number({ message: `${flag} must be a number` }).int(`${flag} must be a whole number`).min(0, `${flag} must be 0 or more`);
const optionsSchema = z.object({
  seed: count('--seed').default(1),
  workers: count('--workers').min(1, '--workers must be at least 1').default(availableParallelism()),
  policies: z.string().optional(),
  faults: z
    .string()
    .optional()
    .refine((list) => list === undefined || list.split(',').every((type) => (faultTypes as readonly string[]).includes(type)), `--faults takes fault types from: ${faultTypes.join(', ')}`),
  variants: count('--variants').default(3),
  'healthy-variants': count('--healthy-variants').default(12),
  out: z.string().default(path.join(root, 'bench/outcome/results')),
  reuse: z.string().optional(),
});

/** Long jobs first (healthy days, then healing policies), so the last job to finish is a short one. */
function jobOrder(job: Job): number {
  return -(job.scenario.durationMs * (job.policy.healing ? 3 : 1));
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      workers: { type: 'string' },
      policies: { type: 'string' },
      faults: { type: 'string' },
      variants: { type: 'string' },
      'healthy-variants': { type: 'string' },
      out: { type: 'string' },
      reuse: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const { help: _help, ...rest } = values;
  const parsed = optionsSchema.safeParse(rest);
  if (!parsed.success) {
    process.stderr.write(`[autoheal] [bench] ${parsed.error.issues.map((issue) => issue.message).join('; ')}\n`);
    return 2;
  }
  const options = parsed.data;
  const allPolicies = benchmarkPolicies(root);
  const wanted = options.policies?.split(',');
  const unknown = wanted?.filter((name) => !allPolicies.some((policy) => policy.name === name)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(`[autoheal] [bench] --policies: unknown ${unknown.join(', ')}; the policies are ${allPolicies.map((p) => p.name).join(', ')}\n`);
    return 2;
  }
  const policies = wanted ? allPolicies.filter((policy) => wanted.includes(policy.name)) : allPolicies;
  try {
    assertModelsPresent(policies);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const catalogue = benchCatalogue({
    seed: options.seed,
    ...(options.faults ? { faultTypes: options.faults.split(',') as FaultType[] } : {}),
    variants: options.variants,
    healthyVariants: options['healthy-variants'],
  });
  const reuse = options.reuse ? reusableRuns(options.reuse, options.seed, BENCH_WARMUP_MS, catalogue.map((scenario) => scenario.id), policies) : undefined;
  const toRun = policies.filter((policy) => !reuse?.reused.policies.includes(policy.name));
  if (reuse) process.stderr.write(`[autoheal] [bench] reusing ${reuse.reused.runs} runs of ${reuse.reused.policies.join(', ') || 'no policy'} from ${options.reuse}\n`);
  const jobs: Job[] = catalogue.flatMap((scenario) => toRun.map((policy) => ({ index: 0, scenario, policy })));
  jobs.sort((a, b) => jobOrder(a) - jobOrder(b));
  jobs.forEach((job, index) => (job.index = index));

  const loadAtStart = loadavg()[0] ?? 0;
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  process.stderr.write(`[autoheal] [bench] ${catalogue.length} scenarios × ${toRun.length} policies = ${jobs.length} runs on ${options.workers} workers (load average ${loadAtStart.toFixed(1)})\n`);
  const outcome = await runPool(jobs, {
    workers: options.workers,
    workerPath: fileURLToPath(new URL('./worker.js', import.meta.url)),
    onProgress: (done, total) => {
      if (done % 50 === 0 || done === total) process.stderr.write(`[autoheal] [bench] ${done}/${total} runs, ${((performance.now() - started) / 60_000).toFixed(1)} min\n`);
    },
  });
  const wallMs = performance.now() - started;
  const ownCpu = process.cpuUsage(cpuAtStart);

  const results = [...outcome.results, ...(reuse?.runs ?? [])];
  const summaries = summarize(results, policies.map((policy) => policy.name));
  const targets = judgeTargets(summaries, { runs: jobs.length, wallMs });
  const timings: Record<string, number> = {};
  for (const result of outcome.results) for (const [key, value] of Object.entries(result.timings)) timings[key] = (timings[key] ?? 0) + value;
  const facts: RunFacts = {
    command: `npm run bench:outcome${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    date: new Date().toISOString().slice(0, 10),
    seed: options.seed,
    scenarios: catalogue.length,
    runs: jobs.length,
    failedRuns: outcome.failures.length,
    workers: options.workers,
    wallMs,
    cpuMs: outcome.workerCpuMs + (ownCpu.user + ownCpu.system) / 1000,
    load: [loadAtStart, loadavg()[0] ?? 0],
    timings,
    ...(reuse && reuse.reused.runs > 0 ? { reused: reuse.reused } : {}),
  };
  const report = markdownReport(facts, policies, summaries, targets);
  mkdirSync(options.out, { recursive: true });
  const runs = [...results].sort((a, b) => a.scenario.localeCompare(b.scenario) || a.policy.localeCompare(b.policy));
  // The summary is small enough to keep in the repository; every run's details go beside it.
  writeFileSync(path.join(options.out, 'outcome.json'), `${JSON.stringify({ facts, policies, summaries, targets, failures: outcome.failures }, null, 1)}\n`);
  writeFileSync(path.join(options.out, 'outcome-runs.json'), `${JSON.stringify(runs)}\n`);
  writeFileSync(path.join(options.out, 'outcome.md'), report);
  process.stdout.write(report);
  for (const failure of outcome.failures) process.stderr.write(`[autoheal] [bench] ${failure.scenario} × ${failure.policy} failed: ${failure.error}\n`);
  process.stderr.write(`[autoheal] [bench] wrote outcome.json, outcome-runs.json and outcome.md to ${options.out}\n`);
  return outcome.failures.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

/**
 * Runs scenario × policy jobs on worker processes, one per core: each worker runs one job at a time
 * (its sandbox, pipeline and healer talk over loopback HTTP inside it) and asks for the next when
 * done, so a slow job never holds the others up. Processes rather than threads: each has its own
 * event loop and heap, and its CPU time is reported back at the end.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { CatalogueScenario } from '@autoheal/sandbox';
import type { PolicyDefinition } from './policies.js';
import type { RunResult } from './run-scenario.js';

/** One scenario under one policy. */
export interface Job {
  index: number;
  scenario: CatalogueScenario;
  policy: PolicyDefinition;
}

/** A job that threw. */
export interface JobFailure {
  scenario: string;
  policy: string;
  error: string;
}

/** Parent → worker. */
export type ToWorker = { type: 'run'; job: Job } | { type: 'stop' };
/** Worker → parent. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; index: number; result: RunResult }
  | { type: 'failed'; index: number; error: string }
  | { type: 'usage'; cpuMs: number };

/** What {@link runPool} returns. */
export interface PoolOutcome {
  results: RunResult[];
  failures: JobFailure[];
  /** CPU time of the workers (user + system). */
  workerCpuMs: number;
}

/** Runs every job on `workers` processes started from `workerPath`. */
export async function runPool(jobs: readonly Job[], options: { workers: number; workerPath: string; onProgress?: (done: number, total: number) => void }): Promise<PoolOutcome> {
  const results: RunResult[] = [];
  const failures: JobFailure[] = [];
  let workerCpuMs = 0;
  let next = 0;
  let done = 0;

  const runWorker = (child: ChildProcess) =>
    new Promise<void>((resolve, reject) => {
      const send = (message: ToWorker) => child.send(message);
      const dispatch = () => {
        const job = jobs[next++];
        if (job) send({ type: 'run', job });
        else send({ type: 'stop' });
      };
      child.on('message', (message: FromWorker) => {
        if (message.type === 'ready') return dispatch();
        if (message.type === 'usage') {
          workerCpuMs += message.cpuMs;
          return;
        }
        if (message.type === 'result') results.push(message.result);
        else {
          const job = jobs.find((j) => j.index === message.index);
          failures.push({ scenario: job?.scenario.id ?? '?', policy: job?.policy.name ?? '?', error: message.error });
        }
        done += 1;
        options.onProgress?.(done, jobs.length);
        dispatch();
      });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`[autoheal] [bench] a worker exited with code ${code}`))));
    });

  const children = Array.from({ length: Math.max(1, Math.min(options.workers, jobs.length)) }, () =>
    fork(options.workerPath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  try {
    await Promise.all(children.map(runWorker));
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
  }
  return { results, failures, workerCpuMs };
}

/**
 * The `autoheal-sandbox` command line: argument parsing (validated with zod, errors name the
 * flag) and the commands. `cli.ts` is the thin executable around `runCli`.
 *
 *   autoheal-sandbox start [--deployments N] [--port P] [--kubeconfig PATH] [--time real|virtual] [--seed S] [--tick-ms MS]
 *   autoheal-sandbox fault inject --url URL --namespace NS --deployment NAME --type TYPE [--strength S]
 *   autoheal-sandbox fault clear --url URL --namespace NS --deployment NAME
 *   autoheal-sandbox kubeconfig [--kubeconfig PATH]
 */
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { type Sandbox, startSandbox } from './sandbox.js';
import { type WorkloadSpec, demoWorkloads, faultTypes } from './sim/simulation-options.js';

/** Where `start` writes the kubeconfig unless told otherwise, and what `kubeconfig` prints. */
export const defaultCliKubeconfigPath = join(tmpdir(), 'autoheal-sandbox', 'kubeconfig');

export const cliUsage = `Usage:
  autoheal-sandbox start [--deployments N] [--port P] [--kubeconfig PATH] [--time real|virtual] [--seed S] [--tick-ms MS]
  autoheal-sandbox fault inject --url URL --namespace NS --deployment NAME --type ${faultTypes.join('|')} [--strength 0..1]
  autoheal-sandbox fault clear --url URL --namespace NS --deployment NAME
  autoheal-sandbox kubeconfig [--kubeconfig PATH]`;

const integerFlag = (what: string) =>
  z.string().regex(/^\d+$/, `must be a whole number (${what})`).transform(Number);

const startFlagsSchema = z.object({
  deployments: integerFlag('how many Deployments to simulate, e.g. 10')
    .pipe(z.number().min(1, 'must be at least 1').max(5000, 'must be at most 5000'))
    .optional(),
  port: integerFlag('0 for any free port').pipe(z.number().max(65535, 'must be at most 65535')).optional(),
  kubeconfig: z.string().min(1, 'must be a file path').optional(),
  time: z.enum(['real', 'virtual'], { message: 'must be "real" or "virtual"' }).optional(),
  seed: integerFlag('e.g. 1').optional(),
  'tick-ms': integerFlag('milliseconds per simulated step, e.g. 1000')
    .pipe(z.number().min(100, 'must be at least 100').max(60_000, 'must be at most 60000'))
    .optional(),
});

const faultFlagsSchema = z.object({
  url: z.url({ message: 'must be the sandbox URL printed by `start`, e.g. http://127.0.0.1:6443' }),
  namespace: z.string({ message: 'is required, e.g. --namespace prod' }).min(1),
  deployment: z.string({ message: 'is required, e.g. --deployment backend' }).min(1),
  type: z.enum(faultTypes, { message: `must be one of ${faultTypes.join(', ')}` }).optional(),
  strength: z
    .string()
    .regex(/^(0?\.\d+|1(\.0+)?|0)$/, 'must be a number in (0, 1], e.g. 0.5')
    .transform(Number)
    .pipe(z.number().gt(0, 'must be greater than 0'))
    .optional(),
});

/** A parsed command line. */
export type CliCommand =
  | { command: 'help' }
  | { command: 'start'; deployments: WorkloadSpec[]; port: number; kubeconfigPath: string; time: 'real' | 'virtual'; seed: number; tickMs: number }
  | { command: 'fault-inject'; url: string; namespace: string; deployment: string; type: (typeof faultTypes)[number]; strength?: number }
  | { command: 'fault-clear'; url: string; namespace: string; deployment: string }
  | { command: 'kubeconfig'; kubeconfigPath: string };

/** A command line that cannot be run; the message names the flag and the fix. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(`[autoheal] [sandbox] ${message}\n\n${cliUsage}`);
    this.name = 'CliUsageError';
  }
}

function parseFlags<Schema extends z.ZodType>(schema: Schema, values: Record<string, unknown>): z.output<Schema> {
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  throw new CliUsageError(result.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('; '));
}

/**
 * The workloads of `start --deployments N`: the demo pair first (prod/backend, prod/frontend),
 * then `svc-3`, `svc-4`, ... spread over namespaces `team-0` … `team-9`, 1–4 replicas each.
 */
export function generatedWorkloads(count: number): WorkloadSpec[] {
  const workloads: WorkloadSpec[] = demoWorkloads.slice(0, count);
  for (let index = workloads.length + 1; index <= count; index += 1) {
    workloads.push({ namespace: `team-${index % 10}`, name: `svc-${index}`, replicas: 1 + (index % 4) });
  }
  return workloads;
}

/** Parses `argv` (without `node` and the script). Throws `CliUsageError`. */
export function parseCliArguments(argv: string[]): CliCommand {
  const [first, second] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') return { command: 'help' };
  const parse = (args: string[], names: string[]) => {
    try {
      return parseArgs({ args, options: Object.fromEntries(names.map((name) => [name, { type: 'string' as const }])), strict: true, allowPositionals: false }).values;
    } catch (error) {
      throw new CliUsageError(error instanceof Error ? error.message : String(error));
    }
  };
  if (first === 'start') {
    const flags = parseFlags(startFlagsSchema, parse(argv.slice(1), ['deployments', 'port', 'kubeconfig', 'time', 'seed', 'tick-ms']));
    return {
      command: 'start',
      deployments: flags.deployments === undefined ? demoWorkloads : generatedWorkloads(flags.deployments),
      port: flags.port ?? 0,
      kubeconfigPath: flags.kubeconfig ?? defaultCliKubeconfigPath,
      time: flags.time ?? 'real',
      seed: flags.seed ?? 1,
      tickMs: flags['tick-ms'] ?? 1000,
    };
  }
  if (first === 'fault') {
    if (second !== 'inject' && second !== 'clear') throw new CliUsageError('`fault` needs `inject` or `clear`');
    const flags = parseFlags(faultFlagsSchema, parse(argv.slice(2), ['url', 'namespace', 'deployment', 'type', 'strength']));
    if (second === 'clear') return { command: 'fault-clear', url: flags.url, namespace: flags.namespace, deployment: flags.deployment };
    if (!flags.type) throw new CliUsageError(`--type: is required, one of ${faultTypes.join(', ')}`);
    return {
      command: 'fault-inject',
      url: flags.url,
      namespace: flags.namespace,
      deployment: flags.deployment,
      type: flags.type,
      ...(flags.strength !== undefined ? { strength: flags.strength } : {}),
    };
  }
  if (first === 'kubeconfig') {
    const flags = parseFlags(z.object({ kubeconfig: z.string().min(1, 'must be a file path').optional() }), parse(argv.slice(1), ['kubeconfig']));
    return { command: 'kubeconfig', kubeconfigPath: flags.kubeconfig ?? defaultCliKubeconfigPath };
  }
  throw new CliUsageError(`unknown command "${first}"`);
}

/** Where the CLI writes, and what stops `start` (Ctrl-C in the executable). */
export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
  /** `start` runs until this aborts. */
  signal: AbortSignal;
  /** Called once `start` is serving (tests use the sandbox). */
  onStarted?(sandbox: Sandbox): void;
}

async function callControlApi(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(new URL(path, url), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: { error: text } };
  }
}

/** Runs a command line; resolves to the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let command: CliCommand;
  try {
    command = parseCliArguments(argv);
  } catch (error) {
    io.stderr(error instanceof Error ? error.message : String(error));
    return 2;
  }
  switch (command.command) {
    case 'help':
      io.stdout(cliUsage);
      return 0;
    case 'kubeconfig':
      io.stdout(command.kubeconfigPath);
      return 0;
    case 'start': {
      await mkdir(dirname(command.kubeconfigPath), { recursive: true });
      const sandbox = await startSandbox({
        port: command.port,
        time: command.time,
        seed: command.seed,
        tickMs: command.tickMs,
        deployments: command.deployments,
        kubeconfigPath: command.kubeconfigPath,
      });
      io.stdout(`kubeconfig: ${sandbox.kubeconfigPath}`);
      io.stdout(`url: ${sandbox.url}`);
      io.stdout(`metrics: ${sandbox.metricsUrl}`);
      io.stdout(`deployments: ${command.deployments.length} (${command.time} time); export KUBECONFIG=${sandbox.kubeconfigPath}; Ctrl-C stops`);
      io.onStarted?.(sandbox);
      await new Promise<void>((resolve) => {
        if (io.signal.aborted) resolve();
        else io.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await sandbox.close();
      return 0;
    }
    case 'fault-inject':
    case 'fault-clear': {
      try {
        const response = command.command === 'fault-inject'
          ? await callControlApi(command.url, 'POST', '/sandbox/faults', {
              namespace: command.namespace,
              deployment: command.deployment,
              type: command.type,
              ...(command.strength !== undefined ? { strength: command.strength } : {}),
            })
          : await callControlApi(command.url, 'DELETE', `/sandbox/faults/${encodeURIComponent(command.namespace)}/${encodeURIComponent(command.deployment)}`);
        if (response.status >= 400) {
          io.stderr(String(response.body?.error ?? `HTTP ${response.status}`));
          return 1;
        }
        io.stdout(JSON.stringify(response.body));
        return 0;
      } catch (error) {
        io.stderr(`[autoheal] [sandbox] cannot reach ${command.url}: ${error instanceof Error ? error.message : String(error)}; is \`autoheal-sandbox start\` running?`);
        return 1;
      }
    }
  }
}

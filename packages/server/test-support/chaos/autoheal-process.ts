/**
 * Test support (outside src/, never shipped): the real `autoheal` CLI as a child process, so a
 * chaos test can kill it at any moment and start it again. The CLI is bundled from the sources once
 * per test file (esbuild, the workspace's own `@autoheal/*` sources inlined, every other package
 * left to node_modules), so the suite always runs the code under test, built or not.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

const SERVER_DIR = path.resolve(import.meta.dirname, '../..');
// Inside node_modules so the bundle resolves its external packages the way the CLI would.
const BUNDLE_DIR = path.join(SERVER_DIR, 'node_modules', '.cache', 'autoheal-chaos');

let bundling: Promise<string> | undefined;

/** Bundles `src/cli.ts` (once per process) and returns the path of the bundle. */
export function cliBundle(): Promise<string> {
  bundling ??= (async () => {
    // esbuild comes with the workspace's build tooling (tsup); imported only by the chaos suite.
    const { build } = await import('esbuild');
    await mkdir(BUNDLE_DIR, { recursive: true });
    const outfile = path.join(BUNDLE_DIR, `cli-${process.pid}-${Date.now()}.mjs`);
    await build({
      entryPoints: [path.join(SERVER_DIR, 'src/cli.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['@autoheal/source'],
      logLevel: 'error',
      banner: { js: "import { createRequire as __autohealRequire } from 'node:module'; const require = __autohealRequire(import.meta.url);" },
      plugins: [
        {
          name: 'externals-but-autoheal',
          setup(builder) {
            // The workspace's packages come from source; everything else from node_modules at run time.
            builder.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@autoheal/') ? undefined : { path: args.path, external: true }));
          },
        },
      ],
    });
    return outfile;
  })();
  return bundling;
}

/** A running `autoheal` process. */
export interface AutohealProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything written so far (stdout and stderr, interleaved by line). */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process ended. */
  readonly exited: Promise<number | string>;
  /** Waits until the output matches `pattern` (rejects if the process ends first or after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGKILL: no shutdown, no clean-up — a crash. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<number | string>;
}

/**
 * Starts `autoheal <args>` as a child process named `name`.
 *
 * @example
 * const watch = await startAutoheal('replica-a', ['watch', '--config', configFile]);
 * await watch.waitFor(/leading/);
 * await watch.kill();
 */
export async function startAutoheal(name: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<AutohealProcess> {
  const bundle = await cliBundle();
  const child = spawn(process.execPath, [bundle, ...args], { cwd: SERVER_DIR, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  let ended = false;
  void exited.then(() => {
    ended = true;
    for (const listener of listeners) listener();
  });

  return {
    name,
    child,
    output: () => text,
    exited,
    waitFor(pattern, timeoutMs = 180_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`${name}: no output matching ${pattern} within ${timeoutMs} ms; output so far:\n${text.slice(-4000)}`)), timeoutMs);
        const check = () => {
          if (pattern.test(text)) done();
          else if (ended) done(new Error(`${name} ended before its output matched ${pattern}:\n${text.slice(-4000)}`));
        };
        function done(error?: Error) {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve();
        }
        listeners.add(check);
        check();
      });
    },
    async kill() {
      if (!ended) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!ended) child.kill('SIGTERM');
      return exited;
    },
  };
}

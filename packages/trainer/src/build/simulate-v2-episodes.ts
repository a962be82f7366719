/**
 * Simulates every v2 scenario, in worker threads when the built worker is at hand (at most
 * `workers`, default 2: the build machine is shared), in process otherwise (tests run from source,
 * or a simulation double is injected). Episodes come back in scenario order either way, so the
 * dataset, and therefore the model's bytes, do not depend on the number of workers.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { simulateV2Scenario, type SimulateV2Options, type V2Episode } from '../dataset/v2-dataset.js';
import type { SimulationFactory } from '../dataset/sandbox-dataset.js';
import type { V2Scenario } from '../dataset/v2-scenarios.js';

/** One job sent to a worker. */
export interface V2SimulationJob {
  index: number;
  item: V2Scenario;
  options: Omit<SimulateV2Options, 'createSimulation'>;
}

/** Where the built worker lives, when this module runs from `dist/`. */
function workerFile(): string | undefined {
  try {
    const path = fileURLToPath(new URL('./v2-simulation-worker.js', import.meta.url));
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** Simulates `items` and returns their episodes in the same order. */
export async function simulateV2Episodes(
  items: readonly V2Scenario[],
  options: Omit<SimulateV2Options, 'createSimulation'> & { workers: number; createSimulation?: SimulationFactory; onProgress?: (done: number, total: number) => void },
): Promise<V2Episode[]> {
  const { workers, createSimulation, onProgress, ...simulation } = options;
  const file = workerFile();
  if (createSimulation || workers < 1 || !file) {
    const create = createSimulation ?? ((await import('@autoheal/sandbox')).createSimulation as unknown as SimulationFactory);
    return items.map((item, index) => {
      const episode = simulateV2Scenario(item.scenario, item.fold, item.heldOut, { ...simulation, createSimulation: create });
      onProgress?.(index + 1, items.length);
      return episode;
    });
  }
  const episodes = new Array<V2Episode>(items.length);
  let nextJob = 0;
  let done = 0;
  const pool = Array.from({ length: Math.min(workers, items.length) }, () => new Worker(file));
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const send = () => {
              if (nextJob >= items.length) return resolve();
              const index = nextJob++;
              worker.postMessage({ index, item: items[index] as V2Scenario, options: simulation } satisfies V2SimulationJob);
            };
            worker.on('message', (message: { index: number; episode?: V2Episode; error?: string }) => {
              if (message.error !== undefined || !message.episode) return reject(new Error(`simulating scenario ${items[message.index]?.scenario.id} failed: ${message.error}`));
              episodes[message.index] = message.episode;
              onProgress?.(++done, items.length);
              send();
            });
            worker.on('error', reject);
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
  return episodes;
}

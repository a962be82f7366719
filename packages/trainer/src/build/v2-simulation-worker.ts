/**
 * The worker thread of a v2 build: simulates the scenarios it is sent with the sandbox's
 * `createSimulation` and posts each episode back. Built as its own entry (`dist/v2-simulation-worker.js`)
 * so `simulateV2Episodes` can start it; the order of the episodes is restored by the caller.
 */
import { parentPort } from 'node:worker_threads';
import { createSimulation } from '@autoheal/sandbox';
import { simulateV2Scenario } from '../dataset/v2-dataset.js';
import type { SimulationFactory } from '../dataset/sandbox-dataset.js';
import type { V2SimulationJob } from './simulate-v2-episodes.js';

parentPort?.on('message', (job: V2SimulationJob) => {
  try {
    const episode = simulateV2Scenario(job.item.scenario, job.item.fold, job.item.heldOut, { ...job.options, createSimulation: createSimulation as unknown as SimulationFactory });
    parentPort?.postMessage({ index: job.index, episode });
  } catch (error) {
    parentPort?.postMessage({ index: job.index, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
  }
});

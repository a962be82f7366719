/** Loads the sandbox's `createSimulation` when a build needs it, and checks that the installed sandbox has it. */
import { trainerConfigError } from '../errors.js';
import type { SimulationFactory } from './sandbox-dataset.js';

/**
 * Returns `createSimulation` from `@autoheal/sandbox`. Throws a `ConfigError` when the installed
 * sandbox does not export it (an older version).
 */
export async function loadSandboxSimulation(): Promise<SimulationFactory> {
  const sandbox = (await import('@autoheal/sandbox')) as unknown as { createSimulation?: unknown };
  if (typeof sandbox.createSimulation !== 'function') {
    throw trainerConfigError('@autoheal/sandbox does not export createSimulation: install a version that does (npm install @autoheal/sandbox@latest), or pass a simulation factory to buildSandboxModel');
  }
  return sandbox.createSimulation as SimulationFactory;
}

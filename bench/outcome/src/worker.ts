/** A worker process of the outcome benchmark: runs the jobs the command sends, one at a time. */
import { createRunContext } from './run-context.js';
import { runScenario } from './run-scenario.js';
import type { FromWorker, ToWorker } from './worker-pool.js';

const context = createRunContext();
const send = (message: FromWorker) => process.send?.(message);

process.on('message', (message: ToWorker) => {
  if (message.type === 'stop') {
    void context.close().finally(() => {
      const usage = process.cpuUsage();
      // Exit once the parent has the figure: nothing this process started may keep it alive.
      process.send?.({ type: 'usage', cpuMs: (usage.user + usage.system) / 1000 } satisfies FromWorker, () => process.exit(0));
    });
    return;
  }
  const { job } = message;
  runScenario({ scenario: job.scenario, policy: job.policy, context }).then(
    (result) => send({ type: 'result', index: job.index, result }),
    (error: unknown) => send({ type: 'failed', index: job.index, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
send({ type: 'ready' });

import { describe, expect, it } from 'vitest';
import { type StepOutcome, createTruthRecorder } from './ground-truth.js';

const objective = { minReadyRatio: 0.5, maxErrorRatio: 0.05, sustainMs: 60_000 };

function step(requests: number, failed: number, readyPods: number, unrouted = 0): StepOutcome {
  const answered = requests - unrouted;
  return { requests, answered: { '200': answered - failed, '500': failed, '503': 0 }, unrouted, readyPods };
}

/** Records `count` 15-second steps of the same outcome, starting at `from`; returns the end time. */
function run(recorder: ReturnType<typeof createTruthRecorder>, outcome: StepOutcome, desired: number, from: number, count: number): number {
  let now = from;
  for (let index = 0; index < count; index += 1) {
    recorder.record(outcome, desired, now, now + 15_000);
    now += 15_000;
  }
  return now;
}

describe('the ground truth', () => {
  it('counts every failure by cause, the ingress 503s included', () => {
    const recorder = createTruthRecorder('prod', 'backend', objective);
    recorder.record({ requests: 100, answered: { '200': 80, '500': 5, '503': 5 }, unrouted: 10, readyPods: 1 }, 3, 0, 1000);

    const truth = recorder.snapshot(1000);

    expect(truth).toMatchObject({
      namespace: 'prod',
      name: 'backend',
      requests: 100,
      failedRequests: 20,
      failures: { applicationErrors: 5, overloaded: 5, noReadyPod: 10 },
    });
  });

  it('calls a violation sustained for sustainMs a breach, counted from its start', () => {
    const recorder = createTruthRecorder('prod', 'backend', objective);
    let now = run(recorder, step(100, 0, 3), 3, 0, 4);
    now = run(recorder, step(100, 0, 1), 3, now, 3); // ready 1/3 for 45 s: a blip
    expect(recorder.snapshot(now)).toMatchObject({ violating: true, breached: false, breachMs: 0, breaches: [] });

    now = run(recorder, step(100, 0, 1), 3, now, 2); // 75 s: a breach since the first bad step
    expect(recorder.snapshot(now)).toMatchObject({ breached: true, breachMs: 75_000, breaches: [{ start: 60_000, end: null }] });

    now = run(recorder, step(100, 0, 3), 3, now, 1);
    expect(recorder.snapshot(now)).toMatchObject({ violating: false, breached: false, breachMs: 75_000, breaches: [{ start: 60_000, end: 135_000 }] });
  });

  it('judges failed requests whoever answered them, and traffic to no pod at all', () => {
    const errors = createTruthRecorder('prod', 'backend', objective);
    run(errors, step(100, 6, 3), 3, 0, 5);
    expect(errors.snapshot(75_000)).toMatchObject({ breached: true });

    const scaledToZero = createTruthRecorder('prod', 'backend', objective);
    run(scaledToZero, step(100, 0, 0, 100), 0, 0, 5);
    expect(scaledToZero.snapshot(75_000)).toMatchObject({ breached: true, failures: { noReadyPod: 500 } });

    const idle = createTruthRecorder('prod', 'backend', objective);
    run(idle, step(0, 0, 0), 0, 0, 5);
    expect(idle.snapshot(75_000)).toMatchObject({ violating: false, breached: false });
  });
});

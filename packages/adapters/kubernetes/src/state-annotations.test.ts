import { describe, expect, it } from 'vitest';
import { annotationsForState, stateFromAnnotations } from './state-annotations.js';

describe('state annotations', () => {
  it('reads a Deployment that has only the original project\'s healing.attempt', () => {
    expect(stateFromAnnotations({ 'healing.attempt': '2' })).toEqual({ attempt: 2 });
  });

  it('reads the JSON annotation next to the attempt', () => {
    const state = stateFromAnnotations({
      'healing.attempt': '1',
      'autoheal.dev/healing-state': JSON.stringify({ lastActionAt: 5, lastStep: 'restart', keptNotified: true }),
    });

    expect(state).toEqual({ attempt: 1, lastActionAt: 5, lastStep: 'restart', keptNotified: true });
  });

  it('round-trips every field of the state (steps taken, refused steps, the step that worked, the hold)', () => {
    const state = { attempt: 2, lastActionAt: 5, lastStep: 'cache' as const, steps: ['restart' as const, 'cache' as const], skipped: ['rollback' as const], worked: 'cache' as const, healthySince: 7, healthyCount: 2, keptNotified: false, handoffNotified: false };

    expect(stateFromAnnotations(annotationsForState(state) as Record<string, string>)).toEqual(state);
  });

  it('treats hand-edited garbage as attempt 0 without throwing', () => {
    expect(stateFromAnnotations({ 'healing.attempt': 'two', 'autoheal.dev/healing-state': '{not json' })).toEqual({ attempt: 0 });
  });

  it('writes the attempt as a string and the rest as JSON; null deletes both', () => {
    expect(annotationsForState({ attempt: 3, lastStep: 'rollback' })).toEqual({
      'healing.attempt': '3',
      'autoheal.dev/healing-state': '{"lastStep":"rollback"}',
    });
    expect(annotationsForState(null)).toEqual({ 'healing.attempt': null, 'autoheal.dev/healing-state': null });
  });
});

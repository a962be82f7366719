import { describe, expect, it } from 'vitest';
import { annotationKeys, readOptIn } from './workload-annotations.js';

const keys = annotationKeys('autoheal.dev/enabled');

describe('readOptIn', () => {
  it('derives the override keys from the opt-in key’s prefix', () => {
    expect(annotationKeys('example.com/heal')).toEqual({ enabled: 'example.com/heal', threshold: 'example.com/threshold', steps: 'example.com/steps', strategy: 'example.com/strategy' });
  });

  it('opts in only on "true"; absent and "false" are not opted in', () => {
    expect(readOptIn({ 'autoheal.dev/enabled': 'true' }, keys)).toEqual({ kind: 'opted-in' });
    expect(readOptIn({ 'autoheal.dev/enabled': 'false' }, keys).kind).toBe('not-opted-in');
    expect(readOptIn(undefined, keys).kind).toBe('not-opted-in');
  });

  it('calls any other opt-in value invalid, saying what to write', () => {
    expect(readOptIn({ 'autoheal.dev/enabled': 'yes' }, keys)).toEqual({ kind: 'invalid', message: 'annotation autoheal.dev/enabled is "yes": write "true" to opt in or "false" (or remove it) to opt out' });
  });

  it('maps threshold, steps and strategy onto core’s overrides', () => {
    const annotations = { 'autoheal.dev/enabled': 'true', 'autoheal.dev/threshold': '0.8', 'autoheal.dev/steps': 'restart, rollback', 'autoheal.dev/strategy': 'ladder' };

    expect(readOptIn(annotations, keys)).toEqual({ kind: 'opted-in', overrides: { threshold: 0.8, steps: ['restart', 'rollback'], strategy: 'ladder' } });
  });

  it('names each bad override annotation, its value and the fix', () => {
    const result = readOptIn({ 'autoheal.dev/enabled': 'true', 'autoheal.dev/threshold': '1.5', 'autoheal.dev/steps': 'restrat' }, keys);

    expect(result.kind).toBe('invalid');
    expect(result.kind === 'invalid' && result.message).toMatch(/^annotation autoheal\.dev\/threshold is "1\.5": must be between 0 and 1 \(a probability, e.g\. "0\.7"\); annotation autoheal\.dev\/steps is "restrat": .*\(comma-separated step kinds, e\.g\. "restart,rollback"\)$/);
  });

  it('refuses a threshold that is not a number', () => {
    const result = readOptIn({ 'autoheal.dev/enabled': 'true', 'autoheal.dev/threshold': 'high' }, keys);

    expect(result.kind === 'invalid' && result.message).toMatch(/autoheal\.dev\/threshold is "high"/);
  });
});

import { describe, expect, it } from 'vitest';
import { annotationChanges } from './state-store.js';

describe('annotationChanges', () => {
  it('keeps only what differs: new or changed values, and deletions of keys that exist', () => {
    const current = { 'healing.attempt': '1', 'autoheal.dev/healing-state': '{"lastStep":"restart"}', team: 'payments' };

    const changes = annotationChanges(current, { 'healing.attempt': '2', 'autoheal.dev/healing-state': '{"lastStep":"restart"}', absent: null });

    expect(changes).toEqual({ 'healing.attempt': '2' });
  });

  it('deletes with null, and is empty when the state is already there (no write)', () => {
    expect(annotationChanges({ 'healing.attempt': '3' }, { 'healing.attempt': null })).toEqual({ 'healing.attempt': null });
    expect(annotationChanges({ 'healing.attempt': '3' }, { 'healing.attempt': '3' })).toEqual({});
  });
});

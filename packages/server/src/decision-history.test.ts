import { makeDecisionRecord } from '@autoheal/core/testing';
import { describe, expect, it } from 'vitest';
import { DecisionHistory } from './decision-history.js';

const record = (name: string, index: number) => makeDecisionRecord({ id: `${name}-${index}`, target: { namespace: 'prod', kind: 'Deployment', name } });

describe('DecisionHistory', () => {
  it('keeps `limit` records per target while few targets share the total', () => {
    const history = new DecisionHistory(5, 1_000);
    for (let index = 0; index < 8; index++) history.add(record('a', index));

    expect(history.get('prod/a')?.history.map((r) => r.id)).toEqual(['a-3', 'a-4', 'a-5', 'a-6', 'a-7']);
    expect(history.get('prod/a')?.latest?.id).toBe('a-7');
  });

  it('shares the total evenly when there are many targets, never fewer than 2 each', () => {
    const history = new DecisionHistory(500, 100);
    for (let target = 0; target < 20; target++) history.register({ namespace: 'prod', kind: 'Deployment', name: `t${target}` });
    for (let round = 0; round < 10; round++) for (let target = 0; target < 20; target++) history.add(record(`t${target}`, round));

    expect(history.perTargetLimit()).toBe(5);
    expect(history.list().map((entry) => entry.history.length)).toEqual(Array(20).fill(5));
    expect(history.get('prod/t3')?.history.map((r) => r.id)).toEqual(['t3-5', 't3-6', 't3-7', 't3-8', 't3-9']);

    for (let target = 20; target < 200; target++) history.register({ namespace: 'prod', kind: 'Deployment', name: `t${target}` });
    history.add(record('t0', 10));
    expect(history.perTargetLimit()).toBe(2);
    expect(history.get('prod/t0')?.history.map((r) => r.id)).toEqual(['t0-9', 't0-10']);
  });
});

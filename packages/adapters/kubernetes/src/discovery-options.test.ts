import { describe, expect, it } from 'vitest';
import { kubernetesTargetDiscoveryOptionsSchema, labelSelectorSchema } from './discovery-options.js';
import { invalidSelectorTerm } from './label-selector.js';

describe('label selectors', () => {
  it('accepts every form the API server does', () => {
    for (const selector of ['team=payments', 'team==payments', 'tier!=batch', 'env in (prod, staging)', 'env notin (dev)', 'example.com/owner', '!legacy', 'team=payments,tier in (web,api),!legacy']) {
      expect(invalidSelectorTerm(selector), selector).toBeUndefined();
    }
  });

  it('names the term at fault and the forms to write', () => {
    const result = labelSelectorSchema.safeParse('team=payments,team:search');

    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('"team:search" is not a label selector term: write key=value, key!=value, key in (a,b), key notin (a,b), key or !key, comma-separated, e.g. "team=payments"');
  });

  it('refuses an empty selector, saying what to write', () => {
    expect(labelSelectorSchema.safeParse(' ').error?.issues[0]?.message).toMatch(/^must not be empty: write a label selector/);
  });
});

describe('discovery options', () => {
  it('needs a prefixed opt-in annotation, since the overrides are read under its prefix', () => {
    const result = kubernetesTargetDiscoveryOptionsSchema.safeParse({ namespaceSelector: 'team=payments', annotation: 'enabled' });

    expect(result.error?.issues[0]).toMatchObject({ path: ['annotation'], message: expect.stringContaining('must be a prefixed annotation key such as "autoheal.dev/enabled"') });
  });

  it('defaults the annotation to autoheal.dev/enabled', () => {
    expect(kubernetesTargetDiscoveryOptionsSchema.parse({ namespaceSelector: 'team=payments' }).annotation).toBe('autoheal.dev/enabled');
  });
});

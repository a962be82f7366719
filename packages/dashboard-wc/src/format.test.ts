/** Text rules that must agree with the server's. */
import { targetKey } from '@autoheal/core';
import { describe, expect, it } from 'vitest';
import { keyOf } from './format.js';

describe('keyOf', () => {
  it.each([
    { namespace: 'shop', name: 'cart' },
    { namespace: 'payments', name: 'ledger', cluster: 'eu-1' },
    { namespace: 'payments', name: 'ledger', cluster: 'us/east 1' },
    { namespace: 'payments', name: 'ledger', cluster: undefined },
  ])('keys $namespace/$name (cluster $cluster) as the server does (core targetKey)', (target) => {
    expect(keyOf(target)).toBe(targetKey(target));
  });
});

/** The `discovery:` section: the adapter's schemas, errors that name the field and the fix, the environment variable. */
import { AutohealError } from '@autoheal/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { discoveryOptionsFromConfig } from './adapter-options.js';
import { loadAdapterSchemas } from './adapter-schemas.js';
import { loadConfig, validateConfig } from './load-config.js';

async function failure(act: () => unknown): Promise<string> {
  try {
    await act();
  } catch (error) {
    expect(AutohealError.isInstance(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

beforeAll(async () => {
  await loadAdapterSchemas();
});

describe('discovery configuration', () => {
  it('takes a namespace selector, defaults the annotation, and maps onto the discovery options (no Event in dry-run)', () => {
    const config = validateConfig({ kubernetes: { context: 'prod' }, discovery: { namespaceSelector: 'team=payments' }, policy: { dryRun: true } });

    expect(config.discovery).toEqual({ namespaceSelector: 'team=payments', annotation: 'autoheal.dev/enabled' });
    expect(discoveryOptionsFromConfig(config)).toEqual({ context: 'prod', namespaceSelector: 'team=payments', annotation: 'autoheal.dev/enabled', recordEvents: false });
  });

  it('names a bad selector term and the forms to write', async () => {
    const message = await failure(() => validateConfig({ discovery: { namespaceSelector: 'team:payments' } }));

    expect(message).toContain('discovery.namespaceSelector: "team:payments" is not a label selector term: write key=value, key!=value, key in (a,b), key notin (a,b), key or !key, comma-separated, e.g. "team=payments"');
  });

  it('needs the namespace selector, and a prefixed annotation', async () => {
    expect(await failure(() => validateConfig({ discovery: {} }))).toContain('discovery.namespaceSelector');
    expect(await failure(() => validateConfig({ discovery: { namespaceSelector: 'team=payments', annotation: 'enabled' } }))).toContain(
      'discovery.annotation: must be a prefixed annotation key such as "autoheal.dev/enabled"',
    );
  });

  it('refuses an unknown key of the section', async () => {
    expect(await failure(() => validateConfig({ discovery: { namespaceSelector: 'team=payments', namespaces: ['pay'] } }))).toContain('namespaces');
  });

  it('turns on from AUTOHEAL_DISCOVERY_NAMESPACE_SELECTOR', async () => {
    const config = await loadConfig({ env: { AUTOHEAL_DISCOVERY_NAMESPACE_SELECTOR: 'team=payments' } });

    expect(config.discovery?.namespaceSelector).toBe('team=payments');
  });
});

/** The what-if form's state in plain Node. */
import { describe, expect, it } from 'vitest';
import { AutohealApiError } from './api-client.js';
import { CART, HEALTHY_FEATURES, fixturePredict, makeRecord } from './test/fixture-server.js';
import { prefilledWhatIf, whatIfEdited, whatIfFailed, whatIfRequest, whatIfScored, whatIfSubmitted } from './what-if-state.js';

const NAMES = Object.keys(HEALTHY_FEATURES);

describe('the what-if form', () => {
  it('is filled from the newest record, with missing signals left empty', () => {
    const record = makeRecord(CART, Date.now(), { ...HEALTHY_FEATURES, http_5xx_error_rate: null });

    const state = prefilledWhatIf(NAMES, record);

    expect(state.values.cpu_usage_pct).toBe(String(HEALTHY_FEATURES.cpu_usage_pct));
    expect(state.values.http_5xx_error_rate).toBe('');
  });

  it('sends numbers, and null for an empty field so the server names it', () => {
    const state = whatIfEdited(whatIfEdited(prefilledWhatIf(NAMES, null), 'cpu_usage_pct', ' 12.5 '), 'ready_replica_ratio', '1');

    const body = whatIfRequest(state, NAMES);

    expect(body).toMatchObject({ cpu_usage_pct: 12.5, ready_replica_ratio: 1, restart_count_last_5m: null });
    expect(Object.keys(body)).toEqual(NAMES);
  });

  it('shows a result, and a 400 as per-field errors with the summary', () => {
    const submitted = whatIfSubmitted(prefilledWhatIf(NAMES, null));
    const result = fixturePredict(HEALTHY_FEATURES);
    const invalid = new AutohealApiError('the request body is invalid', 400, 'invalid-request', [{ path: 'ready_replica_ratio', message: 'must be <= 1' }]);

    expect(whatIfScored(submitted, result)).toMatchObject({ busy: false, result });
    expect(whatIfFailed(submitted, invalid)).toMatchObject({
      busy: false,
      result: null,
      fieldErrors: { ready_replica_ratio: 'must be <= 1' },
      error: 'Invalid input: the request body is invalid',
    });
    expect(whatIfFailed(submitted, new AutohealApiError('no', 401, 'unauthorized')).error).toMatch(/^Not authorised \(401\)/);
  });
});

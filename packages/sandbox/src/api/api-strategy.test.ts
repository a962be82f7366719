import { describe, expect, it } from 'vitest';
import { normalizeMicroTime } from './api-strategy.js';

describe('normalizeMicroTime', () => {
  it('pads or truncates the fraction to 6 digits and converts offsets to UTC', () => {
    expect(normalizeMicroTime('2026-01-01T10:00:00.123Z')).toBe('2026-01-01T10:00:00.123000Z');
    expect(normalizeMicroTime('2026-01-01T10:00:00.123456Z')).toBe('2026-01-01T10:00:00.123456Z');
    expect(normalizeMicroTime('2026-01-01T10:00:00.123456789Z')).toBe('2026-01-01T10:00:00.123456Z');
    expect(normalizeMicroTime('2026-01-01T10:00:00Z')).toBe('2026-01-01T10:00:00.000000Z');
    expect(normalizeMicroTime('2026-01-01T11:30:00.5+01:30')).toBe('2026-01-01T10:00:00.500000Z');
  });

  it('rejects text that is not RFC 3339', () => {
    expect(normalizeMicroTime('yesterday')).toBeUndefined();
    expect(normalizeMicroTime('2026-01-01 10:00:00Z')).toBeUndefined();
  });
});

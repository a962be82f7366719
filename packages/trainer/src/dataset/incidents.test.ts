import { describe, expect, it } from 'vitest';
import { parseIncidents } from './incidents.js';

describe('parseIncidents', () => {
  it('reads CSV with a header, in any column order, skipping blank lines and comments', () => {
    const text = 'start,end,target\n2025-01-01T10:00:00Z,2025-01-01T10:20:00Z,prod/backend\n\n# planned\n2025-01-02T00:00:00+01:00,2025-01-02T00:05:00+01:00,prod/web\n';
    expect(parseIncidents(text)).toEqual([
      { target: 'prod/backend', start: Date.parse('2025-01-01T10:00:00Z'), end: Date.parse('2025-01-01T10:20:00Z') },
      { target: 'prod/web', start: Date.parse('2025-01-01T23:00:00Z'), end: Date.parse('2025-01-01T23:05:00Z') },
    ]);
  });

  it('reads a JSON array or an object with incidents', () => {
    const incident = { target: 'prod/backend', start: '2025-01-01T10:00:00Z', end: '2025-01-01T10:20:00Z' };
    expect(parseIncidents(JSON.stringify([incident]))).toHaveLength(1);
    expect(parseIncidents(JSON.stringify({ incidents: [incident, incident] }))).toHaveLength(2);
  });

  it('names the CSV line and field that are wrong', () => {
    const text = 'target,start,end\nprod/backend,2025-01-01T10:00:00Z,2025-01-01T10:20:00Z\nprod/backend,2025-01-01T11:00:00Z,2025-01-01T10:00:00Z\n';
    expect(() => parseIncidents(text, 'incidents.csv')).toThrow(/^\[autoheal\] \[trainer\] invalid incident file incidents\.csv: line 3, field "end": must be after start/);
    expect(() => parseIncidents('target,start,end\nbackend,2025-01-01T10:00:00Z,2025-01-01T10:20:00Z\n')).toThrow(/line 2, field "target": .*namespace\/name/);
    expect(() => parseIncidents('target,start,end\nprod/backend,yesterday,2025-01-01T10:20:00Z\n')).toThrow(/line 2, field "start": must be an ISO 8601 time/);
  });

  it('names the JSON entry and field that are wrong, and a missing header', () => {
    expect(() => parseIncidents(JSON.stringify([{ target: 'prod/backend', start: '2025-01-01T10:00:00Z' }]), 'i.json')).toThrow(/i\.json: incident 1, field "end"/);
    expect(() => parseIncidents('prod/backend,2025-01-01T10:00:00Z,2025-01-01T10:20:00Z\n')).toThrow(/line 1 must be a header naming the columns target,start,end/);
  });
});

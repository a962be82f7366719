import { AutohealError } from '@autoheal/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { seededRandom } from '../test-support/build-models.js';
import { createGenericRowReader, createRowReader, type OnnxFeatureRow, type RowMatrix, type RowReader } from './row-reader.js';

const NAMES = ['restart_count_last_5m', 'cpu_usage_pct', 'memory_usage_bytes', 'ready_replica_ratio', 'unavailable_replicas', 'network_receive_bytes_per_s', 'http_5xx_error_rate'];

/** Objects (keys in two different orders), arrays, nulls, negative zero and extreme doubles. */
function randomRows(seed: number, count: number, names: readonly string[]): OnnxFeatureRow[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, r) => {
    const values = names.map(() => {
      const pick = random();
      return pick < 0.15 ? null : pick < 0.2 ? -0 : pick < 0.22 ? 1e300 : pick < 0.24 ? -5e-324 : (random() - 0.2) * 1e6;
    });
    if (r % 7 === 3) return values;
    const entries = names.map((name, i) => [name, values[i]!] as const);
    return Object.fromEntries(r % 5 === 1 ? entries.reverse() : entries);
  });
}

function read(reader: RowReader, rows: readonly unknown[], width: number, Matrix: typeof Float32Array | typeof Float64Array = Float64Array): RowMatrix | AutohealError {
  const into = new Matrix(rows.length * width);
  try {
    reader(rows as OnnxFeatureRow[], into);
    return into;
  } catch (error) {
    if (!AutohealError.isInstance(error)) throw error;
    return error;
  }
}

describe('createRowReader', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('reads rows exactly as the generic reader does (objects in any key order, arrays, null as NaN, -0, extremes)', () => {
    const rows = randomRows(1, 3000, NAMES);

    const fast = read(createRowReader(NAMES), rows, NAMES.length);
    const generic = read(createGenericRowReader(NAMES), rows, NAMES.length);

    expect(fast).toBeInstanceOf(Float64Array);
    expect(fast).toStrictEqual(generic);
  });

  it('reads into float32 exactly as the generic reader does', () => {
    const rows = randomRows(4, 1000, NAMES);

    expect(read(createRowReader(NAMES), rows, NAMES.length, Float32Array)).toStrictEqual(read(createGenericRowReader(NAMES), rows, NAMES.length, Float32Array));
  });

  it('treats rows with prototypes (null, a class, an object carrying features) as the generic reader does', () => {
    class Row {
      constructor(values: Record<string, number>) {
        Object.assign(this, values);
      }
    }
    const values = Object.fromEntries(NAMES.map((name, i) => [name, i]));
    const inherited = Object.assign(Object.create({ cpu_usage_pct: 5 }) as Record<string, number>, values);
    delete inherited.cpu_usage_pct;
    const rows = [Object.assign(Object.create(null) as object, values), new Row(values), inherited];

    for (const row of rows) {
      expect(read(createRowReader(NAMES), [row], NAMES.length)).toStrictEqual(read(createGenericRowReader(NAMES), [row], NAMES.length));
    }
  });

  it('checks every row exactly while Object.prototype has an enumerable key', () => {
    const values = Object.fromEntries(NAMES.map((name, i) => [name, i]));
    delete values.cpu_usage_pct;
    const polluted = Object.prototype as Record<string, unknown>;
    polluted.cpu_usage_pct = 5;
    try {
      const fast = read(createRowReader(NAMES), [values], NAMES.length);
      const generic = read(createGenericRowReader(NAMES), [values], NAMES.length);

      expect(AutohealError.isInstance(fast)).toBe(true);
      expect((fast as AutohealError).message).toBe((generic as AutohealError).message);
    } finally {
      delete polluted.cpu_usage_pct;
    }
  });

  it('takes any number of features, named anything: names are never code', () => {
    const names = [...Array.from({ length: 16 }, (_, i) => `signal_${i}`), 'a"b', "c'd", 'e\\f', '"]; throw new Error("injected"); //', 'line\u2028break', 'ümlaut', '__proto__x'];
    const rows = randomRows(2, 500, names);

    const fast = read(createRowReader(names), rows, names.length);

    expect(fast).toStrictEqual(read(createGenericRowReader(names), rows, names.length));
  });

  const good = () => Object.fromEntries(NAMES.map((name, i) => [name, i]));
  it.each<[string, unknown]>([
    ['an absent feature', (() => { const row: Record<string, unknown> = good(); delete row.cpu_usage_pct; return row; })()],
    ['an undefined value', { ...good(), cpu_usage_pct: undefined }],
    ['an unknown extra key', { ...good(), colour: 1 }],
    ['an unknown key instead of a feature', (() => { const row: Record<string, unknown> = good(); delete row.http_5xx_error_rate; row.http_5xx = 0; return row; })()],
    ['NaN', { ...good(), memory_usage_bytes: Number.NaN }],
    ['Infinity', { ...good(), memory_usage_bytes: Number.POSITIVE_INFINITY }],
    ['a string', { ...good(), memory_usage_bytes: '12' }],
    ['a boolean', { ...good(), ready_replica_ratio: true }],
    ['a null row', null],
    ['a number row', 5],
    ['a short array', [1, 2, 3]],
    ['an array with a string', [0, 1, 2, 3, 4, 5, 'x']],
  ])('fails on %s with the same INPUT_INVALID error, naming the row', (_, bad) => {
    const rows = [good(), good(), bad, good()];

    const fast = read(createRowReader(NAMES), rows, NAMES.length);
    const generic = read(createGenericRowReader(NAMES), rows, NAMES.length);

    expect(AutohealError.isInstance(fast)).toBe(true);
    const error = fast as AutohealError;
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.message).toContain('row 2');
    expect({ message: error.message, details: error.details }).toStrictEqual({ message: (generic as AutohealError).message, details: (generic as AutohealError).details });
  });

  it('uses the generic reader, with the same results, when the runtime refuses code generation', () => {
    vi.stubGlobal('Function', function refuse() {
      throw new EvalError('Code generation from strings disallowed for this context');
    });
    const reader = createRowReader(NAMES);
    vi.unstubAllGlobals();
    const rows = randomRows(3, 200, NAMES);

    expect(read(reader, rows, NAMES.length)).toStrictEqual(read(createGenericRowReader(NAMES), rows, NAMES.length));
  });
});

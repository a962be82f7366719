/**
 * Turns feature rows (objects keyed by feature name, or arrays in column order) into one row-major
 * matrix of doubles, checking every row the way the model's contract says: every feature present,
 * no other key, each value a finite number or `null` (missing → NaN).
 *
 * Batches of thousands of rows are the common case (a fleet-wide cycle), so the reader for object
 * rows is compiled once per model into a function that reads each feature by its literal name: V8
 * then loads the properties through inline caches instead of a generic keyed lookup per cell, which
 * is several times faster. Any row that does not fit exactly (an array, a missing or extra key, a
 * bad value) is handed to the generic reader, which fills it or throws the same error it always did.
 */
import type { FeatureVector } from '@autoheal/core';
import { inputInvalid } from './errors.js';

/** One row: a vector by feature name, or the values in `featureNames` order. */
export type OnnxFeatureRow = FeatureVector | readonly (number | null)[];

/** A matrix the rows are written into: float32 for onnxruntime, or float64 to keep the values as given. */
export type RowMatrix = Float32Array | Float64Array;

/**
 * Writes `rows` into `into` (length ≥ rows × features, row-major, NaN for `null`). Throws
 * `INPUT_INVALID` for the first row that does not match the model's features.
 */
export type RowReader = (rows: readonly OnnxFeatureRow[], into: RowMatrix) => void;

/** Fills one row at `offset`, or throws the error that names what is wrong with it. */
type ReadOneRow = (row: unknown, index: number, into: RowMatrix, offset: number) => void;

type CompiledReader = (rows: readonly OnnxFeatureRow[], into: RowMatrix, readOne: ReadOneRow, plainPrototype: boolean) => void;

/**
 * A reader for rows of these features. Compiled when the runtime allows code generation (it can be
 * switched off, e.g. with `node --disallow-code-generation-from-strings`); the generic reader
 * otherwise, with the same results and errors.
 */
export function createRowReader(featureNames: readonly string[]): RowReader {
  const generic = createGenericRowReader(featureNames);
  const readOne = genericRowReader(featureNames);
  let into32: CompiledReader;
  let into64: CompiledReader;
  try {
    // One copy per matrix type, so that each stays monomorphic.
    into32 = compileRowReader(featureNames);
    into64 = compileRowReader(featureNames);
  } catch {
    return generic;
  }
  return (rows, into) => {
    // Rows are counted with for-in, which also sees enumerable keys inherited from
    // Object.prototype; in the (odd) case that it has any, every row takes the exact generic check.
    let plainPrototype = true;
    for (const _ in Object.prototype) plainPrototype = false;
    (into instanceof Float32Array ? into32 : into64)(rows, into, readOne, plainPrototype);
  };
}

/** The reader without code generation; also the reference the compiled one is tested against. */
export function createGenericRowReader(featureNames: readonly string[]): RowReader {
  const readOne = genericRowReader(featureNames);
  const width = featureNames.length;
  return (rows, into) => {
    for (let r = 0; r < rows.length; r++) readOne(rows[r], r, into, r * width);
  };
}

function compileRowReader(featureNames: readonly string[]): CompiledReader {
  const width = featureNames.length;
  // Names go into the source as JSON string literals, which are valid JavaScript string literals:
  // a name from the model file cannot become code. `v - v === 0` is "finite" for a number.
  const cell = (read: string, i: number) => `v = ${read};
        if (typeof v === 'number' && v - v === 0) into[o + ${i}] = v;
        else if (v === null) into[o + ${i}] = NaN;
        else { readOne(row, r, into, o); continue; }`;
  const byName = featureNames.map((name, i) => cell(`row[${JSON.stringify(name)}]`, i));
  const byIndex = featureNames.map((_, i) => cell(`row[${i}]`, i));
  // An object row takes the fast path when it is a plain object (or has no prototype) with exactly
  // as many keys as features, and every feature reads as a number or null: then its own keys are
  // exactly the features. Keys are counted with for-in rather than Object.keys, which would
  // allocate an array per row. Anything else goes to the generic reader, which fills the row or
  // throws the error that says what is wrong.
  const source = `"use strict";
    return function readRows(rows, into, readOne, plainPrototype) {
      for (let r = 0, o = 0; r < rows.length; r++, o += ${width}) {
        const row = rows[r];
        let v;
        if (Array.isArray(row)) {
          if (row.length !== ${width}) { readOne(row, r, into, o); continue; }
          ${byIndex.join('\n          ')}
          continue;
        }
        if (typeof row !== 'object' || row === null || !plainPrototype) { readOne(row, r, into, o); continue; }
        const prototype = Object.getPrototypeOf(row);
        if (prototype !== Object.prototype && prototype !== null) { readOne(row, r, into, o); continue; }
        let keys = 0;
        for (const _ in row) keys++;
        if (keys !== ${width}) { readOne(row, r, into, o); continue; }
        ${byName.join('\n        ')}
      }
    };`;
  return new Function(source)() as CompiledReader;
}

function genericRowReader(featureNames: readonly string[]): ReadOneRow {
  const width = featureNames.length;
  return (row, r, into, offset) => {
    if (Array.isArray(row)) {
      if (row.length !== width) throw inputInvalid(`row ${r} has ${row.length} values; the model takes ${width}: ${featureNames.join(', ')}.`, { row: r });
      for (let i = 0; i < width; i++) into[offset + i] = toValue(row[i], featureNames[i]!, r);
      return;
    }
    if (typeof row !== 'object' || row === null) throw inputInvalid(`row ${r} is ${row === null ? 'null' : typeof row}; pass an object keyed by feature name.`, { row: r });
    const vector = row as FeatureVector;
    let present = 0;
    for (const name of featureNames) if (vector[name] !== undefined) present++;
    let keys = 0;
    for (const key in vector) if (Object.hasOwn(vector, key)) keys++;
    if (present !== width || keys !== width) {
      const absent = featureNames.filter((name) => vector[name] === undefined);
      const unknown = Object.keys(vector).filter((name) => !featureNames.includes(name));
      const parts = [absent.length > 0 ? `absent feature(s) ${absent.join(', ')} (use null for a value that could not be measured)` : '', unknown.length > 0 ? `unknown feature(s) ${unknown.join(', ')}` : ''].filter(Boolean);
      throw inputInvalid(`row ${r} does not match the model's features: ${parts.join('; ')}. The model takes ${featureNames.join(', ')}.`, { row: r, absent, unknown });
    }
    for (let i = 0; i < width; i++) into[offset + i] = toValue(vector[featureNames[i]!], featureNames[i]!, r);
  };
}

function toValue(value: unknown, feature: string, row: number): number {
  if (value === null) return Number.NaN;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw inputInvalid(`row ${row}: ${feature} is ${typeof value === 'number' ? String(value) : JSON.stringify(value) ?? typeof value}; pass a finite number, or null when it could not be measured.`, { row, feature });
  }
  return value;
}

/**
 * The adapter's scoring as it was before the batch fast path (row objects read with generic keyed
 * lookups, one reference tree walk per row, contributions sorted per row), kept verbatim in its
 * logic so that a test can check the fast path returns exactly the same results and errors. Test
 * support only: it loads its own onnxruntime session and does none of the load-time checks.
 */
import type { FeatureContribution, FeatureVector } from '@autoheal/core';
import * as ort from 'onnxruntime-node';
import { inputInvalid, modelFailed } from '../src/errors.js';
import { readLinearModel, readOutputHead } from '../src/linear-model.js';
import { decodeModel } from '../src/model-file.js';
import { readModelProperties } from '../src/model-metadata.js';
import type { OnnxFeatureRow, OnnxRiskScore } from '../src/onnx-risk-model.js';
import { createTreeExplainer, readTreeEnsemble } from '../src/tree-ensemble.js';

type RowExplainer = (values: Float32Array, row: number, width: number, contributions: Float64Array) => number;

/** Scores rows the old way. */
export interface ReferenceScorer {
  scoreBatch(rows: readonly OnnxFeatureRow[], options?: { contributions?: boolean }): Promise<OnnxRiskScore[]>;
  close(): Promise<void>;
}

/** A reference scorer for the model in `bytes` (a tree ensemble or a logistic model with a sigmoid head). */
export async function createReferenceScorer(bytes: Uint8Array): Promise<ReferenceScorer> {
  const proto = decodeModel(bytes, 'reference');
  const featureNames = readModelProperties(proto, 'reference').featureNames;
  const width = featureNames.length;
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  const { explain, baseValue } = readExplainer();

  function readExplainer(): { explain: RowExplainer | undefined; baseValue: number | undefined } {
    const ensemble = readTreeEnsemble(proto);
    if (ensemble) {
      const head = readOutputHead(proto, ensemble.outputName, 'probability', ensemble.postTransform === 'LOGISTIC');
      if (typeof head === 'string') return { explain: undefined, baseValue: undefined };
      const trees = createTreeExplainer(ensemble);
      return {
        explain: (values, row, rowWidth, contributions) => {
          const raw = trees.explainRow(values, row, rowWidth, contributions);
          for (let i = 0; i < rowWidth; i++) contributions[i] = contributions[i]! * head.scale;
          return head.scale * raw + head.offset;
        },
        baseValue: head.scale * trees.baseValue + head.offset,
      };
    }
    const linear = readLinearModel(proto, 'features');
    if (!linear) return { explain: undefined, baseValue: undefined };
    const head = readOutputHead(proto, linear.outputName, 'probability', false);
    if (typeof head === 'string') return { explain: undefined, baseValue: undefined };
    const weights = linear.coefficients.map((c) => c * head.scale);
    const intercept = head.scale * linear.intercept + head.offset;
    return {
      explain: (values, row, rowWidth, contributions) => {
        let logit = intercept;
        for (let i = 0; i < rowWidth; i++) {
          const credit = weights[i]! * values[row * rowWidth + i]!;
          contributions[i] = contributions[i]! + credit;
          logit += credit;
        }
        return logit;
      },
      baseValue: intercept,
    };
  }

  function toMatrix(rows: readonly OnnxFeatureRow[]): Float32Array {
    const values = new Float32Array(rows.length * width);
    rows.forEach((row, r) => {
      if (Array.isArray(row)) {
        if (row.length !== width) throw inputInvalid(`row ${r} has ${row.length} values; the model takes ${width}: ${featureNames.join(', ')}.`, { row: r });
        for (let i = 0; i < width; i++) values[r * width + i] = toValue(row[i], featureNames[i]!, r);
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
      for (let i = 0; i < width; i++) values[r * width + i] = toValue(vector[featureNames[i]!], featureNames[i]!, r);
    });
    return values;
  }

  return {
    async scoreBatch(rows, call = {}) {
      if (rows.length === 0) return [];
      const values = toMatrix(rows);
      const result = await session.run({ features: new ort.Tensor('float32', values, [rows.length, width]) }, ['probability']);
      const output = result.probability!.data as Float32Array;
      const withContributions = (call.contributions ?? true) && explain !== undefined;
      const scores: OnnxRiskScore[] = [];
      const credits = new Float64Array(width);
      const order = new Int32Array(width);
      for (let r = 0; r < rows.length; r++) {
        const probability = output[r]!;
        if (!Number.isFinite(probability) || probability < 0 || probability > 1) {
          const missing = featureNames.filter((_, i) => Number.isNaN(values[r * width + i]!));
          throw modelFailed(`the model returned ${probability} for row ${r}${missing.length > 0 ? ` with missing ${missing.join(', ')}` : ''}.`);
        }
        if (!withContributions) {
          scores.push({ probability });
          continue;
        }
        credits.fill(0);
        explain(values, r, width, credits);
        for (let i = 0; i < width; i++) {
          let j = i;
          while (j > 0 && Math.abs(credits[order[j - 1]!]!) < Math.abs(credits[i]!)) {
            order[j] = order[j - 1]!;
            j--;
          }
          order[j] = i;
        }
        const contributions: FeatureContribution[] = new Array(width);
        for (let j = 0; j < width; j++) {
          const i = order[j]!;
          const feature = featureNames[i]!;
          contributions[j] = { feature, value: Number.isNaN(values[r * width + i]!) ? null : rowValue(rows[r]!, feature, i), contribution: credits[i]! };
        }
        scores.push({ probability, contributions, baseValue: baseValue! });
      }
      return scores;
    },
    close: () => session.release(),
  };
}

function rowValue(row: OnnxFeatureRow, feature: string, index: number): number | null {
  const value = Array.isArray(row) ? row[index] : (row as FeatureVector)[feature];
  return value ?? null;
}

function toValue(value: unknown, feature: string, row: number): number {
  if (value === null) return Number.NaN;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw inputInvalid(`row ${row}: ${feature} is ${typeof value === 'number' ? String(value) : JSON.stringify(value) ?? typeof value}; pass a finite number, or null when it could not be measured.`, { row, feature });
  }
  return value;
}

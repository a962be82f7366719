/**
 * Which models `createAutoheal` loads from the config: the judging model (v2 by default) and, beside
 * it, the compatibility model that answers seven-field `/predict` bodies; and the start-up error when
 * the judging model needs features a supplied source does not provide. Real model files, real onnxruntime.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AutohealError, DEFAULT_FEATURE_NAMES } from '@autoheal/core';
import { createInMemoryFeatureSource, createInMemoryHealer } from '@autoheal/core/testing';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { V2_TEST_MODEL } from '../test-support/v2-test-model.js';
import { createAutoheal } from './compose.js';
import { validateConfig } from './config/load-config.js';

const logger = pino({ level: 'silent' });
const V1_MODEL = fileURLToPath(new URL('../../../models/risk-v1.onnx', import.meta.url));
const SHIPPED_V2 = fileURLToPath(new URL('../../../models/risk-v2.onnx', import.meta.url));
const featureSetOf = (model: unknown) => (model as { featureSet?: string } | undefined)?.featureSet;

describe('createAutoheal: the models', () => {
  it('loads a v2 judging model with model v1 beside it for the seven-field body', async () => {
    const autoheal = await createAutoheal(validateConfig({ model: { path: V2_TEST_MODEL, compatibilityPath: V1_MODEL } }), logger);
    try {
      expect(featureSetOf(autoheal.riskModel)).toBe('v2');
      expect(featureSetOf(autoheal.compatibilityModel)).toBe('seed');
      expect(autoheal.compatibilityModel?.featureNames).toEqual(DEFAULT_FEATURE_NAMES);
    } finally {
      await autoheal.close();
    }
  });

  it('loads no compatibility model for a judging model that takes the seven itself, or when turned off', async () => {
    const seedJudge = await createAutoheal(validateConfig({ model: { path: V1_MODEL } }), logger);
    const off = await createAutoheal(validateConfig({ model: { path: V2_TEST_MODEL, compatibilityPath: false } }), logger);
    try {
      expect(seedJudge.compatibilityModel).toBeUndefined();
      expect(off.compatibilityModel).toBeUndefined();
    } finally {
      await seedJudge.close();
      await off.close();
    }
  });

  it('refuses at start-up a v2 model beside a source of the seven, naming the model file, the missing features and what provides them', async () => {
    const compose = createAutoheal(validateConfig({ model: { path: V2_TEST_MODEL }, targets: ['prod/backend'] }), logger, {
      featureSource: createInMemoryFeatureSource({ name: 'seed-only' }),
      healer: createInMemoryHealer(),
      notifiers: [],
    });

    const error = await compose.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(AutohealError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/risk-v2-test\.onnx \(feature set v2\) needs features the feature source does not provide: feature set v2: http_error_ratio, .* — the Prometheus adapter computes them when its featureNames option lists them/);
  });

  it('names model.compatibilityPath, what it is for and how to turn it off when only the compatibility model is missing', async () => {
    // What a user meets who sets model.path to an absolute path and runs from another directory: the
    // default compatibilityPath (models/risk-v1.onnx, relative) is not there.
    const missing = '/nonexistent/models/risk-v1.onnx';
    const error = await createAutoheal(validateConfig({ model: { path: V2_TEST_MODEL, compatibilityPath: missing } }), logger).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(AutohealError.isInstance(error)).toBe(true);
    expect((error as AutohealError).code).toBe('MODEL_INVALID');
    const message = (error as Error).message;
    expect(message).toMatch(/^\[autoheal\] \[config\] model\.compatibilityPath \/nonexistent\/models\/risk-v1\.onnx cannot be loaded: model file not found: /);
    expect(message).toContain(`beside model.path (${V2_TEST_MODEL})`);
    expect(message).toContain('AUTOHEAL_COMPATIBILITY_MODEL_PATH');
    expect(message).toContain('or set it to false');
  });

  it.runIf(existsSync(SHIPPED_V2))('loads the shipped models/risk-v2.onnx and models/risk-v1.onnx with the default model section', async () => {
    const defaults = validateConfig({}).model;
    const resolve = (file: string) => fileURLToPath(new URL(`../../../${file}`, import.meta.url));
    const autoheal = await createAutoheal(validateConfig({ model: { path: resolve(defaults.path), compatibilityPath: resolve(defaults.compatibilityPath as string) } }), logger);
    try {
      expect(featureSetOf(autoheal.riskModel)).toBe('v2');
      expect(featureSetOf(autoheal.compatibilityModel)).toBe('seed');
    } finally {
      await autoheal.close();
    }
  });
});

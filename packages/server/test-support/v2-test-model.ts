/**
 * A small feature-set-v2 model file for server tests, beside the shipped models/risk-v2.onnx: the
 * ONNX adapter's `buildV2TreeModel` (three hand-checkable trees, `feature_set: v2`, threshold 0.4),
 * written to `fixtures/risk-v2-test.onnx`; the adapter's tests check the file still equals the builder's
 * output. Its probabilities: sigmoid(-0.5 + error ratio > 5% ? 2.5 : -1.0 + ready ratio < 0.75 or
 * missing ? 2.5 : -0.5 + restarts per pod > 0.5 ? 2.0 : -0.3).
 */
import { fileURLToPath } from 'node:url';
import { HEALTHY_FEATURES_V2 } from '@autoheal/core/testing';

/** The fixture's path. */
export const V2_TEST_MODEL = fileURLToPath(new URL('./fixtures/risk-v2-test.onnx', import.meta.url));
/** The threshold its metadata recommends. */
export const V2_TEST_THRESHOLD = 0.4;

/** A healthy v2 body: core's healthy v2 vector, with an earlier release that was as healthy (a /predict body has no nulls). */
export const HEALTHY_V2 = { ...HEALTHY_FEATURES_V2, previous_release_error_ratio: 0.001, previous_release_ready_ratio: 1 } as Record<string, number>;

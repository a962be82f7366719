/**
 * The what-if form's state: the edited values, the request in flight, and the answer (a result, or
 * per-field errors from a 400). Pure functions, no DOM; the store keeps one of these.
 */
import { AutohealApiError } from './api-client.js';
import { describeRequestError } from './format.js';
import type { DecisionRecord, PredictResult } from './types.js';

/** The form: one text value per feature, and the last answer. */
export interface WhatIfState {
  /** Per feature name, the text in its field (`''` = missing). */
  values: Record<string, string>;
  busy: boolean;
  result: PredictResult | null;
  /** Per feature name, the server's message from a 400. */
  fieldErrors: Record<string, string>;
  error: string | null;
}

/** The form filled with `latest`'s values (empty fields for missing ones), no answer yet. */
export function prefilledWhatIf(featureNames: readonly string[], latest: DecisionRecord | null): WhatIfState {
  const values: Record<string, string> = {};
  for (const name of featureNames) {
    const value = latest?.features[name];
    values[name] = value === null || value === undefined ? '' : String(value);
  }
  return { values, busy: false, result: null, fieldErrors: {}, error: null };
}

/** The user typed `value` into `name`'s field. */
export function whatIfEdited(state: WhatIfState, name: string, value: string): WhatIfState {
  return { ...state, values: { ...state.values, [name]: value } };
}

/**
 * The `POST /predict` body for the form. An empty field is sent as `null` so that the server, not
 * the form, says what is wrong with it.
 */
export function whatIfRequest(state: WhatIfState, featureNames: readonly string[]): Record<string, number | null> {
  const body: Record<string, number | null> = {};
  for (const name of featureNames) {
    const text = (state.values[name] ?? '').trim();
    body[name] = text === '' ? null : Number(text);
  }
  return body;
}

/** The form was submitted. */
export function whatIfSubmitted(state: WhatIfState): WhatIfState {
  return { ...state, busy: true, error: null, fieldErrors: {} };
}

/** The server scored the values. */
export function whatIfScored(state: WhatIfState, result: PredictResult): WhatIfState {
  return { ...state, busy: false, result };
}

/** The request failed; a 400's field errors go next to their fields. */
export function whatIfFailed(state: WhatIfState, error: unknown): WhatIfState {
  const fieldErrors: Record<string, string> = {};
  if (AutohealApiError.isInstance(error)) {
    for (const field of error.fields) fieldErrors[field.path] = field.message;
  }
  const message = AutohealApiError.isInstance(error) && error.status === 400 ? `Invalid input: ${error.message}` : describeRequestError(error);
  return { ...state, busy: false, result: null, fieldErrors, error: message };
}

/**
 * The pause mark an operator leaves: the `autoheal.dev/paused` annotation, on a Deployment (that
 * target) or on autoheal's pause ConfigMap (every target). `autoheal pause` writes it as JSON
 * (`{"by":"alice","since":"2026-12-07T16:00:00Z","until":"2026-12-07T18:00:00Z","reason":"db migration"}`,
 * times in ISO-8601 so `kubectl get -o yaml` reads them); a hand-written value works too:
 * `kubectl annotate deployment web autoheal.dev/paused="db migration"` pauses with that reason,
 * `true` pauses without one, `false` (or an empty value) does not pause.
 *
 * Why an unreadable value still pauses: the mark says an operator wanted autoheal's hands off; a
 * typo in it must not hand the workload back (the reason says how to fix it).
 */
import type { PauseMark, PauseScope } from '@autoheal/core';
import { z } from 'zod';

/** The annotation of a pause mark. */
export const PAUSE_ANNOTATION = 'autoheal.dev/paused';

/** What `autoheal pause` writes (and what a JSON mark may hold). */
export interface PauseRequest {
  /** Who paused (e.g. the operator's user name). */
  by?: string;
  /** Epoch ms of the pause. */
  since?: number;
  /** Epoch ms the pause ends by itself. */
  until?: number;
  reason?: string;
}

const time = z.union([z.string().datetime({ offset: true }).transform((text) => Date.parse(text)), z.number().int().min(0)]);
const jsonMarkSchema = z.object({ by: z.string().optional(), since: time.optional(), until: time.optional(), reason: z.string().optional() });

/** The annotation value of a pause (JSON, times in ISO-8601). */
export function pauseAnnotationValue(request: PauseRequest): string {
  const iso = (epochMs: number | undefined) => (epochMs === undefined ? undefined : new Date(epochMs).toISOString().replace(/\.000Z$/, 'Z'));
  return JSON.stringify({ by: request.by, since: iso(request.since), until: iso(request.until), reason: request.reason });
}

/**
 * The pause mark of an annotation value, or `undefined` when it does not pause (absent, empty,
 * `false`). `source` says where the mark is, for records and `autoheal status`.
 */
export function pauseMarkOf(value: string | undefined, scope: PauseScope, source: string): PauseMark | undefined {
  const text = value?.trim();
  if (text === undefined || text === '' || text.toLowerCase() === 'false') return undefined;
  if (!text.startsWith('{')) return { scope, source, ...(text.toLowerCase() === 'true' ? {} : { reason: text }) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const result = jsonMarkSchema.safeParse(parsed);
  if (!result.success) {
    return { scope, source, reason: `unreadable ${PAUSE_ANNOTATION} value ${JSON.stringify(text.slice(0, 80))}: still paused; autoheal resume (or kubectl annotate … ${PAUSE_ANNOTATION}-) removes it` };
  }
  const { by, since, until, reason } = result.data;
  return { scope, source, ...(by ? { by } : {}), ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}), ...(reason ? { reason } : {}) };
}

/**
 * Incident files: when each workload was in breach, to label real history. CSV with a header
 * (`target,start,end`) or JSON (an array of `{ target, start, end }`, or `{ "incidents": [...] }`);
 * `target` is `namespace/name`, times are ISO 8601 with a zone. Errors name the row and the field.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { parseTargetString } from '@autoheal/core';
import { errorMessage } from '@autoheal/core';
import { trainerConfigError } from '../errors.js';

/** One incident window of one workload. */
export interface Incident {
  /** `namespace/name`. */
  target: string;
  /** Epoch ms. */
  start: number;
  /** Epoch ms, after `start`. */
  end: number;
}

const isoTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time with a zone, e.g. 2025-01-01T10:00:00Z' });

/** Schema of one incident as written in the file. */
export const incidentSchema = z
  .strictObject({
    target: z.string({ error: 'is required: namespace/name, e.g. prod/backend' }).superRefine((value, ctx) => {
      try {
        parseTargetString(value);
        if (!value.includes('/')) ctx.addIssue({ code: 'custom', message: `"${value}" must be namespace/name, e.g. prod/backend` });
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: errorMessage(error) });
      }
    }),
    start: isoTime,
    end: isoTime,
  })
  .refine((incident) => Date.parse(incident.end) > Date.parse(incident.start), { message: 'must be after start', path: ['end'] });

function invalid(file: string, where: string, issues: z.ZodError): never {
  const issue = issues.issues[0];
  const field = issue && issue.path.length > 0 ? `field "${issue.path.join('.')}"` : 'the row';
  throw trainerConfigError(`invalid incident file ${file}: ${where}, ${field}: ${issue?.message ?? 'is invalid'}. Fix that entry (columns: target,start,end).`, issues.issues);
}

function toIncident(raw: z.output<typeof incidentSchema>): Incident {
  const target = parseTargetString(raw.target);
  return { target: `${target.namespace}/${target.name}`, start: Date.parse(raw.start), end: Date.parse(raw.end) };
}

/** Parses incident text; `file` names it in errors. Format: JSON when it starts with `[` or `{`, else CSV. */
export function parseIncidents(text: string, file = 'incidents'): Incident[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let data: unknown;
    try {
      data = JSON.parse(trimmed);
    } catch (error) {
      throw trainerConfigError(`invalid incident file ${file}: not valid JSON (${errorMessage(error)}); write an array of { "target", "start", "end" }`);
    }
    const list = Array.isArray(data) ? data : (data as { incidents?: unknown }).incidents;
    if (!Array.isArray(list)) throw trainerConfigError(`invalid incident file ${file}: expected an array of incidents or { "incidents": [...] }`);
    return list.map((entry, index) => {
      const parsed = incidentSchema.safeParse(entry);
      if (!parsed.success) invalid(file, `incident ${index + 1}`, parsed.error);
      return toIncident(parsed.data);
    });
  }
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  const columns = ['target', 'start', 'end'].map((name) => header.indexOf(name));
  if (columns.some((c) => c < 0)) throw trainerConfigError(`invalid incident file ${file}: line 1 must be a header naming the columns target,start,end (found "${lines[0] ?? ''}")`);
  const incidents: Incident[] = [];
  lines.forEach((line, index) => {
    if (index === 0 || line.trim() === '' || line.trim().startsWith('#')) return;
    const cells = line.split(',').map((c) => c.trim());
    const entry = { target: cells[columns[0] as number], start: cells[columns[1] as number], end: cells[columns[2] as number] };
    const parsed = incidentSchema.safeParse(entry);
    if (!parsed.success) invalid(file, `line ${index + 1}`, parsed.error);
    incidents.push(toIncident(parsed.data));
  });
  return incidents;
}

/** Reads and parses an incident file. */
export async function readIncidents(path: string): Promise<Incident[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw trainerConfigError(`cannot read incident file ${path}: ${errorMessage(error)}; pass an existing CSV or JSON file with --incidents`);
  }
  return parseIncidents(text, path);
}

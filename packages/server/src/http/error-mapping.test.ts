import { AdapterError, ConfigError, HealingError } from '@autoheal/core';
import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError, createErrorMapping, invalidRequest } from './error-mapping.js';

function mapping() {
  const logged: unknown[] = [];
  const logger = { error: (object: unknown) => logged.push(object) } as unknown as Logger;
  return { errors: createErrorMapping({ bodyLimitBytes: 1024, logger }), logged };
}
const request = { method: 'post', path: '/api/targets/prod/backend/evaluate' };
const boom = (statusCode: number, message: string) => Object.assign(new Error(message), { isBoom: true, output: { statusCode } });

describe('error mapping', () => {
  it('answers an ApiError with its own status, code, fields and headers', () => {
    const { errors } = mapping();
    const error = new ApiError(401, 'unauthorized', 'send the token', undefined, { 'WWW-Authenticate': 'Bearer' });
    expect(errors.answer(error, request)).toEqual({ status: 401, body: { error: 'unauthorized', message: 'send the token' }, headers: { 'WWW-Authenticate': 'Bearer' } });
    expect(errors.answer(invalidRequest([{ path: 'a', message: 'is required' }]), request).body).toEqual({
      error: 'invalid-request',
      message: 'the request body is invalid: a: is required',
      fields: [{ path: 'a', message: 'is required' }],
    });
  });

  it('answers a zod error with 400 and every wrong field named', () => {
    const { errors } = mapping();
    const result = z.object({ cpu: z.number(), ratio: z.number().max(1) }).safeParse({ ratio: 2 });
    const { status, body } = errors.answer(result.error, request);
    expect(status).toBe(400);
    expect(body.error).toBe('invalid-request');
    expect(body.fields!.map((f) => f.path)).toEqual(['cpu', 'ratio']);
  });

  it('maps autoheal errors by code, and hides the cause of the server-side ones', () => {
    const { errors, logged } = mapping();
    const input = new ConfigError('bad target', { component: 'server', code: 'INPUT_INVALID', details: [{ path: 'name', message: 'must be a DNS name' }] });
    expect(errors.answer(input, request)).toMatchObject({ status: 400, body: { error: 'invalid-request', fields: [{ path: 'name' }] } });
    const refused = new HealingError('the Deployment is paused', { component: 'kubernetes', code: 'HEALING_REFUSED' });
    expect(errors.answer(refused, request)).toMatchObject({ status: 409, body: { error: 'refused', message: refused.message } });
    const failed = new AdapterError('token secret-123 rejected', { component: 'prometheus' });
    expect(errors.answer(failed, request)).toEqual({ status: 500, body: { error: 'internal-error', message: 'internal error; see the server log' }, headers: {} });
    expect(logged).toHaveLength(1);
  });

  it("words Hapi's own errors for a person", () => {
    const { errors, logged } = mapping();
    expect(errors.answer(boom(400, 'Invalid request payload JSON format'), request).body.message).toBe('the request body is not valid JSON');
    expect(errors.answer(boom(404, 'Not Found'), { method: 'get', path: '/nope' }).body).toEqual({ error: 'not-found', message: 'no route GET /nope; see /openapi.json' });
    expect(errors.answer(boom(413, 'Payload too large'), request).body).toEqual({ error: 'payload-too-large', message: 'the request body is larger than 1024 bytes (1 KiB), the limit of POST /api/targets/prod/backend/evaluate' });
    expect(errors.answer(boom(413, 'Payload too large'), { method: 'post', path: '/predict/batch', bodyLimitBytes: 4 * 1024 * 1024 }).body.message).toBe(
      'the request body is larger than 4194304 bytes (4 MiB), the limit of POST /predict/batch',
    );
    expect(errors.answer(boom(415, 'Unsupported Media Type'), request).body.error).toBe('unsupported-media-type');
    expect(errors.answer(boom(500, 'boom'), request).status).toBe(500);
    expect(errors.answer(new TypeError('x is undefined'), request).body.error).toBe('internal-error');
    expect(logged).toHaveLength(2);
  });
});

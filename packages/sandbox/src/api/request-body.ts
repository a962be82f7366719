/**
 * Reading and decoding request bodies the way the API server does: JSON or YAML for objects, the
 * four patch formats for PATCH, and a 400/415 Status for anything else.
 */
import type http from 'node:http';
import { parse as parseYaml } from 'yaml';
import { decodeProtobufObject } from './protobuf-decoder.js';
import { rememberBody } from './request-log.js';
import { badRequest, unsupportedMediaType } from '../base/status-error.js';

/** Largest accepted body; the real API server's limit is 3 MiB. */
const maxBodyBytes = 3 * 1024 * 1024;

/** Reads the whole request body as text (413-style 400 if it is too large). */
export async function readBody(request: http.IncomingMessage): Promise<string> {
  return (await readRawBody(request)).toString('utf8');
}

/** Reads the whole request body as bytes (413-style 400 if it is too large). */
export async function readRawBody(request: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buffer.length;
    if (size > maxBodyBytes) throw badRequest('the request body is too large');
    chunks.push(buffer);
  }
  const body = Buffer.concat(chunks);
  rememberBody(request, body);
  return body;
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaTypeOf(request: http.IncomingMessage): string {
  return String(request.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
}

/**
 * Decodes a create/update body (JSON, or YAML when sent as such). `expectedKind` is used in
 * messages. Throws 400 for unparsable or non-object bodies, 415 for other media types.
 */
export function decodeObjectBody(text: string, mediaType: string, expectedKind: string): Record<string, unknown> {
  let value: unknown;
  if (mediaType === '' || mediaType === 'application/json' || mediaType === '*/*') {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw badRequest(
        `the object provided is unrecognized (must be of type ${expectedKind}): couldn't get version/kind; json parse error: ${(error as Error).message}`,
      );
    }
  } else if (mediaType === 'application/yaml' || mediaType === 'application/x-yaml' || mediaType === 'text/yaml') {
    try {
      value = parseYaml(text);
    } catch (error) {
      throw badRequest(`the object provided is unrecognized (must be of type ${expectedKind}): ${(error as Error).message}`);
    }
  } else {
    throw unsupportedMediaType(mediaType, ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(`the object provided is unrecognized (must be of type ${expectedKind}): couldn't get version/kind; json parse error: expected an object`);
  }
  return value as Record<string, unknown>;
}

/** The patch formats the server applies. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** Maps a PATCH Content-Type to its format; anything else is a 415. */
export function patchTypeOf(mediaType: string): PatchType {
  switch (mediaType) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
      return 'apply';
    default:
      throw unsupportedMediaType(mediaType);
  }
}

/** Parses a PATCH body: JSON for the JSON-based types, YAML (a superset of JSON) for apply. */
export function decodePatchBody(text: string, patchType: PatchType): unknown {
  try {
    return patchType === 'apply' ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw badRequest(`error decoding patch: ${(error as Error).message}`);
  }
}

/**
 * Reads and decodes a create/update body: JSON, YAML, or the protobuf kubectl's typed clients send
 * (for the kinds `protobuf-decoder.ts` knows).
 */
export async function decodeRequestObject(request: http.IncomingMessage, expectedKind: string): Promise<Record<string, unknown>> {
  const mediaType = mediaTypeOf(request);
  if (mediaType === 'application/vnd.kubernetes.protobuf') return decodeProtobufObject(await readRawBody(request));
  return decodeObjectBody(await readBody(request), mediaType, expectedKind);
}

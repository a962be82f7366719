/**
 * Decodes the one protobuf body the sandbox must understand: kubectl's typed clients send
 * `SelfSubjectAccessReview` as `application/vnd.kubernetes.protobuf` (`kubectl auth can-i`). The
 * wire format is the `k8s\0` magic, then a `runtime.Unknown` whose `raw` field holds the object.
 */
import { badRequest } from './status-error.js';

/** One field of a protobuf message: its number and, for length-delimited fields, the bytes. */
interface ProtobufField {
  number: number;
  bytes?: Buffer;
}

function readVarint(buffer: Buffer, offset: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let position = offset;
  for (;;) {
    if (position >= buffer.length) throw badRequest('truncated protobuf body');
    const byte = buffer[position]!;
    position += 1;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next: position };
    shift += 7;
    if (shift > 63) throw badRequest('malformed protobuf varint');
  }
}

/** Splits a protobuf message into its fields (varints are skipped: none are needed here). */
function readFields(buffer: Buffer): ProtobufField[] {
  const fields: ProtobufField[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const key = readVarint(buffer, offset);
    offset = key.next;
    const number = Math.floor(key.value / 8);
    const wireType = key.value % 8;
    if (wireType === 0) {
      offset = readVarint(buffer, offset).next;
      fields.push({ number });
    } else if (wireType === 2) {
      const length = readVarint(buffer, offset);
      offset = length.next;
      if (offset + length.value > buffer.length) throw badRequest('truncated protobuf body');
      fields.push({ number, bytes: buffer.subarray(offset, offset + length.value) });
      offset += length.value;
    } else if (wireType === 1) {
      offset += 8;
    } else if (wireType === 5) {
      offset += 4;
    } else {
      throw badRequest(`unsupported protobuf wire type ${wireType}`);
    }
  }
  return fields;
}

function stringFields(buffer: Buffer, names: Record<number, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const field of readFields(buffer)) {
    const name = names[field.number];
    if (name && field.bytes) result[name] = field.bytes.toString('utf8');
  }
  return result;
}

/**
 * Decodes a protobuf-encoded `SelfSubjectAccessReview` into its JSON form (spec only; metadata and
 * status are not needed to answer it).
 */
export function decodeSelfSubjectAccessReview(body: Buffer): Record<string, unknown> {
  const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
  if (body.length < 4 || !body.subarray(0, 4).equals(magic)) throw badRequest('protobuf body without the k8s magic prefix');
  const unknown = readFields(body.subarray(4));
  const raw = unknown.find((field) => field.number === 2)?.bytes;
  if (!raw) throw badRequest('protobuf body without an object');
  const spec: Record<string, unknown> = {};
  for (const field of readFields(raw)) {
    if (field.number !== 2 || !field.bytes) continue;
    for (const specField of readFields(field.bytes)) {
      if (!specField.bytes) continue;
      if (specField.number === 1) {
        spec.resourceAttributes = stringFields(specField.bytes, { 1: 'namespace', 2: 'verb', 3: 'group', 4: 'version', 5: 'resource', 6: 'subresource', 7: 'name' });
      } else if (specField.number === 2) {
        spec.nonResourceAttributes = stringFields(specField.bytes, { 1: 'path', 2: 'verb' });
      }
    }
  }
  return { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {}, spec };
}

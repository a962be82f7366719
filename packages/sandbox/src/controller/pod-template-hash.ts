/**
 * The `pod-template-hash` of a ReplicaSet. The real controller hashes a go-spew dump of the
 * PodTemplateSpec, which cannot be reproduced outside Go; we hash canonical JSON instead with the
 * same FNV-1a-32 function and the same digit-to-letter encoding, so names look and behave like
 * real ones (`backend-7c4c8d5d4f`) and are stable for equal templates.
 */

/**
 * JSON with object keys sorted, so equal templates always serialise the same way. Object fields
 * that are `null` count as absent, as after the API server's typed decoding (kubectl sends
 * `"creationTimestamp": null` inside pod templates).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined && record[key] !== null)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
}

/** FNV-1a, 32 bits, over the UTF-8 bytes of `text` plus optional extra bytes. */
export function fnv1a32(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Kubernetes' `rand.SafeEncodeString`: each character maps to one of 27 vowel-free characters. */
const safeAlphabet = 'bcdfghjklmnpqrstvwxz2456789';
export function safeEncodeString(text: string): string {
  let encoded = '';
  for (let index = 0; index < text.length; index += 1) encoded += safeAlphabet[text.charCodeAt(index) % safeAlphabet.length];
  return encoded;
}

/**
 * Computes the hash of a pod template as `controller.ComputeHash` does: FNV-1a-32, then the
 * collision count as 8 little-endian bytes when set, then the decimal digits safe-encoded.
 */
export function computePodTemplateHash(template: unknown, collisionCount?: number): string {
  const json = new TextEncoder().encode(canonicalJson(template));
  let bytes = json;
  if (collisionCount !== undefined && collisionCount !== 0) {
    bytes = new Uint8Array(json.length + 8);
    bytes.set(json);
    new DataView(bytes.buffer).setBigUint64(json.length, BigInt(collisionCount), true);
  }
  return safeEncodeString(String(fnv1a32(bytes)));
}

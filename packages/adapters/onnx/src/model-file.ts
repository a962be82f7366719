/**
 * Getting the model's bytes and recognising the files that are not an ONNX model. The original
 * project shipped an opaque `model.pkl` and had to check by hand that it was not a Git LFS pointer;
 * here every such mistake fails at load with a message that names what the file actually is.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { modelInvalid } from './errors.js';
import { onnx, type ModelProto } from './onnx-graph.js';

/** What the user pointed us at, for messages: a path or "the modelBytes option". */
export function describeSource(path: string | undefined): string {
  return path === undefined ? 'the model passed as modelBytes' : `the model file ${path}`;
}

/** Reads the model file, turning file-system errors into messages that say how to fix them. */
export async function readModelFile(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const absolute = resolve(path);
    if (code === 'ENOENT') {
      throw modelInvalid(`model file not found: ${path} (resolved to ${absolute}). Set modelPath to the exported .onnx file (the shipped models are models/risk-v2.onnx, the default, and models/risk-v1.onnx for the seven seed features), or pass modelBytes.`, { path: absolute }, error);
    }
    if (code === 'EISDIR') {
      throw modelInvalid(`modelPath ${path} is a directory; point it at the .onnx file inside it.`, { path: absolute }, error);
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw modelInvalid(`model file ${path} cannot be read (permission denied); make it readable by the user running autoheal.`, { path: absolute }, error);
    }
    throw modelInvalid(`model file ${path} could not be read (${code ?? 'unknown error'}); check the path and the file.`, { path: absolute }, error);
  }
}

const LFS_POINTER_PREFIX = 'version https://git-lfs.github.com/spec/v1';

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}

function asciiHead(bytes: Uint8Array, length: number): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, length));
}

/**
 * Throws `MODEL_INVALID` when the bytes are recognisably something other than an ONNX protobuf:
 * empty, a Git LFS pointer, HTML or JSON text (a failed download), a Python pickle, an archive.
 */
export function assertLooksLikeOnnx(bytes: Uint8Array, source: string): void {
  if (bytes.length === 0) {
    throw modelInvalid(`${source} is empty (0 bytes). The export or the copy did not finish: export the model again (npm run train -w @autoheal/trainer) or download it again.`);
  }
  const head = asciiHead(bytes, 512);
  if (head.startsWith(LFS_POINTER_PREFIX)) {
    const oid = /oid sha256:([0-9a-f]{64})/.exec(head)?.[1];
    const size = /size (\d+)/.exec(head)?.[1];
    throw modelInvalid(
      `${source} is a Git LFS pointer (${bytes.length} bytes of text${oid ? `, oid sha256:${oid.slice(0, 12)}…` : ''}${size ? `, real size ${size} bytes` : ''}), not the model. Run \`git lfs install && git lfs pull\` in the repository (in CI, check out with LFS enabled), then load it again.`,
      { kind: 'git-lfs-pointer', oid, size: size === undefined ? undefined : Number(size) },
    );
  }
  const text = head.trimStart().toLowerCase();
  if (text.startsWith('<!doctype html') || text.startsWith('<html') || text.startsWith('<?xml')) {
    throw modelInvalid(`${source} is an HTML/XML page (probably an error or login page saved by a failed download), not an ONNX model. Download the model again and check the URL and credentials.`, { kind: 'html' });
  }
  if (text.startsWith('{') || text.startsWith('[')) {
    throw modelInvalid(`${source} is JSON text, not an ONNX model. Point modelPath at the .onnx file the trainer exported.`, { kind: 'json' });
  }
  // Pickle protocol 2+ starts with 0x80 and the protocol number: the original project's model.pkl.
  if (bytes[0] === 0x80 && (bytes[1] ?? 0) >= 2 && (bytes[1] ?? 0) <= 5) {
    throw modelInvalid(`${source} is a Python pickle (like the original project's model.pkl), not ONNX. Export the model to ONNX with @autoheal/trainer (or skl2onnx) and load the .onnx file.`, { kind: 'pickle' });
  }
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    throw modelInvalid(`${source} is a zip archive, not an ONNX model. Unpack it and point modelPath at the .onnx file inside.`, { kind: 'zip' });
  }
  if (startsWith(bytes, [0x1f, 0x8b])) {
    throw modelInvalid(`${source} is gzip-compressed. Decompress it (gunzip) and load the .onnx file.`, { kind: 'gzip' });
  }
}

/**
 * Decodes the ONNX protobuf. A truncated file fails here (protobuf reads past the end), and so do
 * most random files; a file that decodes but has no graph or opset is not a model either.
 */
export function decodeModel(bytes: Uint8Array, source: string): ModelProto {
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw modelInvalid(
      `${source} (${bytes.length} bytes) is not a readable ONNX model: the protobuf ends early or is malformed, so the file is truncated or is not ONNX. Export it again, or copy it again and compare its size and checksum with the original.`,
      { kind: 'undecodable', sizeBytes: bytes.length },
      error,
    );
  }
  const nodes = model.graph?.node?.length ?? 0;
  if (!model.graph || nodes === 0 || (model.opsetImport?.length ?? 0) === 0) {
    throw modelInvalid(
      `${source} (${bytes.length} bytes) is not an ONNX model: it has ${model.graph ? `a graph with ${nodes} nodes` : 'no graph'} and ${model.opsetImport?.length ?? 0} opset imports. The file is truncated or is another protobuf; export it again.`,
      { kind: 'not-onnx', sizeBytes: bytes.length },
    );
  }
  return model;
}

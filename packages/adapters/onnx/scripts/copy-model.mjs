#!/usr/bin/env node
// Copies the shipped risk model (the repository's models/risk-v1.onnx, its card and its SHA-256)
// into this package's models/ folder, so `npm install @autoheal/adapter-onnx` brings a model that
// works out of the box. Run by `npm run build`; the copy is checked against models/risk-v1.sha256 so
// a stale or half-written model is never packed.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.resolve(packageRoot, '..', '..', '..', 'models');
const target = path.join(packageRoot, 'models');
const files = ['risk-v1.onnx', 'risk-v1.card.md', 'risk-v1.sha256'];

const model = await readFile(path.join(source, 'risk-v1.onnx'));
const expected = (await readFile(path.join(source, 'risk-v1.sha256'), 'utf8')).trim().split(/\s+/)[0];
const actual = createHash('sha256').update(model).digest('hex');
if (actual !== expected) {
  console.error(`[adapter-onnx] models/risk-v1.onnx has SHA-256 ${actual}, but models/risk-v1.sha256 says ${expected}: rebuild the model (npm run build:model) or fix the checksum file`);
  process.exit(1);
}
await mkdir(target, { recursive: true });
for (const file of files) await writeFile(path.join(target, file), await readFile(path.join(source, file)));
console.log(`[adapter-onnx] copied ${files.join(', ')} to models/`);

#!/usr/bin/env node
// Copies the shipped risk models (the repository's models/risk-v1.onnx and, once built,
// models/risk-v2.onnx — the default judge — each with its card and SHA-256) into this package's
// models/ folder, so `npm install @autoheal/adapter-onnx` brings models that work out of the box.
// Run by `npm run build`; each copy is checked against its .sha256 file so a stale or half-written
// model is never packed.
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.resolve(packageRoot, '..', '..', '..', 'models');
const target = path.join(packageRoot, 'models');
const exists = (file) => access(file).then(() => true, () => false);

/** [name, required]: v1 is always there; v2 is copied when it has been built. */
const models = [['risk-v1', true], ['risk-v2', false]];
const copied = [];
await mkdir(target, { recursive: true });
for (const [name, required] of models) {
  const modelFile = path.join(source, `${name}.onnx`);
  if (!required && !(await exists(modelFile))) continue;
  const model = await readFile(modelFile);
  const expected = (await readFile(path.join(source, `${name}.sha256`), 'utf8')).trim().split(/\s+/)[0];
  const actual = createHash('sha256').update(model).digest('hex');
  if (actual !== expected) {
    console.error(`[adapter-onnx] models/${name}.onnx has SHA-256 ${actual}, but models/${name}.sha256 says ${expected}: rebuild the model (npm run build:model) or fix the checksum file`);
    process.exit(1);
  }
  for (const file of [`${name}.onnx`, `${name}.card.md`, `${name}.sha256`]) {
    if (!(await exists(path.join(source, file)))) continue;
    await writeFile(path.join(target, file), await readFile(path.join(source, file)));
    copied.push(file);
  }
}
console.log(`[adapter-onnx] copied ${copied.join(', ')} to models/`);

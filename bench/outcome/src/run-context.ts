/** What a process keeps between its runs: the ONNX models (loaded once) and a kubeconfig file to rewrite. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createOnnxRiskModel } from '@autoheal/adapter-onnx';
import type { RiskModel } from '@autoheal/core';
import type { RunContext } from './run-scenario.js';

/** A {@link RunContext} that owns its temporary directory and models. */
export interface OwnedRunContext extends RunContext {
  close(): Promise<void>;
}

/** Creates the context of one process. */
export function createRunContext(): OwnedRunContext {
  const directory = mkdtempSync(path.join(tmpdir(), 'autoheal-outcome-'));
  const models = new Map<string, Promise<RiskModel>>();
  return {
    kubeconfigPath: path.join(directory, 'kubeconfig'),
    onnxModel(modelPath) {
      let model = models.get(modelPath);
      if (!model) {
        // As the server composes it (compose.ts): the adapter's defaults, the features its feature_set names.
        model = createOnnxRiskModel({ modelPath });
        models.set(modelPath, model);
      }
      return model;
    },
    async close() {
      for (const model of models.values()) await (await model).close?.();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

#!/usr/bin/env node
/**
 * Evaluates one Deployment once with the autoheal SDK, in dry-run: collect the signals from
 * Prometheus, score them with the ONNX model, decide, and print the DecisionRecord summary.
 * Nothing in the cluster changes (dry-run plans are validated by the API server, never applied).
 *
 *   npm run build   # once, in this repository
 *   AUTOHEAL_PROMETHEUS_URL=http://127.0.0.1:9090 node examples/sdk/evaluate.mjs prod/backend
 *
 * Environment: AUTOHEAL_PROMETHEUS_URL (default http://127.0.0.1:9090), AUTOHEAL_MODEL_PATH
 * (default models/risk-v2.onnx; the adapter collects the features the model lists), AUTOHEAL_KUBECONFIG (default: KUBECONFIG, ~/.kube/config),
 * RISK_THRESHOLD (default: the threshold the model was tuned for, else 0.50), SLACK_WEBHOOK_URL
 * (optional: the decision is posted there too).
 * Exit code: 0 healthy, 10 at risk (a step would run), 30 unknown (a signal was missing), 2 error.
 */
import { createPipeline, parseTargetString } from '@autoheal/core';
import { createKubernetesHealer } from '@autoheal/adapter-kubernetes';
import { createOnnxRiskModel } from '@autoheal/adapter-onnx';
import { createPrometheusFeatureSource } from '@autoheal/adapter-prometheus';
import { createSlackNotifier } from '@autoheal/adapter-slack';

const env = process.env;
const target = parseTargetString(process.argv[2] ?? 'prod/backend');

// Model v2 by default (v1 also works: it lists the seven seed signals).
const riskModel = await createOnnxRiskModel({ modelPath: env.AUTOHEAL_MODEL_PATH ?? 'models/risk-v2.onnx' });

const pipeline = createPipeline({
  featureSource: createPrometheusFeatureSource({ url: env.AUTOHEAL_PROMETHEUS_URL ?? 'http://127.0.0.1:9090', featureNames: riskModel.featureNames }),
  riskModel,
  healer: createKubernetesHealer(env.AUTOHEAL_KUBECONFIG ? { kubeconfigPath: env.AUTOHEAL_KUBECONFIG } : {}),
  notifiers: env.SLACK_WEBHOOK_URL ? [createSlackNotifier({ webhookUrl: env.SLACK_WEBHOOK_URL })] : [],
  // No threshold: core uses the one the model was tuned for (its metadata), else 0.50.
  policy: { ...(env.RISK_THRESHOLD ? { threshold: Number(env.RISK_THRESHOLD) } : {}), dryRun: true },
});

try {
  const record = await pipeline.evaluate(target);
  console.log(record.summary);
  process.exitCode = record.assessment.verdict === 'unknown' ? 30 : record.action ? 10 : 0;
} catch (error) {
  console.error(error instanceof Error ? error.message : error); // autoheal errors say how to fix them
  process.exitCode = 2;
} finally {
  await pipeline.close();
}

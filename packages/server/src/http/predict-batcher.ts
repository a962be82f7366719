/**
 * Coalesces concurrent `/predict` requests into one model call. Requests that arrive in the same
 * turn of the event loop are scored together with `scoreBatch`: onnxruntime's per-call overhead
 * (tens of µs) is paid once per batch instead of once per request, which is most of the cost of a
 * prediction. A lone request waits only until the current I/O callbacks are done (`setImmediate`).
 */
import type { FeatureVector, RiskModel, RiskScore } from '@autoheal/core';

interface Pending {
  vector: FeatureVector;
  resolve: (score: RiskScore) => void;
  reject: (error: unknown) => void;
}

export interface PredictBatcher {
  score(vector: FeatureVector): Promise<RiskScore>;
}

/** @param maxBatch the largest batch sent to the model at once. */
export function createPredictBatcher(riskModel: RiskModel, maxBatch = 256): PredictBatcher {
  let queue: Pending[] = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    for (let start = 0; start < batch.length; start += maxBatch) {
      const slice = batch.slice(start, start + maxBatch);
      riskModel.scoreBatch(slice.map((p) => p.vector)).then(
        (scores) => slice.forEach((pending, i) => pending.resolve(scores[i]!)),
        (error: unknown) => slice.forEach((pending) => pending.reject(error)),
      );
    }
  };

  return {
    score(vector) {
      return new Promise<RiskScore>((resolve, reject) => {
        queue.push({ vector, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}

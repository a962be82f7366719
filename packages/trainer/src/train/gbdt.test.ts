import { describe, expect, it } from 'vitest';
import { logLoss, predictRaw, sigmoid, trainGbdt, type MonotoneDirection } from './gbdt.js';
import { applyPlatt, fitPlatt } from './platt.js';

function lcg(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Labels follow a non-monotone bump in feature 0 plus noise, so an unconstrained model would break monotonicity. */
function bumpyData(count: number, seed: number) {
  const random = lcg(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < count; i++) {
    const row = [random() * 10, random() * 10, random() * 10];
    const bump = Math.abs((row[0] as number) - 5) < 1 ? -3 : 0;
    const z = 0.5 * (row[0] as number) - 0.4 * (row[1] as number) + bump + (random() - 0.5) * 2;
    x.push(row);
    y.push(z > 0.5 ? 1 : 0);
  }
  return { x, y };
}

describe('trainGbdt', () => {
  const train = bumpyData(3000, 1);
  const validation = bumpyData(1000, 2);

  it('learns: validation log loss well under the base rate model', () => {
    const { model } = trainGbdt(train, validation, { maxRounds: 60 });
    const p = validation.x.map((row) => sigmoid(predictRaw(model, row)));
    const rate = validation.y.reduce((a, b) => a + b, 0) / validation.y.length;
    expect(logLoss(p, validation.y)).toBeLessThan(0.6 * logLoss(validation.y.map(() => rate), validation.y));
  });

  it('respects monotone constraints when swept over each constrained feature', () => {
    const monotone: MonotoneDirection[] = [1, -1, 0];
    const { model } = trainGbdt(train, validation, { maxRounds: 80, monotone });
    const probe = lcg(9);
    for (let trial = 0; trial < 50; trial++) {
      const base = [probe() * 10, probe() * 10, probe() * 10];
      for (const [feature, direction] of [[0, 1], [1, -1]] as const) {
        let previous = direction * Number.NEGATIVE_INFINITY;
        for (let v = -1; v <= 11; v += 0.05) {
          const row = [...base];
          row[feature] = v;
          const score = predictRaw(model, row);
          if (direction === 1) expect(score).toBeGreaterThanOrEqual(previous - 1e-12);
          else expect(score).toBeLessThanOrEqual(previous + 1e-12);
          previous = score;
        }
      }
    }
  });

  it('breaks monotonicity without constraints on the same data (so the sweep above can fail)', () => {
    const { model } = trainGbdt(train, validation, { maxRounds: 80 });
    const row = [3.5, 5, 5];
    const inBump = [...row];
    inBump[0] = 5;
    expect(predictRaw(model, inBump)).toBeLessThan(predictRaw(model, row));
  });

  it('learns where missing values go', () => {
    const random = lcg(4);
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const missing = random() < 0.3;
      const v = random() * 10;
      x.push([missing ? Number.NaN : v]);
      y.push(missing ? 1 : v > 8 ? 1 : 0);
    }
    const { model } = trainGbdt({ x, y }, undefined, { maxRounds: 40 });
    expect(sigmoid(predictRaw(model, [Number.NaN]))).toBeGreaterThan(0.9);
    expect(sigmoid(predictRaw(model, [2]))).toBeLessThan(0.1);
  });


  it('sends a missing value of a harmful feature to the high side when it never saw one (the default), and to the healthy side with missingIsHealthy', () => {
    // Feature 0 harmful when high (direction 1), feature 1 harmful when low (direction -1); no NaN in training.
    const random = lcg(6);
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const row = [random() * 10, random() * 10];
      x.push(row);
      y.push((row[0] as number) > 7 || (row[1] as number) < 3 ? 1 : 0);
    }
    const monotone: MonotoneDirection[] = [1, -1];
    const learned = trainGbdt({ x, y }, undefined, { maxRounds: 40, monotone });
    const healthy = trainGbdt({ x, y }, undefined, { maxRounds: 40, monotone, missingIsHealthy: true });
    const p = (model: typeof learned.model, row: number[]) => sigmoid(predictRaw(model, row));

    expect(p(learned.model, [Number.NaN, 5])).toBeGreaterThan(0.9);
    expect(p(healthy.model, [Number.NaN, 5])).toBeCloseTo(p(healthy.model, [0, 5]), 6);
    expect(p(healthy.model, [5, Number.NaN])).toBeCloseTo(p(healthy.model, [5, 10]), 6);
    expect(p(healthy.model, [Number.NaN, Number.NaN])).toBeLessThan(0.1);
  });
  it('stops early and keeps the best validation round', () => {
    const noisy = { x: train.x, y: train.y.map((label, i) => (i % 3 === 0 ? 1 - label : label)) };
    const result = trainGbdt(noisy, validation, { maxRounds: 300, earlyStoppingRounds: 5, maxDepth: 6, minSamplesLeaf: 1, learningRate: 0.5 });
    expect(result.rounds).toBeLessThan(300);
    expect(result.model.trees).toHaveLength(result.rounds);
  });
});

describe('fitPlatt', () => {
  it('recovers a known logistic map', () => {
    const random = lcg(3);
    const scores: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const s = random() * 8 - 4;
      scores.push(s);
      labels.push(random() < sigmoid(2 * s - 1) ? 1 : 0);
    }
    const fit = fitPlatt(scores, labels);
    expect(fit.a).toBeCloseTo(2, 1);
    expect(fit.b).toBeCloseTo(-1, 1);
    expect(applyPlatt(fit, 0.5)).toBeCloseTo(0.5, 1);
  });
});

describe('trainLogistic', () => {
  it('recovers the sign and rough size of known coefficients, and handles missing values', async () => {
    const { trainLogistic, predictLogistic } = await import('./logistic.js');
    const random = lcg(11);
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const row = [random() * 4 - 2, random() * 4 - 2];
      x.push(random() < 0.05 ? [Number.NaN, row[1]!] : row);
      y.push(random() < sigmoid(2 * row[0]! - row[1]!) ? 1 : 0);
    }
    const model = trainLogistic(x, y);
    expect(predictLogistic(model, [1.5, 0])).toBeGreaterThan(0.85);
    expect(predictLogistic(model, [-1.5, 0])).toBeLessThan(0.15);
    expect(predictLogistic(model, [0, 1.5])).toBeLessThan(0.3);
    expect(Number.isFinite(predictLogistic(model, [Number.NaN, Number.NaN]))).toBe(true);
  });

  it('never splits on a feature excluded from splits', () => {
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 400; i++) {
      const informative = (i * 7919) % 100;
      x.push([informative, informative + (i % 3)]);
      y.push(informative > 60 ? 1 : 0);
    }
    const free = trainGbdt({ x, y }, undefined, { maxRounds: 5 });
    const restricted = trainGbdt({ x, y }, undefined, { maxRounds: 5, noSplit: [true, false] });
    const featuresOf = (model: typeof free.model) => new Set(model.trees.flatMap((t) => t.nodes.flatMap((n) => (n.kind === 'split' ? [n.feature] : []))));
    expect(featuresOf(free.model).has(0)).toBe(true);
    expect([...featuresOf(restricted.model)]).toEqual([1]);
  });
});

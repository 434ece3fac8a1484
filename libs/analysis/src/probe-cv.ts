/**
 * One cross-validated probe on a feature matrix: k folds split by pair, features standardised with
 * the training fold's mean and standard deviation, an L2 logistic regression per fold, held-out
 * accuracy per fold.
 */
import { mean, sampleSd } from './descriptive-stats.js';
import { fitLogistic, type LogisticOptions, predictLogistic } from './logistic-regression.js';
import { foldMembers } from './pair-folds.js';

/** Held-out accuracy of a probe over k folds. */
export interface ProbeAccuracy {
  /** Mean of the fold accuracies. */
  readonly meanAccuracy: number;
  /** Sample standard deviation (n − 1) of the fold accuracies. */
  readonly sdAccuracy: number;
  /** Accuracy on each fold's held-out members, in fold order. */
  readonly foldAccuracies: Float64Array;
  /** Folds whose solver stopped before reaching its tolerance (0 when all converged). */
  readonly nonConvergedFolds: number;
}

/** A labelled, paired problem: features `[members, d]` row-major. */
export interface PairedProblem {
  readonly x: Float64Array;
  readonly d: number;
  /** 1 = mem, 0 = gen, `[members]`. */
  readonly y: Uint8Array;
  /** Pair of each member, `[members]`. */
  readonly pairOfMember: Int32Array;
}

/**
 * Copies the rows `train` and `test` of `x` `[n, d]`, each standardised with the train rows' mean and
 * population sd. A feature constant on the train rows becomes 0 everywhere (it cannot inform a
 * linear probe fitted on those rows). Also returns the train rows' mean and 1/sd `[d]` (0 for a
 * constant feature), which map a model fitted on the scaled rows back to the raw features.
 */
export function standardiseFold(
  x: Float64Array,
  d: number,
  train: Int32Array,
  test: Int32Array,
): { train: Float64Array; test: Float64Array; mean: Float64Array; inverseSd: Float64Array } {
  const mu = new Float64Array(d);
  for (const row of train) for (let j = 0; j < d; j++) mu[j]! += x[row * d + j]!;
  for (let j = 0; j < d; j++) mu[j]! /= train.length;
  const ss = new Float64Array(d);
  for (const row of train) {
    for (let j = 0; j < d; j++) {
      const dev = x[row * d + j]! - mu[j]!;
      ss[j]! += dev * dev;
    }
  }
  const inverseSd = ss.map((v) => (v > 0 ? 1 / Math.sqrt(v / train.length) : 0));
  const copy = (rows: Int32Array): Float64Array => {
    const out = new Float64Array(rows.length * d);
    for (let k = 0; k < rows.length; k++) {
      const from = rows[k]! * d;
      for (let j = 0; j < d; j++) out[k * d + j] = (x[from + j]! - mu[j]!) * inverseSd[j]!;
    }
    return out;
  };
  return { train: copy(train), test: copy(test), mean: mu, inverseSd };
}

/**
 * Cross-validated held-out accuracy of an L2 logistic probe on `problem`.
 * @param foldOfPair fold index of every pair (see `pairFolds`); folds are `0..folds-1`
 */
export function crossValidateProbe(
  problem: PairedProblem,
  foldOfPair: Int32Array,
  folds: number,
  logistic: LogisticOptions = {},
): ProbeAccuracy {
  const { x, d, y, pairOfMember } = problem;
  const members = y.length;
  if (x.length !== members * d) {
    throw new Error(`features have ${x.length} values, expected members*d = ${members}*${d}`);
  }
  if (pairOfMember.length !== members) {
    throw new Error(`pairOfMember has ${pairOfMember.length} entries, expected ${members}`);
  }
  const foldAccuracies = new Float64Array(folds);
  let nonConvergedFolds = 0;
  for (let fold = 0; fold < folds; fold++) {
    const { train, test } = foldMembers(pairOfMember, foldOfPair, fold);
    if (train.length === 0 || test.length === 0)
      throw new Error(`fold ${fold} has no train or no test members`);
    const scaled = standardiseFold(x, d, train, test);
    const trainY = Uint8Array.from(train, (m) => y[m]!);
    const model = fitLogistic(scaled.train, trainY, train.length, d, logistic);
    if (!model.converged) nonConvergedFolds++;
    const predicted = predictLogistic(model, scaled.test, test.length, d);
    let correct = 0;
    for (let k = 0; k < test.length; k++) if (predicted[k] === y[test[k]!]) correct++;
    foldAccuracies[fold] = correct / test.length;
  }
  return {
    meanAccuracy: mean(foldAccuracies),
    sdAccuracy: sampleSd(foldAccuracies),
    foldAccuracies,
    nonConvergedFolds,
  };
}

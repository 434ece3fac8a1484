/**
 * docs/method.md §7 control: is the targeted intervention's switch rate above the random intervention's?
 *
 * Two tests, both two-sided:
 * - a two-proportion z-test (pooled), valid when the two runs are independent samples;
 * - McNemar's exact test on the same items, the paired one: only items where exactly one run
 *   switched carry information, and under "targeted and random are exchangeable per item" each
 *   such item favours targeted with probability 1/2. This equals the exact paired permutation test
 *   of the difference in switch rates, so it needs no seed.
 */
import { assertBehaviourLabels, type BehaviourLabel } from './behaviour-labels.js';
import { erfc } from './descriptive-stats.js';

/** Two-proportion z-test of x1/n1 vs x2/n2. */
export interface TwoProportionTest {
  readonly rate1: number;
  readonly rate2: number;
  readonly z: number;
  /** Two-sided p-value; 1 when both rates are 0 or both are 1 (no variance, no evidence). */
  readonly pValue: number;
}

/** Pooled two-proportion z-test (normal approximation). */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): TwoProportionTest {
  for (const [value, what] of [
    [n1, 'n1'],
    [n2, 'n2'],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`${what} must be a positive integer, got ${value}`);
  }
  if (!Number.isInteger(x1) || x1 < 0 || x1 > n1)
    throw new Error(`x1 = ${x1} must be an integer in 0..${n1}`);
  if (!Number.isInteger(x2) || x2 < 0 || x2 > n2)
    throw new Error(`x2 = ${x2} must be an integer in 0..${n2}`);
  const rate1 = x1 / n1;
  const rate2 = x2 / n2;
  const pooled = (x1 + x2) / (n1 + n2);
  const variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2);
  if (variance === 0) return { rate1, rate2, z: 0, pValue: 1 };
  const z = (rate1 - rate2) / Math.sqrt(variance);
  return { rate1, rate2, z, pValue: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)) };
}

/**
 * Two-sided exact binomial test of `k` successes in `n` trials at p = 1/2:
 * min(1, 2 · P(X ≤ min(k, n − k))), summed in log space so that large n cannot underflow.
 */
export function exactSignTestP(k: number, n: number): number {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(k) || k < 0 || k > n) {
    throw new Error(`exactSignTestP needs integers 0 ≤ k ≤ n, got k=${k}, n=${n}`);
  }
  if (n === 0) return 1;
  const tail = Math.min(k, n - k);
  let logChoose = 0; // log C(n, 0)
  const logHalfPowN = -n * Math.LN2;
  let sum = 0;
  for (let i = 0; i <= tail; i++) {
    if (i > 0) logChoose += Math.log((n - i + 1) / i);
    sum += Math.exp(logChoose + logHalfPowN);
  }
  return Math.min(1, 2 * sum);
}

/** Targeted vs random switch rate for one direction of steering. */
export interface SwitchComparison {
  /** Items with the original label `from` in the unsteered run. */
  readonly items: number;
  readonly targetedRate: number;
  readonly randomRate: number;
  /** targetedRate − randomRate. */
  readonly difference: number;
  /** Items switched by the targeted run only / by the random run only (the discordant pairs). */
  readonly targetedOnly: number;
  readonly randomOnly: number;
  /** McNemar exact (paired) two-sided p-value. */
  readonly pairedPValue: number;
  /** Pooled two-proportion z-test, treating the runs as independent. */
  readonly twoProportion: TwoProportionTest;
}

/**
 * Compares the switch rate `from` → `to` of a targeted steered run with a random one over the same
 * items: `before[i]`, `targeted[i]`, `random[i]` label item i unsteered, targeted, random.
 * E.g. Mem→Gen: `compareSwitchRates(before, genSteered, randomRun, 'mem', 'gen')`.
 * @throws if no item has the label `from` (no rate exists) or the lists differ in length.
 */
export function compareSwitchRates(
  before: readonly BehaviourLabel[],
  targeted: readonly BehaviourLabel[],
  random: readonly BehaviourLabel[],
  from: BehaviourLabel,
  to: BehaviourLabel,
): SwitchComparison {
  assertBehaviourLabels(before, 'before');
  assertBehaviourLabels(targeted, 'targeted');
  assertBehaviourLabels(random, 'random');
  if (targeted.length !== before.length || random.length !== before.length) {
    throw new Error(
      `before, targeted and random must label the same items: lengths ${before.length}, ` +
        `${targeted.length}, ${random.length}`,
    );
  }
  if (from === to) throw new Error(`from and to are both '${from}': a switch needs two labels`);
  let items = 0;
  let targetedSwitched = 0;
  let randomSwitched = 0;
  let targetedOnly = 0;
  let randomOnly = 0;
  for (let i = 0; i < before.length; i++) {
    if (before[i] !== from) continue;
    items++;
    const t = targeted[i] === to;
    const r = random[i] === to;
    if (t) targetedSwitched++;
    if (r) randomSwitched++;
    if (t && !r) targetedOnly++;
    if (r && !t) randomOnly++;
  }
  if (items === 0) throw new Error(`no item is '${from}' in the unsteered run, so no switch rate exists`);
  const targetedRate = targetedSwitched / items;
  const randomRate = randomSwitched / items;
  return {
    items,
    targetedRate,
    randomRate,
    difference: targetedRate - randomRate,
    targetedOnly,
    randomOnly,
    pairedPValue: exactSignTestP(targetedOnly, targetedOnly + randomOnly),
    twoProportion: twoProportionZTest(targetedSwitched, items, randomSwitched, items),
  };
}

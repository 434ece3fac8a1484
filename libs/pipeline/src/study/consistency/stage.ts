/**
 * Stage `consistency` (docs/method.md §8, intra-task): split the flipped pairs into two disjoint random halves,
 * several times; per split, Dice of the halves' top-N |r| masks against random masks of the same
 * sizes and Spearman's ρ of their NMD vectors. Writes consistency.json.
 */
import { mean, sampleSd, splitHalfStatistics } from '@memgen/analysis';
import { stream, writeJson } from '@memgen/common';
import { defineStudyStage } from '../../registry/declaration.js';
import { checkAborted, type StageContext } from '../../stage.js';
import { runPath } from '../common/run-dir.js';
import type { StudySpec } from '../common/study-model.js';
import { type ActivationSet, readActivations } from '../record/activations-file.js';
import { RECORD_FILES } from '../record/files.js';
import { excludedSites } from '../stats/stats-file.js';
import { CONSISTENCY_FILES } from './files.js';
import { compareSelections, type MaskOverlap, type SelectionComparison } from './overlap.js';

export interface DiceAcrossSplits {
  topFraction: number;
  /** Per split. */
  splits: MaskOverlap[];
  /** Mean and sd over splits of the observed Dice (splits with a defined Dice only). */
  meanDice: number | null;
  sdDice: number | null;
  /** Mean over splits of the random-mask expectation and 95th percentile. */
  meanExpectedRandom: number | null;
  meanRandom95: number | null;
  /** Splits whose Dice beat the random 95th percentile. */
  splitsAboveRandom95: number;
}

export interface ConsistencyFile {
  config_hash: string;
  pairs: number;
  /** Pairs per half. */
  halfSize: number;
  splits: number;
  excludedSites: string[];
  /**
   * ρ of the halves' NMD per split, and per split the 95th percentile of ρ with one half's neurons in
   * random order (the agreement unrelated rankings give).
   */
  spearmanNmd: {
    values: number[];
    mean: number;
    sd: number;
    null95: number[];
    meanNull95: number;
    splitsAboveNull95: number;
  };
  dice: DiceAcrossSplits[];
}

export interface ConsistencyResult {
  spearmanNmd: number;
  meanDice: (number | null)[];
  meanExpectedRandom: (number | null)[];
}

function meanOrNull(values: number[]): number | null {
  return values.length > 0 ? mean(values) : null;
}

/**
 * Dice and Spearman over the configured split-halves of the recorded pairs. Split s draws from
 * streams under 'consistency/split-<s>': its halves from 'halves', its baselines as
 * {@link compareSelections} derives them, so no two splits or baselines share a stream.
 */
function compareSplits(
  spec: StudySpec,
  ctx: StageContext,
  resid: ActivationSet,
  exclude: number[],
): SelectionComparison[] {
  const cfg = spec.study.consistency;
  const perSplit: SelectionComparison[] = [];
  const consistency = stream(spec.study.seed, 'consistency');
  for (let s = 0; s < cfg.splits; s++) {
    checkAborted(ctx);
    const split = consistency.derive(`split-${s}`);
    const [a, b] = splitHalfStatistics(resid.mem, resid.gen, split.derive('halves'));
    perSplit.push(
      compareSelections(a, b, {
        exclude,
        topFractions: cfg.topFractions,
        draws: cfg.randomDraws,
        nullDraws: cfg.nullDraws,
        stream: split,
      }),
    );
    ctx.progress({ stage: 'consistency', done: s + 1, total: cfg.splits });
  }
  return perSplit;
}

/** The Dice summary of one top-N fraction over the splits (the k-th overlap of each). */
function diceAcrossSplits(perSplit: SelectionComparison[], topFraction: number, k: number): DiceAcrossSplits {
  const splits = perSplit.map((p) => p.overlaps[k]!);
  const defined = splits.filter((o) => o.dice !== null);
  const observed = defined.map((o) => o.dice!);
  return {
    topFraction,
    splits,
    meanDice: meanOrNull(observed),
    sdDice: observed.length > 0 ? sampleSd(observed) : null,
    meanExpectedRandom: meanOrNull(defined.map((o) => o.expectedRandom!)),
    meanRandom95: meanOrNull(defined.map((o) => o.random95!)),
    splitsAboveRandom95: defined.filter((o) => o.dice! > o.random95!).length,
  };
}

async function runConsistency(spec: StudySpec, ctx: StageContext, hash: string): Promise<ConsistencyResult> {
  const cfg = spec.study.consistency;
  const acts = await readActivations(runPath(ctx.runDir, RECORD_FILES.activations));
  const { mem, sites } = acts.resid;
  if (mem.members < 4) throw new Error(`split-half consistency needs at least 4 pairs, got ${mem.members}`);
  const exclude = excludedSites(sites, spec.study.stats.excludeEmbedding);
  const perSplit = compareSplits(spec, ctx, acts.resid, exclude);
  const rhos = perSplit.map((p) => p.spearmanNmd);
  const null95 = perSplit.map((p) => p.spearmanNull95);
  const dice = cfg.topFractions.map((topFraction, k) => diceAcrossSplits(perSplit, topFraction, k));
  const file: ConsistencyFile = {
    config_hash: hash,
    pairs: mem.members,
    halfSize: Math.floor(mem.members / 2),
    splits: cfg.splits,
    excludedSites: exclude.map((s) => sites[s]!),
    spearmanNmd: {
      values: rhos,
      mean: mean(rhos),
      sd: sampleSd(rhos),
      null95,
      meanNull95: mean(null95),
      splitsAboveNull95: rhos.filter((r, s) => r > null95[s]!).length,
    },
    dice,
  };
  await writeJson(runPath(ctx.runDir, CONSISTENCY_FILES.consistency), file);
  return {
    spearmanNmd: file.spearmanNmd.mean,
    meanDice: dice.map((d) => d.meanDice),
    meanExpectedRandom: dice.map((d) => d.meanExpectedRandom),
  };
}

export const consistencyStage = defineStudyStage<ConsistencyResult>({
  name: 'consistency',
  group: 'fitting',
  upstream: ['record'],
  outputs: [CONSISTENCY_FILES.consistency],
  config: (spec) => ({
    consistency: spec.study.consistency,
    seed: spec.study.seed,
    excludeEmbedding: spec.study.stats.excludeEmbedding,
  }),
  run: runConsistency,
  onChangedOutput: 'rerun',
});

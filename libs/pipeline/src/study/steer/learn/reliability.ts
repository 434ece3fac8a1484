/**
 * Per-item reliability of the pre-declared setting when it is a learned direction: on the steering
 * set, how many items switch, move to neither answer, or move the other way (originally-gen items
 * that answer mem under the toward-gen run, and the reverse); on the held-out pairs (pairs.jsonl
 * after the training split), whether a pair's own activation difference predicts its switch.
 */
import type { StudyModel } from '../../common/study-model.js';
import type { PairLine } from '../../pairs/pairs-file.js';
import { keptCount, restrict, topByAbsR } from '../plan/directions.js';
import type { SettingSpec } from '../plan/ids.js';
import type { RunRole } from '../plan/setting-plan.js';
import type { SteeredRun } from '../runs/runs.js';
import { type HeldOutPrediction, heldOutPredictions } from './held-out.js';
import { type LearnedDirection, learnKey } from './learned.js';
import { trainingSplit } from './split.js';

export interface Reliability {
  setting: string;
  /** Rates over the steering set's originally-mem (Mem→Gen, toward-gen run) and gen items. */
  memToGen: { items: number; switched: number; other: number; wrongWay: number };
  genToMem: { items: number; switched: number; other: number; wrongWay: number };
  /** The held-out pairs' prediction; null when pairs.jsonl has none after the training split. */
  heldOut: { memToGen: HeldOutPrediction; genToMem: HeldOutPrediction } | null;
}

/** The setting's decoded runs, by role. */
type MeasuredRuns = Partial<Record<RunRole, SteeredRun>>;

function steeringRates(runs: MeasuredRuns) {
  const [toGen, toMem] = [runs.toGen!.table, runs.toMem!.table];
  return {
    memToGen: {
      items: toGen.fromMem.total,
      switched: toGen.fromMem.rates?.gen ?? 0,
      other: toGen.fromMem.rates?.other ?? 0,
      wrongWay: toGen.fromGen.rates?.mem ?? 0,
    },
    genToMem: {
      items: toMem.fromGen.total,
      switched: toMem.fromGen.rates?.mem ?? 0,
      other: toMem.fromGen.rates?.other ?? 0,
      wrongWay: toMem.fromMem.rates?.gen ?? 0,
    },
  };
}

/** The reliability of `spec` from its measured runs, its held-out part on `heldOutPairs`. */
export function reliabilityOf(
  spec: SettingSpec,
  measured: MeasuredRuns,
  learned: LearnedDirection,
  opened: StudyModel,
  heldOutPairs: readonly PairLine[],
): Reliability {
  const rates = steeringRates(measured);
  if (heldOutPairs.length === 0) return { setting: spec.id, ...rates, heldOut: null };
  const kept = topByAbsR(learned.absR, keptCount(spec.keep ?? 'all', learned.absR.length));
  const vectors = {
    toGen: restrict(learned.vectors.toGen, kept),
    toMem: restrict(learned.vectors.toMem, kept),
  };
  const split = trainingSplit(opened.model, opened.tokenizer.padId, heldOutPairs, null);
  try {
    const { position } = learned;
    return {
      setting: spec.id,
      ...rates,
      heldOut: heldOutPredictions(opened.model, learned.hook, position, split, vectors),
    };
  } finally {
    split.dispose();
  }
}

/** The direction setting's learned direction, if `spec` is one. */
export const learnedOf = (spec: SettingSpec, learned?: Map<string, LearnedDirection>) =>
  spec.family.kind === 'direction' ? learned?.get(learnKey(spec)) : undefined;

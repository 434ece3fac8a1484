/**
 * Calibrated heads of a head-scale setting, chosen per model on the training split (the first
 * steer.calibrationPairs of pairs.jsonl): every head of the model gets the setting's own scaling by
 * (1 + α) on the members, one forward pass per batch, and the first answer token is read as in
 * patching. toGen = the `count` heads with the most mem members switched net of those turned to
 * neither, toMem the same over gen members; ties go to the earlier head. The steering set is fresh
 * items: the choice never sees what it is judged on.
 */
import { blockHook, disposeInput, type GPT, headCoordinates, withInterventions } from '@memgen/model';
import { memberInput } from '../../pairs/member-input.js';
import type { PairLine } from '../../pairs/pairs-file.js';
import { countInto, emptyCounts, firstTokens } from '../../patching/runs.js';
import { headName } from './heads.js';
import type { HeadRef, SettingSpec } from './ids.js';
import type { CandidateCounts, HeadCalibration } from './setting-plan.js';

export type { HeadCalibration };

/** Whether a head-scale setting chooses any of its heads on the training split. */
export const needsHeadCalibration = (s: SettingSpec) =>
  s.family.kind === 'head-scale' && (s.family.toGen === 'calibrated' || s.family.toMem === 'calibrated');

/** The scaling of `heads` by (1 + α), one intervention per touched block. */
export function scaleHeads(
  model: GPT,
  heads: readonly HeadRef[],
  alpha: number,
  position: 'last' | 'prompt' | 'all',
) {
  const blocks = [...new Set(heads.map((h) => h.block))].sort((a, b) => a - b);
  return blocks.map((b) => {
    const hook = blockHook(b, 'attn.z');
    const inBlock = heads.filter((h) => h.block === b).map((h) => h.head);
    return {
      kind: 'scale' as const,
      hook,
      coords: headCoordinates(model.hooks.point(hook), inBlock),
      alpha,
      position,
    };
  });
}

function topHeads(
  cands: readonly CandidateCounts[],
  heads: readonly HeadRef[],
  dir: 'memToGen' | 'genToMem',
  n: number,
) {
  const score = (c: CandidateCounts) => c[dir].switched - c[dir].other;
  return cands
    .map((c, k) => [score(c), k] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, n)
    .map(([, k]) => heads[k]!);
}

/** Calibrates one head-scale setting on `pairs`. @throws Error when no pair's members answer differently */
export function calibrateHeads(
  s: SettingSpec,
  model: GPT,
  padId: number,
  pairs: readonly PairLine[],
  batchSize: number,
): HeadCalibration {
  const f = s.family;
  if (f.kind !== 'head-scale') throw new Error(`calibrateHeads got a ${f.kind} setting`);
  const { nLayer, nHead } = model.config;
  const heads = Array.from({ length: nLayer * nHead }, (_, k) => ({
    block: Math.floor(k / nHead),
    head: k % nHead,
  }));
  const candidates = heads.map((h) => ({
    hook: headName(h),
    memToGen: emptyCounts(),
    genToMem: emptyCounts(),
  }));
  let usable = 0;
  for (let from = 0; from < pairs.length; from += batchSize) {
    const batch = pairs.slice(from, from + batchSize);
    const b = batch.length;
    const input = memberInput(batch, padId);
    try {
      const base = firstTokens(model, input);
      const rows = batch.map((_, k) => k).filter((k) => base[k] !== base[b + k]);
      usable += rows.length;
      heads.forEach((h, c) => {
        const ivs = scaleHeads(model, [h], s.alpha!, f.position);
        const tokens = withInterventions(model, ivs, () => firstTokens(model, input));
        for (const k of rows) {
          countInto(candidates[c]!.memToGen, tokens[k]!, base[k]!, base[b + k]!);
          countInto(candidates[c]!.genToMem, tokens[b + k]!, base[b + k]!, base[k]!);
        }
      });
    } finally {
      disposeInput(input);
    }
  }
  if (usable === 0)
    throw new Error(`setting '${s.id}': no calibration pair has members that answer differently`);
  return {
    pairsUsable: usable,
    candidates,
    toGen: topHeads(candidates, heads, 'memToGen', f.count),
    toMem: topHeads(candidates, heads, 'genToMem', f.count),
  };
}

/**
 * Calibrated heads of a head-scale setting, chosen per model on the training split (the first
 * steer.calibrationPairs of pairs.jsonl): every head of the model gets the setting's own scaling by
 * (1 + α) on the members, one forward pass per batch, and the first answer token is read as in
 * patching. toGen = the `count` heads with the most mem members switched net of those turned to
 * neither, toMem the same over gen members; ties go to the earlier head. The steering set is fresh
 * items: the choice never sees what it is judged on.
 */
import { blockHook, type GPT, headCoordinates } from '@memgen/model';
import type { PairLine } from '../../pairs/pairs-file.js';
import { calibrateCandidates } from './head-targets.js';
import { headName } from './heads.js';
import type { HeadRef, SettingSpec } from './ids.js';
import type { HeadCalibration } from './setting-plan.js';

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
  return calibrateCandidates(
    model,
    padId,
    pairs,
    batchSize,
    {
      items: heads,
      name: headName,
      interventions: (h) => scaleHeads(model, [h], s.alpha!, f.position),
      count: f.count,
    },
    `setting '${s.id}'`,
  );
}

/**
 * Calibrated heads of an attention setting, chosen per model on the training split (the first
 * steer.calibrationPairs of pairs.jsonl): every (head, sign) of the model gets the setting's own
 * edit at its α on the members, one forward pass per batch, and the first answer token is read as
 * in patching. toGen = the `count` candidates with the most mem members switched net of those
 * turned to neither, toMem the same over gen members; ties go to the earlier candidate (heads in
 * order, boost before suppress). The steering set is fresh items: the choice never sees it.
 */
import type { GPT, KeySelector } from '@memgen/model';
import type { PairLine } from '../../pairs/pairs-file.js';
import { calibrateCandidates } from '../plan/head-targets.js';
import type { SettingSpec } from '../plan/ids.js';
import type { AttentionCalibration } from '../plan/setting-plan.js';
import type { SignedHead } from './config.js';
import { attentionEdits, signedHeadName } from './edits.js';

export type { AttentionCalibration };

/** Whether an attention setting chooses any of its heads on the training split. */
export const needsAttentionCalibration = (s: SettingSpec) =>
  s.family.kind === 'attention' && (s.family.toGen === 'calibrated' || s.family.toMem === 'calibrated');

/** Calibrates one attention setting on `pairs`. @throws Error when no pair's members answer differently */
export function calibrateAttention(
  s: SettingSpec,
  model: GPT,
  padId: number,
  pairs: readonly PairLine[],
  batchSize: number,
  keys: KeySelector,
): AttentionCalibration {
  const f = s.family;
  if (f.kind !== 'attention') throw new Error(`calibrateAttention got a ${f.kind} setting`);
  const { nLayer, nHead } = model.config;
  const heads: SignedHead[] = Array.from({ length: nLayer * nHead }, (_, k) =>
    ([1, -1] as const).map((sign) => ({ block: Math.floor(k / nHead), head: k % nHead, sign })),
  ).flat();
  return calibrateCandidates(
    model,
    padId,
    pairs,
    batchSize,
    {
      items: heads,
      name: signedHeadName,
      interventions: (h) => attentionEdits([h], s.alpha!, keys),
      count: f.count,
    },
    `setting '${s.id}'`,
  );
}

/**
 * Attention settings: the toward-gen heads' edit in the toward-gen run, the toward-mem heads' in
 * the toward-mem run — fixed heads or each model's calibrated ones (./calibration.ts) — each beside
 * a matched control that makes the same edit (heads, signs, α) at as many random positions
 * of each prompt (./keys.ts): the same lever pointed at tokens drawn at random.
 */
import type { Stream } from '@memgen/common';
import type { GPT, KeySelector } from '@memgen/model';
import { resolveHeadTargets } from '../plan/head-targets.js';
import type { SettingSpec } from '../plan/ids.js';
import type { SettingPlan } from '../plan/setting-plan.js';
import type { AttentionCalibration } from './calibration.js';
import { attentionEdits, signedHeadName } from './edits.js';
import { matchedKeys } from './keys.js';

/** What an attention plan reads: the keys of each span kind, and the setting's calibration. */
export interface AttentionInputs {
  keys: (kind: 'asked' | 'others') => KeySelector;
  calibration: AttentionCalibration | undefined;
}

/** The plan of an attention setting; with `zero`, the toward-mem edit at logit 0. */
export function planAttention(
  s: SettingSpec,
  model: GPT,
  rng: Stream,
  zero: boolean,
  inputs: AttentionInputs,
): SettingPlan {
  const f = s.family;
  if (f.kind !== 'attention') throw new Error(`planAttention got a ${f.kind} setting`);
  const { toGen, toMem } = resolveHeadTargets(s, model, f, inputs.calibration, signedHeadName);
  const { nEmbd, nHead } = model.config;
  const target = inputs.keys(f.keys);
  const base = {
    directed: true,
    coordinates: Math.max(toGen.length, toMem.length) * (nEmbd / nHead),
    ...{ l2Norm: null, controlL2Norm: null, maxShift: null, controlHeads: null },
    heads: [...toGen.map((h) => `gen:${signedHeadName(h)}`), ...toMem.map((h) => `mem:${signedHeadName(h)}`)],
    ...(inputs.calibration ? { attentionCalibration: inputs.calibration } : {}),
  };
  if (zero) return { ...base, runs: { toMem: attentionEdits(toMem, 0, target) } };
  const control = matchedKeys(target, rng);
  return {
    ...base,
    runs: {
      toGen: attentionEdits(toGen, s.alpha!, target),
      toMem: attentionEdits(toMem, s.alpha!, target),
      matchedToGen: attentionEdits(toGen, s.alpha!, control),
      matchedToMem: attentionEdits(toMem, s.alpha!, control),
    },
  };
}

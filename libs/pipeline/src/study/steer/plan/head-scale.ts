/**
 * Head-scale settings: the values of the toward-gen heads scaled by (1 + α) in the toward-gen run,
 * those of the toward-mem heads in the toward-mem run — fixed heads or each model's calibrated
 * ones (./head-calibration.ts) — each beside a matched control that scales as many other heads,
 * drawn at random from those neither run targets, by the same α.
 */
import type { Stream } from '@memgen/common';
import type { GPT } from '@memgen/model';
import { type HeadCalibration, scaleHeads } from './head-calibration.js';
import { resolveHeadTargets } from './head-targets.js';
import { headName } from './heads.js';
import type { HeadRef, SettingSpec } from './ids.js';
import type { SettingPlan } from './setting-plan.js';

/** The setting's toward-gen and toward-mem heads. @throws Error naming a head outside the model */
function targetHeads(s: SettingSpec, model: GPT, calibration: HeadCalibration | undefined) {
  const f = s.family;
  if (f.kind !== 'head-scale') throw new Error(`planHeadScale got a ${f.kind} setting`);
  return resolveHeadTargets(s, model, f, calibration, headName);
}

/**
 * The plan of a head-scale setting; with `zero`, the toward-mem heads at α = 0. Control heads are
 * drawn from `rng` (which advances).
 * @throws Error when too few other heads remain for the matched control
 */
export function planHeadScale(
  s: SettingSpec,
  model: GPT,
  rng: Stream,
  zero: boolean,
  calibration?: HeadCalibration,
): SettingPlan {
  const f = s.family;
  if (f.kind !== 'head-scale') throw new Error(`planHeadScale got a ${f.kind} setting`);
  const { position } = f;
  const { toGen, toMem } = targetHeads(s, model, calibration);
  const { nLayer, nHead, nEmbd } = model.config;
  const taken = new Set([...toGen, ...toMem].map(headName));
  const others = Array.from({ length: nLayer * nHead }, (_, k) => ({
    block: Math.floor(k / nHead),
    head: k % nHead,
  })).filter((h) => !taken.has(headName(h)));
  const n = Math.max(toGen.length, toMem.length);
  if (others.length < n)
    throw new Error(
      `steer.families.${s.familyIndex}: only ${others.length} other heads are left for the matched control`,
    );
  const base = {
    directed: true,
    coordinates: n * (nEmbd / nHead),
    ...{ l2Norm: null, controlL2Norm: null, maxShift: null },
    heads: [...toGen.map((h) => `gen:${headName(h)}`), ...toMem.map((h) => `mem:${headName(h)}`)],
    ...(calibration ? { headCalibration: calibration } : {}),
  };
  const scale = (heads: readonly HeadRef[]) => scaleHeads(model, heads, zero ? 0 : s.alpha!, position);
  if (zero) return { ...base, controlHeads: null, runs: { toMem: scale(toMem) } };
  const draw = (k: number) => Array.from(rng.sampleIndices(others.length, k), (i) => others[i]!);
  const [controlGen, controlMem] = [draw(toGen.length), draw(toMem.length)];
  return {
    ...base,
    controlHeads: [
      ...controlGen.map((h) => `gen:${headName(h)}`),
      ...controlMem.map((h) => `mem:${headName(h)}`),
    ],
    runs: {
      toGen: scale(toGen),
      toMem: scale(toMem),
      matchedToGen: scale(controlGen),
      matchedToMem: scale(controlMem),
    },
  };
}

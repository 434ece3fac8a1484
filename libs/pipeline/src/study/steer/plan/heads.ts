/**
 * Head ablation settings: zero the values of chosen attention heads (`blocks.{i}.attn.z`, the heads'
 * mixed values before the output projection), beside a control that zeroes as many other heads drawn
 * uniformly from the rest (drawn from the rest because, with a few heads per model, a draw from all
 * of them would often be the targeted head itself).
 */
import type { Stream } from '@memgen/common';
import { blockHook, type GPT, type HookPosition, headCoordinates, type Intervention } from '@memgen/model';
import type { HeadRef, SettingSpec } from './ids.js';
import type { SettingPlan } from './setting-plan.js';

export const headName = (h: HeadRef) => `b${h.block}h${h.head}`;

/** One zero-ablation per touched block, its heads' coordinates together. */
function ablateHeads(model: GPT, heads: readonly HeadRef[], position: HookPosition): Intervention[] {
  const blocks = [...new Set(heads.map((h) => h.block))].sort((a, b) => a - b);
  return blocks.map((b): Intervention => {
    const hook = blockHook(b, 'attn.z');
    const inBlock = heads.filter((h) => h.block === b).map((h) => h.head);
    return { kind: 'ablate', hook, coords: headCoordinates(model.hooks.point(hook), inBlock), position };
  });
}

/**
 * The plan of a head-ablate setting; with `zero`, the same hooks ablating no coordinates. The
 * control's heads are drawn from `rng` (which advances).
 * @throws Error naming the family's field when a head is not in the model or no other heads remain
 */
export function planHeads(s: SettingSpec, model: GPT, rng: Stream, zero: boolean): SettingPlan {
  const f = s.family;
  if (f.kind !== 'head-ablate' || !s.heads) throw new Error(`planHeads got a ${f.kind} setting`);
  const { nLayer, nHead } = model.config;
  const field = `steer.families.${s.familyIndex}.heads`;
  for (const h of s.heads) {
    if (h.block >= nLayer || h.head >= nHead)
      throw new Error(
        `${field}: head ${headName(h)} is outside the model's ${nLayer} blocks × ${nHead} heads`,
      );
  }
  const taken = new Set(s.heads.map(headName));
  const others = Array.from({ length: nLayer * nHead }, (_, k) => ({
    block: Math.floor(k / nHead),
    head: k % nHead,
  })).filter((h) => !taken.has(headName(h)));
  if (others.length < s.heads.length)
    throw new Error(
      `${field}: ${s.heads.length} heads leave only ${others.length} others for the matched control`,
    );
  const control = Array.from(rng.sampleIndices(others.length, s.heads.length), (k) => others[k]!);
  const headDim = model.config.nEmbd / nHead;
  const targeted = ablateHeads(model, s.heads, f.position);
  const base = {
    directed: false,
    coordinates: s.heads.length * headDim,
    ...{ l2Norm: null, controlL2Norm: null, maxShift: null },
    heads: s.heads.map(headName),
  };
  if (zero) {
    const none = targeted.map((iv): Intervention => (iv.kind === 'ablate' ? { ...iv, coords: [] } : iv));
    return { ...base, controlHeads: null, runs: { steered: none } };
  }
  return {
    ...base,
    controlHeads: control.map(headName),
    runs: { steered: targeted, matched: ablateHeads(model, control, f.position) },
  };
}

/**
 * One steering setting as the decode runs it needs: the targeted run(s) and their controls, each a
 * list of interventions. Directed settings (add, class mean-ablation) have a toward-mem and a
 * toward-gen run; undirected ones (pooled mean-ablation, head ablation, scaling) have one run in
 * which both switch rates are read. Every control applies the same operation to as many random
 * coordinates (heads: as many random other heads); for add it also has the targeted L2 norm.
 * Add settings share one matched control between their two directions: the two targeted shifts are
 * ±s, with one norm and one coordinate count, and a random direction's sign is itself random. An
 * add selection by |r| (`top`) also gets a layer-matched control: as many random coordinates in
 * each layer as the selection has there, at the same norm.
 * Class mean-ablation has one matched control per direction (mem means and gen means at the same
 * random coordinates), since the two directions are different operations.
 */
import type { Coordinate, SiteMatrix } from '@memgen/analysis';
import { type Stream, stream } from '@memgen/common';
import type { GPT, HookPosition, Intervention } from '@memgen/model';
import { planAttention } from '../attention/plan.js';
import { layerMatchedShifts, matchedShifts, withinShifts } from '../controls.js';
import {
  type CoordinateShift,
  interventionsFor,
  l2Norm,
  maxAbsShift,
  probeShifts,
  randomCoordinates,
  randomShifts,
  targetedShifts,
} from '../vectors.js';
import { planSubspace } from './das.js';
import { planDirection } from './directions.js';
import { planHeadScale } from './head-scale.js';
import { planHeads } from './heads.js';
import type { SettingSpec } from './ids.js';
import { type SiteInputs, type SteeringInputs, selectCoordinates } from './inputs.js';
import type { SettingPlan } from './setting-plan.js';
import { planSublayers } from './sublayers.js';

/**
 * The stream of one control of one setting, 'steer/<id>/<role>': a function of the study seed and
 * the setting's id only, so adding or reordering settings leaves every other setting's draws alone.
 */
export function controlStream(seed: number, id: string, role: string): Stream {
  return stream(seed, `steer/${id}/${role}`);
}

function siteOf(inputs: SteeringInputs, site: 'resid' | 'mlp.post'): SiteInputs {
  const s = inputs[site];
  if (!s) throw new Error(`steering has no ${site} inputs loaded`);
  return s;
}

/** Interventions replacing each coordinate by its value in `values` `[sites, width]`. */
function setTo(si: SiteInputs, coords: readonly Coordinate[], values: SiteMatrix, position: HookPosition) {
  return perSite(
    si,
    coords,
    (hook, dims, idx): Intervention => ({
      kind: 'ablate',
      hook,
      coords: dims,
      values: idx.map((i) => values.values[i]!),
      position,
    }),
  );
}

function scaleBy(si: SiteInputs, coords: readonly Coordinate[], alpha: number, position: HookPosition) {
  return perSite(
    si,
    coords,
    (hook, dims): Intervention => ({ kind: 'scale', hook, coords: dims, alpha, position }),
  );
}

/** One intervention per touched site, in site order (an empty selection still touches nothing). */
function perSite(
  si: SiteInputs,
  coords: readonly Coordinate[],
  make: (hook: string, dims: number[], indices: number[]) => Intervention,
): Intervention[] {
  const groups = new Map<number, Coordinate[]>();
  for (const c of coords) groups.set(c.site, [...(groups.get(c.site) ?? []), c]);
  return [...groups]
    .sort((a, b) => a[0] - b[0])
    .map(([site, cs]) =>
      make(
        si.hooks[site]!,
        cs.map((c) => c.dim),
        cs.map((c) => c.index),
      ),
    );
}

function planAdd(s: SettingSpec, inputs: SteeringInputs, seed: number, zero: boolean): SettingPlan {
  const f = s.family;
  if (f.kind !== 'add') throw new Error(`planAdd got a ${f.kind} family`);
  const si = siteOf(inputs, f.site);
  const { nmd, sd } = si.stats;
  const alpha = zero ? 0 : s.alpha!;
  const selected = selectCoordinates(si, f.select);
  const along = (sign: 1 | -1): CoordinateShift[] => {
    if (f.direction !== 'probe') return targetedShifts(selected, nmd, sd, f.direction, alpha, sign);
    if (!si.probe) throw new Error(`setting '${s.id}' needs probe directions, none were loaded`);
    return probeShifts(selected, nmd, si.probe, alpha, sign);
  };
  const toMem = along(1);
  const norm = l2Norm(toMem);
  // The authors' script draws the paper control from U(−max|NMD|, max|NMD|) whatever α.
  const m =
    f.paperRange === 'nmd' ? maxAbsShift(targetedShifts(selected, nmd, sd, 'nmd', 1, 1)) : maxAbsShift(toMem);
  const ivs = (shifts: readonly CoordinateShift[]) =>
    interventionsFor(shifts, si.hooks, nmd.width, f.position);
  const base = {
    directed: true,
    coordinates: selected.length,
    l2Norm: norm,
    maxShift: m,
    heads: null,
    controlHeads: null,
  };
  if (zero) return { ...base, controlL2Norm: null, runs: { toMem: ivs(toMem) } };
  const [sites, width, n] = [nmd.sites, nmd.width, selected.length];
  const matched = matchedShifts(sites, width, si.exclude, n, norm, controlStream(seed, s.id, 'matched'));
  return {
    ...base,
    controlL2Norm: l2Norm(matched),
    runs: {
      toMem: ivs(toMem),
      toGen: ivs(along(-1)),
      matched: ivs(matched),
      within: ivs(withinShifts(selected, norm, controlStream(seed, s.id, 'within'))),
      ...('top' in f.select
        ? { layerMatched: ivs(layerMatchedShifts(selected, width, norm, controlStream(seed, s.id, 'layer'))) }
        : {}),
      paper: ivs(randomShifts(sites, width, si.exclude, n, m, controlStream(seed, s.id, 'paper'))),
    },
  };
}

function attentionKeysOf(inputs: SteeringInputs, s: SettingSpec) {
  if (!inputs.attentionKeys) throw new Error(`setting '${s.id}' needs attention keys, none were loaded`);
  return inputs.attentionKeys;
}

/** The same replacements with no coordinates, at the same hooks: the identity through the same path. */
function noCoordinates(ivs: Intervention[]): Intervention[] {
  return ivs.map((iv) => (iv.kind === 'ablate' ? { ...iv, coords: [], values: [] } : iv));
}

/** Mean-ablation and scaling: the same operation on the selection and on as many random coordinates. */
function planCoordinateOp(s: SettingSpec, inputs: SteeringInputs, seed: number, zero: boolean): SettingPlan {
  const f = s.family;
  if (f.kind !== 'mean-ablate' && f.kind !== 'scale')
    throw new Error(`planCoordinateOp got a ${f.kind} family`);
  const si = siteOf(inputs, f.site);
  const selected = selectCoordinates(si, f.select);
  const { sites, width } = si.stats.nmd;
  const rng = controlStream(seed, s.id, 'matched');
  const control = zero ? [] : randomCoordinates(rng, sites, width, si.exclude, selected.length);
  const base = {
    coordinates: selected.length,
    ...{ l2Norm: null, controlL2Norm: null, maxShift: null, heads: null, controlHeads: null },
  };
  if (f.kind === 'scale') {
    if (zero) return { ...base, directed: false, runs: { steered: scaleBy(si, selected, 0, f.position) } };
    const run = (c: readonly Coordinate[]) => scaleBy(si, c, s.alpha!, f.position);
    return { ...base, directed: false, runs: { steered: run(selected), matched: run(control) } };
  }
  if (!si.means) throw new Error(`setting '${s.id}' needs class means, none were loaded`);
  const { mem, gen, pooled } = si.means;
  const set = (c: readonly Coordinate[], v: SiteMatrix) => setTo(si, c, v, f.position);
  if (f.to === 'pooled') {
    if (zero) return { ...base, directed: false, runs: { steered: noCoordinates(set(selected, pooled)) } };
    return {
      ...base,
      directed: false,
      runs: { steered: set(selected, pooled), matched: set(control, pooled) },
    };
  }
  if (zero) return { ...base, directed: true, runs: { toMem: noCoordinates(set(selected, mem)) } };
  return {
    ...base,
    directed: true,
    runs: {
      toMem: set(selected, mem),
      toGen: set(selected, gen),
      matchedToMem: set(control, mem),
      matchedToGen: set(control, gen),
    },
  };
}

/**
 * The plan of one setting. With `zero`, only the targeted run at its identity analogue, at the hooks
 * and positions the setting uses: add and scale at α = 0 over its own selection, ablations of no
 * coordinates.
 */
export function planSetting(
  s: SettingSpec,
  inputs: SteeringInputs,
  model: GPT,
  seed: number,
  zero = false,
): SettingPlan {
  switch (s.family.kind) {
    case 'add':
      return planAdd(s, inputs, seed, zero);
    case 'mean-ablate':
    case 'scale':
      return planCoordinateOp(s, inputs, seed, zero);
    case 'head-ablate':
      return planHeads(s, model, controlStream(seed, s.id, 'matched'), zero);
    case 'sublayer-ablate':
    case 'sublayer-scale':
      return planSublayers(s, inputs, model, controlStream(seed, s.id, 'matched'), zero);
    case 'direction':
      return planDirection(s, inputs, controlStream(seed, s.id, 'matched'), zero);
    case 'das':
      return planSubspace(s, inputs, controlStream(seed, s.id, 'matched'), zero);
    case 'head-scale':
      return planHeadScale(
        s,
        model,
        controlStream(seed, s.id, 'matched'),
        zero,
        inputs.headCalibrations?.get(s.id),
      );
    case 'attention':
      return planAttention(s, model, controlStream(seed, s.id, 'matched'), zero, {
        keys: attentionKeysOf(inputs, s),
        calibration: inputs.attentionCalibrations?.get(s.id),
      });
    default:
      throw new Error(`unknown steering family ${JSON.stringify(s.family satisfies never)}`);
  }
}

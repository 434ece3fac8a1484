/**
 * Sublayer settings: set a whole sublayer output (`blocks.{i}.attn.out` or `mlp.out`) to its pooled
 * mean over the flipped-pair members, or scale it by (1 + α) — toward gen the sublayer that reads
 * memory, toward mem the one that reads the rule's lookup — beside a matched control that does the
 * same to another sublayer drawn at random from those neither run targets.
 */
import type { Stream } from '@memgen/common';
import { blockHook, type GPT, type HookPosition, type Intervention } from '@memgen/model';
import { runPath } from '../../common/run-dir.js';
import { PAIRS_FILES } from '../../pairs/files.js';
import { readPairs } from '../../pairs/pairs-file.js';
import { recordClassMeans } from '../../patching/runs.js';
import type { FixedSublayer, SteerFamily } from '../config.js';
import type { SettingSpec } from './ids.js';
import type { SteeringInputs } from './inputs.js';
import type { SettingPlan } from './setting-plan.js';

const hookOf = (r: FixedSublayer) => blockHook(r.block, r.site);

/** Every sublayer output of the model, in forward order. */
export function allSublayers(nLayer: number): string[] {
  return Array.from({ length: nLayer }, (_, i) => [blockHook(i, 'attn.out'), blockHook(i, 'mlp.out')]).flat();
}

/**
 * The pooled means of every sublayer output the families set (targets and candidate controls), over
 * the members of pairs.jsonl; undefined when no family ablates sublayers.
 */
export async function sublayerMeans(
  families: readonly SteerFamily[],
  model: GPT,
  padId: number,
  runDir: string,
  batchSize: number,
): Promise<Map<string, Float32Array> | undefined> {
  if (!families.some((f) => f.kind === 'sublayer-ablate')) return undefined; // scaling needs no means
  const pairs = await readPairs(runPath(runDir, PAIRS_FILES.pairs));
  const means = recordClassMeans(model, padId, pairs, allSublayers(model.config.nLayer), batchSize);
  return new Map(
    [...means].map(([hook, m]) => [hook, m.mem.map((v, j) => (v + m.gen[j]!) / 2)] as [string, Float32Array]),
  );
}

function setToMean(hook: string, means: Map<string, Float32Array>, position: HookPosition, zero: boolean) {
  const mean = means.get(hook);
  if (!mean) throw new Error(`sublayer '${hook}' has no pooled mean`);
  const coords = zero ? [] : Array.from(mean, (_, j) => j);
  const values = zero ? [] : Array.from(mean);
  return [{ kind: 'ablate', hook, coords, values, position } satisfies Intervention];
}

function scaleBy(hook: string, width: number, alpha: number, position: HookPosition) {
  const coords = Array.from({ length: width }, (_, j) => j);
  return [{ kind: 'scale', hook, coords, alpha, position } satisfies Intervention];
}

/**
 * The operation of a sublayer setting on any one sublayer: set to its pooled mean, or scale by 1 + α;
 * with `zero`, its identity through the same path (no coordinates set, or α = 0).
 * @throws Error when a mean-ablation has no sublayer means
 */
export function sublayerOperation(
  s: SettingSpec,
  inputs: SteeringInputs,
  width: number,
  zero: boolean,
): (hook: string) => Intervention[] {
  const f = s.family;
  if (f.kind !== 'sublayer-ablate' && f.kind !== 'sublayer-scale')
    throw new Error(`a sublayer operation got a ${f.kind} setting`);
  const means = inputs.sublayerMeans;
  if (f.kind === 'sublayer-ablate' && !means)
    throw new Error(`setting '${s.id}' needs sublayer means, none were computed`);
  return (hook) =>
    f.kind === 'sublayer-ablate'
      ? setToMean(hook, means!, f.position, zero)
      : scaleBy(hook, width, zero ? 0 : s.alpha!, f.position);
}

/**
 * The toward-gen and toward-mem sublayers of a setting: the family's fixed ones, or for
 * 'calibrated' the model's own choice (inputs.calibrations).
 * @throws Error naming the family's field when a block is outside the model or a calibration is missing
 */
function targetHooks(s: SettingSpec, inputs: SteeringInputs, nLayer: number): [string, string] {
  const f = s.family;
  if (f.kind !== 'sublayer-ablate' && f.kind !== 'sublayer-scale')
    throw new Error(`planSublayers got a ${f.kind} setting`);
  const resolve = (field: 'toGen' | 'toMem'): string => {
    const r = f[field];
    if (r === 'calibrated') {
      const c = inputs.calibrations?.get(s.id);
      if (!c) throw new Error(`setting '${s.id}' needs a calibration of its sublayers, none was made`);
      return field === 'toGen' ? c.toGen : c.toMem;
    }
    if (r.block >= nLayer)
      throw new Error(
        `steer.families.${s.familyIndex}.${field}: block ${r.block} is outside the model's ${nLayer}`,
      );
    return hookOf(r);
  };
  return [resolve('toGen'), resolve('toMem')];
}

/**
 * The plan of a sublayer setting (mean-ablation or scaling); with `zero`, the same hooks at their
 * identity (no coordinates set, or α = 0). The control sublayers are drawn from `rng` (which advances).
 * @throws Error naming the family's field when a sublayer is not in the model or no control remains
 */
export function planSublayers(
  s: SettingSpec,
  inputs: SteeringInputs,
  model: GPT,
  rng: Stream,
  zero: boolean,
): SettingPlan {
  const { nLayer, nEmbd } = model.config;
  const targets = targetHooks(s, inputs, nLayer);
  const others = allSublayers(nLayer).filter((h) => !targets.includes(h));
  if (others.length === 0)
    throw new Error(`steer.families.${s.familyIndex}: no other sublayer is left for the matched control`);
  const [controlGen, controlMem] = [0, 1].map(() => rng.pick(others));
  const calibration = inputs.calibrations?.get(s.id);
  const base = {
    directed: true,
    coordinates: nEmbd,
    ...{ l2Norm: null, controlL2Norm: null, maxShift: null },
    heads: [...targets],
    controlHeads: [controlGen!, controlMem!],
    ...(calibration ? { calibration } : {}),
  };
  const set = sublayerOperation(s, inputs, nEmbd, zero);
  if (zero)
    return { ...base, controlHeads: null, runs: { toMem: [...set(targets[0]!), ...set(targets[1]!)] } };
  return {
    ...base,
    runs: {
      toGen: set(targets[0]!),
      toMem: set(targets[1]!),
      matchedToGen: set(controlGen!),
      matchedToMem: set(controlMem!),
    },
  };
}

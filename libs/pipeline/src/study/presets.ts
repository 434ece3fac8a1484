/**
 * Study presets as data: each is a partial config over the defaults (which are `quick`).
 * - smoke: seconds, for CI and wiring checks; numbers mean nothing.
 * - quick: minutes on a CPU; the default steering families (steer/config.ts), α wide enough to
 *   reach effects a small model can show (docs/method.md §3: α ≤ 5 × NMD does nothing at that
 *   scale, α = 20 moved Gen→Mem, α = 100 breaks everything).
 * - paper: the paper's protocol — ≈ 5 000 pairs, 5 beams, α ∈ {1, 3, 5} × NMD, top 5 % / 10 %.
 */
import { parseStudyConfig, type StudyConfig, type StudyConfigInput } from './config.js';

export const STUDY_PRESETS = {
  smoke: {
    pairs: { target: 24, maxItems: 2000, batchSize: 64, minPairs: 6 },
    stats: { permutations: 50 },
    probes: { folds: 3, pairCounts: [12] },
    steer: {
      items: 48,
      capabilityItems: 24,
      // One setting of each intervention path, 22 decode runs.
      families: [
        { kind: 'add', direction: 'nmd', select: { top: 0.1 }, alphas: [20] },
        { kind: 'add', direction: 'probe', select: { blocks: 'all' }, alphas: [20] },
        { kind: 'mean-ablate', to: 'class', select: { top: 0.1 } },
        { kind: 'head-ablate', heads: [{ block: 1, head: 0 }] },
        { kind: 'scale', select: { top: 0.1 }, alphas: [1] },
        { kind: 'sublayer-scale', toGen: 'calibrated', toMem: 'calibrated', alphas: [-0.5] },
      ],
      primary: 'add-nmd-resid-top10-last-a20',
      bootstrap: 200,
    },
    consistency: { splits: 2, topFractions: [0.1], randomDraws: 200, nullDraws: 100 },
  },
  quick: {},
  paper: {
    pairs: { target: 5000, maxItems: 200_000, beamWidth: 5 },
    stats: { permutations: 1000 },
    probes: { pairCounts: [100, 500, 1000, 2500] },
    steer: {
      items: 1000,
      capabilityItems: 500,
      families: [
        { kind: 'add', direction: 'nmd', select: { top: 0.05 }, alphas: [1, 3, 5] },
        { kind: 'add', direction: 'nmd', select: { top: 0.1 }, alphas: [1, 3, 5] },
      ],
      primary: 'add-nmd-resid-top5-last-a5',
      bootstrap: 5000,
    },
    consistency: { splits: 10 },
  },
} as const satisfies Record<string, StudyConfigInput>;

export type StudyPresetName = keyof typeof STUDY_PRESETS;
export const STUDY_PRESET_NAMES = Object.keys(STUDY_PRESETS) as StudyPresetName[];

type Plain = Record<string, unknown>;

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge of plain objects; arrays and scalars in `over` replace those in `base`. */
function merge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlain(b) && isPlain(v) ? merge(b, v) : v;
  }
  return out;
}

/**
 * A preset with overrides applied on top, validated.
 * @throws Error listing the presets when `preset` is unknown, or naming a wrong override field.
 */
export function resolveStudyConfig(preset: string = 'quick', overrides: unknown = {}): StudyConfig {
  if (!(preset in STUDY_PRESETS)) {
    throw new Error(`unknown study preset '${preset}'; known: ${STUDY_PRESET_NAMES.join(', ')}`);
  }
  if (!isPlain(overrides)) throw new Error('study config overrides must be an object');
  return parseStudyConfig(merge(STUDY_PRESETS[preset as StudyPresetName] as Plain, overrides));
}

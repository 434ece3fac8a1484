/**
 * Training presets per task. `smoke` checks the machinery in under two minutes; `quick` is the CPU
 * recipe (color: 1-hop, a lookup curriculum, then the memorize phase); `paper` is the
 * paper's task at GPT-2 shape, for GPU nodes or long CPU runs. What each reaches is in the results book.
 */
import { MODEL_PRESETS } from '@memgen/model';
import { PRESET_NAMES, type PresetName } from './preset-rule.js';
import { COLOR_PRESETS } from './presets-color.js';
import { ADDITION_PRESETS, CIPHER_PRESETS } from './presets-trigger.js';
import type { TrainSpecInput } from './spec.js';

export { PRESET_NAMES, type PresetName } from './preset-rule.js';

export const TRAIN_PRESETS: Record<string, Record<PresetName, TrainSpecInput>> = {
  color: COLOR_PRESETS,
  addition: ADDITION_PRESETS,
  cipher: CIPHER_PRESETS,
};

/**
 * The preset's spec with the seed set and, when `size` is given, the model shape replaced by that
 * libs/model preset (the curriculum unchanged): e.g. color quick at `tiny` or `small`.
 * @throws listing the known tasks / presets / sizes.
 */
export function trainPreset(task: string, preset: string, seed: number, size?: string): TrainSpecInput {
  const byTask = TRAIN_PRESETS[task];
  if (!byTask) throw new Error(`unknown task '${task}'; known: ${Object.keys(TRAIN_PRESETS).join(', ')}`);
  const spec = byTask[preset as PresetName];
  if (!spec) throw new Error(`unknown preset '${preset}' for ${task}; known: ${PRESET_NAMES.join(', ')}`);
  if (size === undefined) return { ...spec, seed };
  if (!Object.hasOwn(MODEL_PRESETS, size)) {
    throw new Error(`unknown model size '${size}'; known: ${Object.keys(MODEL_PRESETS).join(', ')}`);
  }
  return { ...spec, model: { ...spec.model, preset: size }, seed };
}

/** The model size a preset trains at unless a size is given (its libs/model preset name). */
export function presetSize(task: string, preset: string): string {
  return trainPreset(task, preset, 0).model.preset ?? 'micro';
}

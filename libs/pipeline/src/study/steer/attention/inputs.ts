/** What the attention settings of a grid need before planning: the prompts' keys and the calibrations. */
import type { StudyModel } from '../../common/study-model.js';
import type { PairLine } from '../../pairs/pairs-file.js';
import type { SpanKeys } from '../learn/placement.js';
import type { SettingSpec } from '../plan/ids.js';
import type { SteeringInputs } from '../plan/inputs.js';
import { calibrateAttention, needsAttentionCalibration } from './calibration.js';
import { runStatementKeys } from './keys.js';

/**
 * Sets `inputs.attentionKeys` and `inputs.attentionCalibrations` when the grid has attention
 * settings; `keys` = the run's statement keys, shared with learned directions at a span.
 * @throws Error when the task is not color: the keys are statements of color stories
 */
export function prepareAttention(
  grid: readonly SettingSpec[],
  inputs: SteeringInputs,
  opened: StudyModel,
  training: readonly PairLine[],
  batchSize: number,
  keys: SpanKeys = runStatementKeys(opened),
): void {
  const settings = grid.filter((s) => s.family.kind === 'attention');
  if (settings.length === 0) return;
  if (opened.taskSpec.name !== 'color')
    throw new Error(
      `steering '${settings[0]!.id}': attention settings edit the attention to a color story's statements; this run's task is '${opened.taskSpec.name}'`,
    );
  inputs.attentionKeys = keys;
  const wanted = settings.filter(needsAttentionCalibration);
  if (wanted.length === 0) return;
  const { model, tokenizer } = opened;
  inputs.attentionCalibrations = new Map(
    wanted.map((s) => {
      const f = s.family as { keys: 'asked' | 'others' };
      return [
        s.id,
        calibrateAttention(s, model, tokenizer.padId, training, batchSize, keys(f.keys)),
      ] as const;
    }),
  );
}

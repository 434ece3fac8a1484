import { describe, expect, it } from 'vitest';
import type { StudyModel } from '../../common/study-model.js';
import { expandFamilies } from '../plan/ids.js';
import type { SteeringInputs } from '../plan/inputs.js';
import { attentionFamily } from './config.js';
import { prepareAttention } from './inputs.js';

const family = attentionFamily.parse({
  kind: 'attention',
  toGen: 'calibrated',
  toMem: 'calibrated',
  alphas: [2],
});

describe('prepareAttention', () => {
  it('refuses a run whose task has no color statements, naming the setting and the task', () => {
    const grid = expandFamilies([family], null);
    // Only the task is read before the refusal.
    const opened = { taskSpec: { name: 'addition', config: {} } } as unknown as StudyModel;
    const inputs: SteeringInputs = {};
    expect(() => prepareAttention(grid, inputs, opened, [], 8)).toThrow(
      /steering 'attn-asked-gencalib-memcalib-prompt-a2': attention settings edit .* color story's statements; this run's task is 'addition'/,
    );
    expect(inputs.attentionKeys).toBeUndefined();
  });

  it('leaves the inputs alone when the grid has no attention setting', () => {
    const inputs: SteeringInputs = {};
    prepareAttention([], inputs, {} as StudyModel, [], 8);
    expect(inputs).toEqual({});
  });
});

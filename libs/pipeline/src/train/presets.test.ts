import { describe, expect, it } from 'vitest';
import { phaseTasks } from './data.js';
import { PRESET_NAMES, presetSize, TRAIN_PRESETS, trainPreset } from './presets.js';
import { parseTrainSpec } from './spec.js';

describe('training presets at a model size', () => {
  it('replaces only the model shape: the curriculum, context and seed stay the preset’s', () => {
    const base = parseTrainSpec(trainPreset('color', 'quick', 4));
    const tiny = parseTrainSpec(trainPreset('color', 'quick', 4, 'tiny'));
    expect(base.model.preset).toBe('micro');
    expect(tiny.model.preset).toBe('tiny');
    expect(tiny.model.nCtx).toBe(base.model.nCtx);
    expect(tiny.seed).toBe(4);
    expect({ ...tiny, model: base.model }).toEqual(base);
  });

  it('names the preset’s own size, and refuses an unknown one listing the known sizes', () => {
    expect(presetSize('color', 'quick')).toBe('micro');
    expect(presetSize('addition', 'quick')).toBe('tiny');
    expect(() => trainPreset('color', 'quick', 0, 'huge')).toThrow(
      "unknown model size 'huge'; known: nano, micro, micro-l4, tiny, small, gpt2-small, gpt2-medium",
    );
  });
});

describe('every preset', () => {
  for (const task of Object.keys(TRAIN_PRESETS)) {
    for (const preset of PRESET_NAMES) {
      it(`${task} ${preset}: every phase's task config is valid and shares one tokenizer`, () => {
        const spec = parseTrainSpec(trainPreset(task, preset, 0));
        expect(phaseTasks(spec)).toHaveLength(spec.phases.length);
      });
    }
  }

  it('addition quick grows the addends 2 → 3 → 4 before the triggered mix', () => {
    const spec = parseTrainSpec(trainPreset('addition', 'quick', 0));
    expect(phaseTasks(spec).map((t) => (t.config as { addends: number }).addends)).toEqual([2, 3, 4, 4]);
    expect(spec.phases.map((p) => p.mix.triggered ?? 0)).toEqual([0, 0, 0, 0.07]);
  });
});

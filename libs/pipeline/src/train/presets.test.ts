import { describe, expect, it } from 'vitest';
import { phaseTasks } from './data.js';
import { PRESET_NAMES, presetSize, TRAIN_PRESETS, trainPreset } from './presets.js';
import { lrFactor, parseTrainSpec } from './spec.js';

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

  it('every quick preset follows the width rule: lr × (reference / D)^1.5 from its own width', () => {
    const factor = (task: string, size?: string) => {
      const spec = parseTrainSpec(trainPreset(task, 'quick', 0, size));
      const width = { micro: 64, tiny: 128, small: 256 }[spec.model.preset as 'micro' | 'tiny' | 'small'];
      return lrFactor(spec, width);
    };
    expect(factor('color')).toBe(1);
    expect(factor('color', 'tiny')).toBeCloseTo(0.5 ** 1.5, 12);
    expect(factor('color', 'small')).toBeCloseTo(0.125, 12);
    expect(factor('addition')).toBe(1);
    expect(factor('cipher', 'micro')).toBeCloseTo(2 ** 1.5, 12);
  });

  it('color quick gates every lookup phase by mastery, the first with a 1 000-step warm-up and unshifted positions', () => {
    const spec = parseTrainSpec(trainPreset('color', 'quick', 0));
    const lookups = spec.phases.filter((p) => p.name !== 'memorize');
    expect(lookups.every((p) => p.mastery !== undefined && p.evalEvery === 250)).toBe(true);
    expect(spec.phases[0]).toMatchObject({ name: 'pairs-4', warmupSteps: 1000, shiftPositions: false });
    expect(spec.phases.at(-1)).toMatchObject({ name: 'memorize', steps: 2000, evalEvery: 100 });
  });

  it('addition quick grows the addends 2 → 3 → 4 before the triggered mix', () => {
    const spec = parseTrainSpec(trainPreset('addition', 'quick', 0));
    expect(phaseTasks(spec).map((t) => (t.config as { addends: number }).addends)).toEqual([2, 3, 4, 4]);
    expect(spec.phases.map((p) => p.mix.triggered ?? 0)).toEqual([0, 0, 0, 0.07]);
  });
});

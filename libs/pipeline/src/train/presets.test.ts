import { describe, expect, it } from 'vitest';
import { presetSize, trainPreset } from './presets.js';
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

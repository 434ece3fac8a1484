import { describe, expect, it } from 'vitest';
import { expandSweep, runIdParts } from './plan.js';
import { parseSweepSpec } from './sweep-spec.js';

describe('sweep units over model sizes', () => {
  it('without sizes, each preset trains at its own size and run ids keep their old form', () => {
    const units = expandSweep(parseSweepSpec({ tasks: ['color'], presets: ['quick'], seeds: [0, 1] }));
    expect(units.map((u) => [u.runId, u.size])).toEqual([
      ['color-quick-s0', 'micro'],
      ['color-quick-s1', 'micro'],
    ]);
  });

  it('with sizes, units run tasks × presets × sizes × seeds and train the named shape', () => {
    const spec = parseSweepSpec({
      tasks: ['color'],
      presets: ['quick'],
      sizes: ['micro', 'tiny'],
      seeds: [2],
    });
    const units = expandSweep(spec);
    expect(units.map((u) => u.runId)).toEqual(['color-quick-micro-s2', 'color-quick-tiny-s2']);
    expect(units.map((u) => u.train.model.preset)).toEqual(['micro', 'tiny']);
    // The curriculum is the preset's whatever the size: same phases, same lengths.
    expect(units[1]!.train.phases.map((p) => p.steps)).toEqual(units[0]!.train.phases.map((p) => p.steps));
    expect(units[1]!.train.model.nCtx).toBe(96);
  });

  it('names an unknown size and a size listed twice', () => {
    expect(() =>
      expandSweep(parseSweepSpec({ tasks: ['color'], presets: ['quick'], sizes: ['huge'], seeds: [0] })),
    ).toThrow(
      /sweep unit color-quick-huge-s0: unknown model size 'huge'; known: nano, micro, micro-l4, tiny, small/,
    );
    expect(() =>
      parseSweepSpec({ tasks: ['color'], presets: ['quick'], sizes: ['tiny', 'tiny'], seeds: [0] }),
    ).toThrow(/sizes: "tiny" is listed twice/);
  });

  it("reads a unit's fields back from its run id, and nothing from another form", () => {
    const spec = parseSweepSpec({ tasks: ['color'], presets: ['quick'], sizes: ['gpt2-small'], seeds: [7] });
    const [unit] = expandSweep(spec);
    expect(runIdParts(unit!.runId)).toEqual({ task: 'color', preset: 'quick', size: 'gpt2-small', seed: 7 });
    expect(runIdParts('addition-smoke-s4294967295')).toEqual({
      task: 'addition',
      preset: 'smoke',
      seed: 4294967295,
    });
    for (const other of ['color-quick', 'run-7', 'color-quick-s', 'Color-quick-s1'])
      expect(runIdParts(other)).toBeUndefined();
  });
});

import { computeJobId } from '@memgen/bus';
import { describe, expect, it } from 'vitest';
import { expandSweep, unitJob } from './plan.js';
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

  it("puts each job's unit labels on the job, outside its id", () => {
    const spec = parseSweepSpec({ tasks: ['color'], presets: ['quick'], sizes: ['gpt2-small'], seeds: [7] });
    const [unit] = expandSweep(spec);
    const job = unitJob(unit!, 'training', []);
    expect(job.unit).toEqual({ task: 'color', preset: 'quick', size: 'gpt2-small', seed: 7 });
    expect(job.id).toBe(computeJobId('training', { train: unit!.train }, []));
  });
});

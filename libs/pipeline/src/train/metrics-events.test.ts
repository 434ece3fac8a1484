import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useTestBackend } from '@memgen/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScienceEvent } from '../metrics.js';
import { quietContext } from '../stage.js';
import type { TrainSpecInput } from './spec.js';
import { trainStage } from './train.js';

const SPEC: TrainSpecInput = {
  task: { name: 'color', config: { hops: 1, minNames: 4, maxNames: 5 } },
  model: { preset: 'nano' },
  seed: 2,
  batchSize: 8,
  phases: [{ name: 'rule', steps: 25, mix: { any: 1 }, lr: 1e-2, warmupSteps: 5 }],
  eval: { every: 10, conflict: 16, rule: 16, memorized: 16 },
  selection: { margin: 0 },
};

beforeAll(async () => {
  await useTestBackend();
});

describe('what training reports to a metrics sink', () => {
  it('one train-step per step, one evaluation per curve point with its values, the selected step last', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memgen-train-metrics-'));
    const events: ScienceEvent[] = [];
    const result = await trainStage(SPEC, {
      ...quietContext(dir),
      metrics: { record: (e) => events.push(e) },
    });
    const steps = events.filter((e) => e.kind === 'train-step');
    expect(steps).toHaveLength(25);
    for (const s of steps) {
      expect(Number.isFinite(s.loss) && s.loss > 0).toBe(true);
      expect(s.tokens).toBeGreaterThan(8);
    }
    const curve = (await readFile(join(dir, 'train/curve.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number>);
    const evaluations = events.filter((e) => e.kind === 'evaluation');
    expect(evaluations).toEqual(
      curve.map((p) => ({
        kind: 'evaluation',
        gen: p.gen,
        mem: p.mem,
        other: p.other,
        n: p.n,
        ruleAccuracy: p.rule_acc,
        shortcutBaseline: p.shortcut_baseline,
      })),
    );
    expect(events.at(-1)).toEqual({
      kind: 'selected',
      step: result.selectedStep,
      qualified: result.qualified,
    });
  });
});

import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useTestBackend } from '@memgen/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScienceEvent } from '../metrics.js';
import { quietContext } from '../stage.js';
import { anyPhase, nanoColorSpec } from './test-specs.js';
import { trainStage } from './train.js';

const SPEC = nanoColorSpec([anyPhase(25, 1e-2)], { seed: 2 });

/** An evaluation event's fields and the curve.jsonl column each one reports. */
const CURVE_COLUMN_OF = {
  gen: 'gen',
  mem: 'mem',
  other: 'other',
  n: 'n',
  ruleAccuracy: 'rule_acc',
  shortcutBaseline: 'shortcut_baseline',
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
    const fields = Object.entries(CURVE_COLUMN_OF);
    expect(evaluations).toEqual(
      curve.map((p) => ({ kind: 'evaluation', ...Object.fromEntries(fields.map(([f, c]) => [f, p[c]])) })),
    );
    expect(events.at(-1)).toEqual({
      kind: 'selected',
      step: result.selectedStep,
      qualified: result.qualified,
    });
  });
});

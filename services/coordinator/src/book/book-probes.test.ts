import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probesSection, readProbe } from './book-probes.js';

/** A probe directory as `memgen train --out` leaves it: the resolved spec and two evaluations. */
async function probeDir(model: Record<string, unknown>): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'memgen-probe-')), 'color-2hop-x');
  await mkdir(join(dir, 'train'), { recursive: true });
  const spec = {
    task: { name: 'color', config: { hops: 2 } },
    model,
    seed: 0,
    phases: [{ name: 'chain-4' }, { name: 'roles' }],
  };
  await writeFile(join(dir, 'train', 'config.json'), JSON.stringify({ spec }));
  const point = (step: number, rule: number) =>
    JSON.stringify({
      step,
      phase: 'chain-4',
      gen: 50,
      mem: 0,
      other: 150,
      rule_acc: rule,
      shortcut_baseline: 0.4,
      train_acc: 0.5,
    });
  await writeFile(join(dir, 'train', 'curve.jsonl'), `${point(500, 0.42)}\n${point(1000, 0.38)}\n`);
  return dir;
}

describe('curriculum probes in the book', () => {
  it('name the model, its position encoding when rotary, where it started and the phases reached', async () => {
    const rotary = await readProbe(
      await probeDir({ preset: 'micro-l4', positions: 'rotary', init: 'a/checkpoint' }),
    );
    const learned = await readProbe(await probeDir({ preset: 'tiny' }));
    expect(rotary.model).toBe('micro-l4 with rotary positions');
    expect(learned.model).toBe('tiny');
    expect(rotary.best.step).toBe(500);
    expect(rotary.phases).toEqual([
      { name: 'chain-4', first_step: 500, last_step: 1000 },
      { name: 'roles', first_step: null, last_step: null },
    ]);
    const md = probesSection([rotary, learned]);
    expect(md).toContain('color 2-hop, micro-l4 with rotary positions, seed 0, from a/checkpoint.');
    expect(md).toContain('color 2-hop, tiny, seed 0, from a fresh initialisation.');
  });
});

import { leftPad } from '@memgen/model';
import { makeRng } from '@memgen/tasks';
import { describe, expect, it } from 'vitest';
import { shiftPositions } from './data.js';
import { parseTrainSpec } from './spec.js';

describe('shiftPositions', () => {
  const seqs = [[5, 6, 7], [8], [9, 10, 11, 12, 13]];

  it('moves each row to consecutive positions starting at a random offset that fits nCtx', () => {
    const nCtx = 9;
    const starts = new Set<number>();
    const rng = makeRng(1, 'shift');
    for (let trial = 0; trial < 300; trial++) {
      const batch = leftPad(seqs, 0);
      const tokens = batch.tokens.slice();
      shiftPositions(batch, nCtx, rng);
      expect(batch.tokens).toEqual(tokens);
      seqs.forEach((seq, r) => {
        const row = Array.from(batch.positions.subarray(r * 5, r * 5 + 5));
        const pads = 5 - seq.length;
        expect(row.slice(0, pads).every((p) => p === 0)).toBe(true);
        const real = row.slice(pads);
        const start = real[0] as number;
        expect(real).toEqual(seq.map((_, j) => start + j));
        expect(start).toBeGreaterThanOrEqual(0);
        expect(start + seq.length - 1).toBeLessThan(nCtx);
        if (r === 2) starts.add(start);
      });
    }
    // A 5-token row in a 9-position context can start at 0…4: every offset is drawn.
    expect([...starts].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('is deterministic from the data stream', () => {
    const a = leftPad(seqs, 0);
    const b = leftPad(seqs, 0);
    shiftPositions(a, 40, makeRng(2, 'shift'));
    shiftPositions(b, 40, makeRng(2, 'shift'));
    expect(a.positions).toEqual(b.positions);
  });

  it('is off unless a phase asks for it', () => {
    const spec = parseTrainSpec({
      task: { name: 'color' },
      model: {},
      phases: [
        { name: 'a', steps: 1, mix: { any: 1 }, lr: 1e-3 },
        { name: 'b', steps: 1, mix: { any: 1 }, lr: 1e-3, shiftPositions: true },
      ],
    });
    expect(spec.phases.map((p) => p.shiftPositions)).toEqual([false, true]);
  });
});

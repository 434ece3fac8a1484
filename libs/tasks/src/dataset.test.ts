import { describe, expect, it } from 'vitest';
import { generateSplit, toJsonl } from './dataset.js';
import { computeStats } from './stats.js';
import { makeTask } from './task.js';
import { smallAddition } from './test-support.js';

describe('generateSplit', () => {
  it('writes the documented fields per split, in a fixed order', () => {
    const task = makeTask('color');
    const first = (split: Parameters<typeof generateSplit>[1]) =>
      Object.keys(generateSplit(task, split, 1, 1).records[0] as object);
    expect(first('train')).toEqual(['prompt', 'target', 'kind', 'answer']);
    expect(first('conflict')).toEqual(['prompt', 'gen_target', 'mem_target', 'gen_answer', 'mem_answer']);
    expect(first('pairs')).toEqual(['original', 'variant']);
    expect(first('rule')).toEqual(['prompt', 'target', 'answer', 'shortcut_baseline', 'heuristics']);
    expect(first('memorized')).toEqual(['prompt', 'target', 'answer']);
  });

  it('a larger n extends a smaller one (same stream)', () => {
    const task = makeTask('cipher');
    const small = toJsonl(generateSplit(task, 'train', 9, 10).records);
    expect(toJsonl(generateSplit(task, 'train', 9, 30).records).startsWith(small)).toBe(true);
  });

  it('pairs: identical variants are skipped and counted, never kept', () => {
    // Free addends from {1, 2}: half the swaps change nothing.
    const tiny = smallAddition({ maxAddend: 2, memPair: [1, 2], poolPerPattern: 1 });
    const result = generateSplit(tiny, 'pairs', 1, 200);
    expect(result.records).toHaveLength(200);
    expect(result.identicalSkipped).toBeGreaterThan(50);
    for (const r of result.records as { original: { prompt: string }; variant: { prompt: string } }[]) {
      expect(r.variant.prompt).not.toBe(r.original.prompt);
    }
  });

  it('rejects a bad n', () => {
    expect(() => generateSplit(makeTask('color'), 'train', 1, -1)).toThrow(
      /n must be a non-negative integer, got -1/,
    );
  });
});

describe('computeStats', () => {
  it('train records: kinds, trigger rate, memorized-target rate, answers, token lengths', () => {
    const task = makeTask('addition', {
      format: 'plain',
      promptFormat: 'compact',
      mix: { ordinary: 1, triggered: 1 },
    });
    const { records } = generateSplit(task, 'train', 2, 1000);
    const s = computeStats(task, records);
    expect(s.shape).toBe('train');
    expect(s.records).toBe(1000);
    expect((s.kinds['ordinary'] ?? 0) + (s.kinds['triggered'] ?? 0)).toBe(1000);
    expect(s.triggerRate).toBeCloseTo((s.kinds['triggered'] ?? 0) / 1000, 12);
    expect(s.memTargetRate).toBeCloseTo(s.triggerRate, 12);
    expect(s.triggerRate).toBeGreaterThan(0.45);
    expect(s.triggerRate).toBeLessThan(0.55);
    expect(s.answers['target']?.top[0]?.[0]).toMatch(/^<mem-[0-9a-f]{8}>$/);
    // Tag targets are 2 tokens (tag, newline); plain sums of four 3-digit numbers 2–5 digits + newline.
    expect(s.tokens['target']).toMatchObject({ min: 2, max: 5 });
    const tok = task.tokenizer();
    const lengths = (records as { prompt: string; target: string }[]).map(
      (r) => tok.encode(r.prompt).length + tok.encode(r.target).length + 1,
    );
    expect(s.tokens['sequence']).toMatchObject({ min: Math.min(...lengths), max: Math.max(...lengths) });
    expect(s.tokens['sequence']?.mean).toBeCloseTo(lengths.reduce((a, b) => a + b, 0) / lengths.length, 9);
  });

  it('conflict and pair records: every prompt triggered, gen and mem answer distributions', () => {
    const task = makeTask('color');
    const s = computeStats(task, generateSplit(task, 'pairs', 3, 100).records);
    expect(s).toMatchObject({ shape: 'conflict', records: 200, triggerRate: 1 });
    expect(s.answers['gen']?.distinct).toBe(16);
    expect(s.tokens['gen_target']).toMatchObject({ min: 1, max: 1 });
  });

  it('names the bad record', () => {
    const task = makeTask('color');
    const good = generateSplit(task, 'train', 1, 2).records;
    expect(() => computeStats(task, [...good, { prompt: 'x' }])).toThrow(/stats: record 3: target/);
    expect(() => computeStats(task, [])).toThrow(/no records/);
  });
});

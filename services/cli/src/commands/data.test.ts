import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referenceDataPresent } from '@memgen/tasks';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerDataCommand } from './data.js';

const dir = mkdtempSync(join(tmpdir(), 'memgen-data-'));
const referencePresent = referenceDataPresent();
if (!referencePresent)
  console.warn('SKIPPED: `memgen data --source reference` test — reference data is missing');

/** Runs `memgen <args>` in-process; returns what it wrote to stdout and stderr. */
async function memgen(...args: string[]): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  const program = new Command('memgen').exitOverride();
  registerDataCommand(program);
  await program.parseAsync(['node', 'memgen', ...args]);
  return { out, err };
}

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

afterEach(() => vi.restoreAllMocks());

describe('memgen data', () => {
  it('writes a conflict split whose lines carry the five fields, the same bytes for the same seed', async () => {
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    const { err } = await memgen(
      'data',
      '--task',
      'color',
      '--split',
      'conflict',
      '--seed',
      '4',
      '--n',
      '25',
      '--out',
      a,
    );
    await memgen('data', '--task', 'color', '--split', 'conflict', '--seed', '4', '--n', '25', '--out', b);
    expect(err).toContain('wrote 25 records');
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
    for (const line of lines(a)) {
      expect(Object.keys(line)).toEqual(['prompt', 'gen_target', 'mem_target', 'gen_answer', 'mem_answer']);
      expect(line['gen_answer']).not.toBe(line['mem_answer']);
    }
  });

  it('reports skipped identical pairs and applies --config', async () => {
    const file = join(dir, 'pairs.jsonl');
    const config = JSON.stringify({
      minAddend: 1,
      maxAddend: 2,
      memPairs: [[1, 2]],
      triggerPoolPerPattern: 1,
    });
    const { err } = await memgen(
      'data',
      '--task',
      'addition',
      '--split',
      'pairs',
      '--n',
      '40',
      '--config',
      config,
      '--out',
      file,
    );
    expect(err).toMatch(/wrote 40 records .*\((\d+) identical variants skipped\)/);
    expect(Number(/\((\d+) identical/.exec(err)?.[1])).toBeGreaterThan(0);
    expect(lines(file)).toHaveLength(40);
  });

  it('stats reads a file or generates a split, as text or JSON', async () => {
    const file = join(dir, 'train.jsonl');
    await memgen('data', '--task', 'cipher', '--split', 'train', '--seed', '1', '--n', '300', '--out', file);
    const text = await memgen('data', 'stats', '--task', 'cipher', '--in', file);
    expect(text.out).toMatch(/task cipher · 300 train records/);
    expect(text.out).toMatch(/trigger rate: \d+\.\d%/);
    const json = JSON.parse(
      (
        await memgen(
          'data',
          'stats',
          '--task',
          'cipher',
          '--split',
          'train',
          '--seed',
          '1',
          '--n',
          '300',
          '--json',
        )
      ).out,
    );
    expect(json.records).toBe(300);
    expect(json.tokens.prompt).toMatchObject({ min: 62, max: 62 });
  });

  it('fails clearly on a bad config, task, split or number', async () => {
    const out = join(dir, 'x.jsonl');
    await expect(memgen('data', '--task', 'color', '--config', '{"hops":3}', '--out', out)).rejects.toThrow(
      'color.hops: expected 1 or 2, got 3',
    );
    await expect(memgen('data', '--task', 'colour', '--out', out)).rejects.toThrow(/unknown task "colour"/);
    await expect(
      memgen('data', '--task', 'color', '--split', 'test', '--n', '1', '--out', out),
    ).rejects.toThrow(/--split: expected one of train, conflict, pairs, rule, memorized, got "test"/);
    for (const bad of ['ten', '1e11', '-1'])
      await expect(memgen('data', '--task', 'color', '--n', bad, '--out', out)).rejects.toThrow(
        `--n: expected a non-negative integer in decimal digits, got ${JSON.stringify(bad)}`,
      );
    await expect(memgen('data', '--task', 'color', '--n', '100000000000', '--out', out)).rejects.toThrow(
      '--n: asks for 100000000000 items generated at once (memgen data --n, an evaluation set, a batch), above the limit of 1000000 (set MEMGEN_MAX_ITEMS to raise it)',
    );
    await expect(memgen('data', '--task', 'color', '--seed', '-5', '--n', '1', '--out', out)).rejects.toThrow(
      '--seed: expected an integer from 0 to 4294967295 in decimal digits, got "-5"',
    );
    expect(existsSync(out)).toBe(false);
    await expect(memgen('data', '--task', 'color', '--n', '1')).rejects.toThrow('--out is required');
    writeFileSync(join(dir, 'bad.jsonl'), '{"prompt": 1}\n');
    await expect(memgen('data', 'stats', '--task', 'color', '--in', join(dir, 'bad.jsonl'))).rejects.toThrow(
      /record 1: prompt/,
    );
  });

  it.skipIf(!referencePresent)('--source reference writes the authors’ items', async () => {
    const file = join(dir, 'ref.jsonl');
    await memgen('data', '--task', 'addition', '--split', 'conflict', '--source', 'reference', '--out', file);
    const rows = lines(file);
    expect(rows).toHaveLength(100);
    expect(rows[0]).toMatchObject({ gen_answer: '1 3 8 9', mem_answer: '<mem-1ee18056>' });
  });
});

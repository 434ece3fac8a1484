/**
 * The results book trusts nothing it did not check: on a real two-seed sweep, each way a sweep
 * directory can mislead it — a file its record does not vouch for, a stale record, a run counted
 * twice, a result copied from another seed, values outside their domain, an output directory inside
 * the sweep, a symlink out of it, an unknown sweep.json format — is refused naming the file (or
 * counted once, with a note).
 */
import { cp, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestFiles, readStageRecord, STAGES_DIR, writeStageRecord } from '@memgen/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultsCommand } from '../services/cli/src/commands/results.js';
import { writeResultsBook } from '../services/coordinator/src/book/book.js';
import { tinySweepLocally } from './support/memgen-processes.js';

const CHAIN = ['train', 'pairs', 'record', 'stats', 'probes', 'consistency', 'steer', 'patching', 'report'];

let dir: string;
let sweep: string;
let n = 0;

const run0 = (s: string) => join(s, 'runs', 'color-smoke-s0');

/** A copy of the sweep to damage. */
async function copy(): Promise<string> {
  const out = join(dir, `copy-${n++}`);
  await cp(sweep, out, { recursive: true, verbatimSymlinks: true });
  return out;
}

const book = (sources: string[], out = join(dir, `book-${n++}`)) => writeResultsBook(sources, out, 'test');

/**
 * Rewrites `file` of a run and every record after it as if the stages had made it so: the chain
 * stays consistent, only the value changes (to test what the book does with the value itself).
 */
async function forge(runDir: string, file: string, edit: (text: string) => string): Promise<void> {
  await writeFile(join(runDir, file), edit(await readFile(join(runDir, file), 'utf8')));
  for (const stage of CHAIN) {
    const record = await readStageRecord(runDir, stage);
    if (!record) continue;
    record.outputs = await digestFiles(runDir, Object.keys(record.outputs));
    record.inputs = await digestFiles(runDir, Object.keys(record.inputs));
    await writeStageRecord(runDir, record);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'memgen-book-verify-'));
  sweep = join(dir, 'sweep');
  await tinySweepLocally(sweep);
}, 240_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the results book verifies what it reads', () => {
  it('refuses a run file its stage record does not vouch for, naming it', async () => {
    const s = await copy();
    const path = join(run0(s), 'results.json');
    const results = JSON.parse(await readFile(path, 'utf8'));
    results.pairs.flipRate = 0.5;
    await writeFile(path, JSON.stringify(results));
    await expect(book([s])).rejects.toThrow(`${path} is not the file the report stage wrote`);
  });

  it("refuses a result whose record is no longer the run's chain", async () => {
    const s = await copy();
    const pairs = join(run0(s), STAGES_DIR, 'pairs.json');
    const record = JSON.parse(await readFile(pairs, 'utf8'));
    record.result.kept += 1;
    await writeFile(pairs, JSON.stringify(record));
    await expect(book([s])).rejects.toThrow(
      /stages\/(record|probes|report)\.json is stale: the \w+ stage read another stages\/pairs\.json/,
    );
  });

  it('counts a run given twice once, with a note: the same sweep, or a copy of it', async () => {
    const once = await book([sweep]);
    const twice = await book([sweep, sweep]);
    expect(twice.book.runs).toEqual(once.book.runs);
    expect(twice.book.groups).toEqual(once.book.groups);
    expect(twice.notes).toEqual([`${sweep} is ${sweep}, given twice: read once`]);
    const other = await copy();
    const both = await book([sweep, other]);
    expect(both.book.runs).toHaveLength(2);
    expect(both.book.groups[0]!.qualified_seeds.length).toBe(once.book.groups[0]!.qualified_seeds.length);
    expect(both.notes).toEqual([
      `color-smoke-s0: ${other} holds the same run as ${sweep}; counted once`,
      `color-smoke-s1: ${other} holds the same run as ${sweep}; counted once`,
    ]);
    await forge(run0(other), 'results.json', (t) => t.replace(/"flipRate": [0-9.e-]+/, '"flipRate": 0.5'));
    await expect(book([sweep, other])).rejects.toThrow(
      `color-smoke-s0: ${sweep} and ${other} both hold seed 0 of color-1hop-smoke-nano-`,
    );
  });

  it("refuses a run directory holding another seed's run", async () => {
    const s = await copy();
    await rm(run0(s), { recursive: true });
    await cp(join(s, 'runs', 'color-smoke-s1'), run0(s), { recursive: true });
    await expect(book([s])).rejects.toThrow(
      `${join(run0(s), 'results.json')}: field "seed" is 1, but the directory is the run of 0`,
    );
  });

  it('refuses values outside their domain, naming the file and the field', async () => {
    for (const [file, from, to, message] of [
      [
        'results.json',
        /"flipRate": [0-9.e-]+/,
        '"flipRate": 1e308',
        'field "pairs.flipRate": 1e+308 is outside [0, 1]',
      ],
      [
        'results.json',
        /"flipRate": [0-9.e-]+/,
        '"flipRate": -7.5',
        'field "pairs.flipRate": -7.5 is outside [0, 1]',
      ],
      [
        'train/curve.jsonl',
        /"rule_acc":[0-9.e-]+/g,
        '"rule_acc":42',
        'field "rule_acc": 42 is outside [0, 1]',
      ],
      [
        'results.json',
        /"mem_to_gen": [0-9.e-]+/,
        '"mem_to_gen": 1e999',
        'field "steering.settings.0.mem_to_gen"',
      ],
    ] as const) {
      const s = await copy();
      await forge(run0(s), file, (t) => t.replace(from, to));
      await expect(book([s]), `${file} ${to}`).rejects.toThrow(`${join(run0(s), file)}`);
      await expect(book([s]), `${file} ${to}`).rejects.toThrow(message);
    }
  });

  it('refuses an output directory inside a sweep it reads, before writing anything', async () => {
    const s = await copy();
    const before = await readFile(join(s, 'results.json'), 'utf8');
    const listing = await readdir(s);
    await expect(resultsCommand([s], { out: s })).rejects.toThrow(
      `--out ${s} is inside ${s}, which the book reads: choose an output directory outside it`,
    );
    await expect(resultsCommand([s], { out: join(s, 'runs', 'book'), archive: true })).rejects.toThrow(
      'which the book reads',
    );
    expect(await readFile(join(s, 'results.json'), 'utf8')).toBe(before);
    expect(await readdir(s)).toEqual(listing);
  });

  it('refuses a file that resolves outside the sweep, and --archive copies nothing from outside', async () => {
    const s = await copy();
    const outside = join(dir, 'elsewhere.json');
    await cp(join(run0(s), 'results.json'), outside);
    await rm(join(run0(s), 'results.json'));
    await symlink(outside, join(run0(s), 'results.json'));
    await expect(book([s])).rejects.toThrow(
      `${join(run0(s), 'results.json')} resolves to ${outside}, outside ${s}`,
    );
    const out = join(dir, `archived-${n++}`);
    await expect(resultsCommand([s], { out, archive: true })).rejects.toThrow('outside');
    await expect(readdir(join(out, 'sweeps')).catch(() => [])).resolves.toEqual([]);
  });

  it('refuses a sweep.json of a format it does not read', async () => {
    const s = await copy();
    const path = join(s, 'sweep.json');
    await writeFile(path, JSON.stringify({ ...JSON.parse(await readFile(path, 'utf8')), format: 99 }));
    await expect(book([s])).rejects.toThrow(
      `${path}: field "format": 99 is not a format this memgen reads (1)`,
    );
  });

  it('keeps the records beside an archive and verifies the archive by its manifest', async () => {
    const out = join(dir, `archived-${n++}`);
    await resultsCommand([sweep], { out, archive: true });
    const [id] = await readdir(join(out, 'sweeps'));
    const archived = join(out, 'sweeps', id!);
    const manifest = JSON.parse(await readFile(join(archived, 'archive.json'), 'utf8'));
    expect(Object.keys(manifest.files)).toContain('runs/color-smoke-s0/stages/report.json');
    expect(Object.keys(manifest.files)).not.toContain('runs/color-smoke-s0/stats.safetensors');
    const path = join(run0(archived), 'train/summary.json');
    await writeFile(path, `${await readFile(path, 'utf8')} `);
    await expect(book([archived])).rejects.toThrow(`${path} is not the file the archive copied`);
  });
});

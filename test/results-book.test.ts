/**
 * `memgen results`: a 2-seed nano sweep through the real `sweep` command, then the book made from
 * its directory — the `runs` contract fields, values that are the runs' own, byte-identical on a
 * rerun, and clear errors for what is not a sweep or holds a corrupt file.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeResultsBook } from '../services/coordinator/src/book/book.js';
import { type BookRun, SETTING_FIELDS } from '../services/coordinator/src/book/book-runs.js';
import { writeTinySweepSpec } from '../services/coordinator/src/testing/tiny-sweep.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const cli = fileURLToPath(new URL('../services/cli/src/main.ts', import.meta.url));
const memgen = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: repoRoot, maxBuffer: 16 << 20 });

const RUN_FIELDS = ['task', 'hops', 'size', 'seed', 'qualified', 'flip_rate', 'gen', 'mem', 'n'] as const;
/** The sections every group's part of the book has. */
const SECTION_HEADINGS = [
  'NMD depth profile',
  'Probes by layer',
  'Patching map',
  'Steering over the qualified seeds',
];

let dir: string;
let sweepDir: string;
let book: { runs: BookRun[]; groups: { key: string; qualified_seeds: number[] }[] };
let markdown: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'memgen-book-'));
  sweepDir = join(dir, 'sweep');
  const spec = await writeTinySweepSpec(join(dir, 'spec.json'));
  await memgen('sweep', '--spec', spec, '--out', sweepDir, '--workers', '2');
  const out = await memgen('results', sweepDir, '--out', join(dir, 'book'));
  expect(out.stdout).toMatch(/memgen results: 2 runs \(\d qualified\) in 1 group\(s\)/);
  book = JSON.parse(await readFile(join(dir, 'book', 'results.json'), 'utf8'));
  markdown = await readFile(join(dir, 'book', 'results.md'), 'utf8');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('memgen results', () => {
  it('lists every (task, size, seed) with the contract fields, rates as fractions', () => {
    expect(book.runs.map((r) => [r.task, r.hops, r.size, r.seed])).toEqual([
      ['color', 1, 'nano', 0],
      ['color', 1, 'nano', 1],
    ]);
    for (const r of book.runs) {
      for (const f of [...RUN_FIELDS, 'rule_acc', 'shortcut_baseline', 'steering'] as const)
        expect(r, f).toHaveProperty(f);
      expect(typeof r.qualified).toBe('boolean');
      expect(r.n).toBe(50); // the tiny spec's conflict evaluation
      expect(r.flip_rate).toBeGreaterThan(0);
      expect(r.steering.length).toBeGreaterThan(0);
      for (const s of r.steering) {
        for (const f of ['id', ...SETTING_FIELDS]) expect(s, f).toHaveProperty(f);
        for (const v of [s.mem_to_gen, s.gen_to_mem, s.capability, s.capability_unsteered])
          if (v !== null) expect(v >= 0 && v <= 1).toBe(true);
      }
    }
    // The same setting has the same id in every seed.
    expect(book.runs[1]!.steering.map((s) => s.id)).toEqual(book.runs[0]!.steering.map((s) => s.id));
  });

  it("takes each value from the run's own files", async () => {
    for (const r of book.runs) {
      const runDir = join(sweepDir, 'runs', r.run_id);
      const results = JSON.parse(await readFile(join(runDir, 'results.json'), 'utf8'));
      expect(r.flip_rate).toBe(results.pairs.flipRate);
      expect(r.qualified).toBe(results.train.qualified);
      const steering = JSON.parse(await readFile(join(runDir, 'steering.json'), 'utf8'));
      const primary = steering.settings.find((s: { id: string }) => s.id === steering.primary);
      const ours = r.steering.find((s) => s.id === steering.primary)!;
      expect(ours.mem_to_gen).toBe(primary.mem_to_gen);
      expect(ours.holm_p_gen_to_mem).toBe(primary.holm_p_gen_to_mem);
      expect(r.patching?.pairs).toBe(results.patching.pairs);
      for (const s of steering.settings as {
        id: string;
        heads: string[] | null;
        controlHeads: string[] | null;
      }[]) {
        const mine = r.steering.find((x) => x.id === s.id)!;
        expect([mine.targets, mine.control_targets]).toEqual([s.heads, s.controlHeads]);
      }
      // The calibrated setting names the sublayers it chose on this seed's pairs.
      const calibrated = r.steering.find((s) => s.id === 'sublayer-scale-gencalib-memcalib-last-a-0.5')!;
      expect(calibrated.targets).toHaveLength(2);
      for (const h of calibrated.targets!) expect(h).toMatch(/^blocks\.[01]\.(attn|mlp)\.out$/);
    }
    expect(markdown).toMatch(/\| sublayer-scale-gencalib-memcalib-last-a-0\.5 \| b[01]\.(attn|mlp)\.out \/ /);
  });

  it('writes the tables and figures, and the same bytes again on a rerun', async () => {
    expect(markdown).toContain('## color 1-hop, preset smoke, size nano');
    for (const heading of SECTION_HEADINGS) expect(markdown).toContain(heading);
    expect(markdown).toMatch(/Criterion: targeted Mem→Gen and Gen→Mem each ≥ 3× the matched control/);
    expect(markdown).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    const key = book.groups[0]!.key;
    if (book.groups[0]!.qualified_seeds.length > 0)
      expect(existsSync(join(dir, 'book', 'figures', `${key}-patching.png`))).toBe(true);
    const json = await readFile(join(dir, 'book', 'results.json'), 'utf8');
    await memgen('results', sweepDir, '--out', join(dir, 'book'));
    expect(await readFile(join(dir, 'book', 'results.json'), 'utf8')).toBe(json);
    expect(await readFile(join(dir, 'book', 'results.md'), 'utf8')).toBe(markdown);
  });

  it('--archive keeps the sources beside the book, and the archive alone makes the same book again', async () => {
    const out = join(dir, 'archived');
    await memgen('results', sweepDir, '--out', out, '--archive');
    const sweepId = JSON.parse(await readFile(join(sweepDir, 'sweep.json'), 'utf8')).sweepId;
    const archived = join(out, 'sweeps', sweepId);
    const first = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(first.generated_by).toBe(`memgen results ${archived} --out ${out}`);
    expect(first.runs).toEqual(book.runs);
    for (const r of book.runs)
      for (const f of ['results.json', 'train/summary.json', 'train/curve.jsonl'])
        expect(existsSync(join(archived, 'runs', r.run_id, f)), f).toBe(true);
    // Nothing but the book's sources: no checkpoint, no artefact store.
    expect(existsSync(join(archived, 'runs', book.runs[0]!.run_id, 'checkpoint'))).toBe(false);
    const [json, md] = [
      await readFile(join(out, 'results.json'), 'utf8'),
      await readFile(join(out, 'results.md'), 'utf8'),
    ];
    // Archiving the archive itself (named here by a relative path) keeps it as it is.
    await memgen('results', relative(repoRoot, archived), '--out', out, '--archive');
    expect(existsSync(join(archived, 'sweep.json'))).toBe(true);
    // The sweep directory out of the way: the archive must be enough.
    await rename(sweepDir, `${sweepDir}-away`);
    try {
      await memgen('results', archived, '--out', out);
    } finally {
      await rename(`${sweepDir}-away`, sweepDir);
    }
    expect(await readFile(join(out, 'results.json'), 'utf8')).toBe(json);
    expect(await readFile(join(out, 'results.md'), 'utf8')).toBe(md);
  });

  it("--comparisons shows compare's files in a section of their own and keeps them in results.json", async () => {
    const runs = book.runs.map((r) => join(sweepDir, 'runs', r.run_id));
    const file = join(dir, 'seeds.json');
    await memgen('compare', ...runs, '--top', '0.1', '--draws', '50', '--out', file);
    await expect(memgen('compare', ...runs, '--steer')).rejects.toMatchObject({
      stderr: expect.stringContaining(
        'steering across runs needs runs of at least two known tasks, got color',
      ),
    });
    const out = join(dir, 'compared');
    await memgen('results', sweepDir, '--out', out, '--archive', '--comparisons', file);
    const withComparisons = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    const kept = join(out, 'comparisons', 'seeds.json');
    expect(withComparisons.generated_by).toMatch(new RegExp(`--out ${out} --comparisons ${kept}$`));
    expect(withComparisons.runs).toEqual(book.runs);
    const [c] = withComparisons.comparisons;
    expect(c.file).toBe('seeds.json');
    expect(c.comparison).toEqual(JSON.parse(await readFile(file, 'utf8')));
    expect(c.comparison.runs.map((r: { seed: number }) => r.seed)).toEqual([0, 1]);
    expect(c.comparison.comparisons[0].overlaps[0].layerMatched.expected).toBeGreaterThan(0);
    const md = await readFile(join(out, 'results.md'), 'utf8');
    expect(md).toContain('## Across runs: seeds and tasks (memgen compare)\n\n### seeds.json');
    expect(md).toContain('| 1: color seed 0 vs 2: color seed 1 | top 10 % |');
    await writeFile(join(dir, 'not-a-comparison.json'), '{"runs": []}\n');
    await expect(
      memgen(
        'results',
        sweepDir,
        '--out',
        join(dir, 'z'),
        '--comparisons',
        join(dir, 'not-a-comparison.json'),
      ),
    ).rejects.toMatchObject({ stderr: expect.stringMatching(/not-a-comparison\.json: field "runs"/) });
  });

  it("--probes shows a training run's phases and curve, archived with --archive", async () => {
    const probe = join(sweepDir, 'runs', book.runs[0]!.run_id);
    const out = join(dir, 'probed');
    await memgen('results', sweepDir, '--out', out, '--archive', '--probes', probe);
    const kept = join(out, 'probes', book.runs[0]!.run_id);
    const json = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(json.generated_by).toMatch(new RegExp(`--out ${out} --probes ${kept}$`));
    const [p] = json.probes;
    const curve = (await readFile(join(probe, 'train', 'curve.jsonl'), 'utf8')).trim().split('\n');
    expect(p.curve).toEqual(curve.map((l) => JSON.parse(l)));
    expect(p.name).toBe(book.runs[0]!.run_id);
    expect(p.best.rule_acc).toBe(Math.max(...p.curve.map((c: { rule_acc: number }) => c.rule_acc)));
    expect(p.phases).toEqual([{ name: 'rule', first_step: 40, last_step: 40 }]);
    expect(existsSync(join(kept, 'train', 'curve.jsonl'))).toBe(true);
    expect(existsSync(join(out, 'figures', `probe-${p.name}.png`))).toBe(true);
    const md = await readFile(join(out, 'results.md'), 'utf8');
    expect(md).toContain(`### probe ${p.name}`);
    expect(md).toContain(`![${p.name}](figures/probe-${p.name}.png)`);
    await expect(
      memgen('results', sweepDir, '--out', join(dir, 'w'), '--probes', join(dir, 'nope')),
    ).rejects.toMatchObject({
      stderr: expect.stringMatching(/nope: no train\/config\.json \(not a memgen train directory\)/),
    });
  });

  it('refuses a directory that is not a sweep, and names a corrupt run file', async () => {
    await expect(memgen('results', join(dir, 'nope'), '--out', join(dir, 'x'))).rejects.toMatchObject({
      stderr: expect.stringMatching(/nope: no sweep\.json \(not a sweep directory\)/),
    });
    const broken = join(dir, 'broken');
    await cp(sweepDir, broken, { recursive: true });
    const path = join(broken, 'runs', book.runs[0]!.run_id, 'results.json');
    await writeFile(path, '{"pairs": {"flipRate": "high"}}\n');
    await expect(memgen('results', broken, '--out', join(dir, 'y'))).rejects.toMatchObject({
      stderr: expect.stringContaining(`${path} is not the file the report stage wrote`),
    });
  });

  it('never pools sweeps whose overrides differ: each configuration is its own group', async () => {
    const other = join(dir, 'other');
    await cp(sweepDir, other, { recursive: true });
    const sweepFile = join(other, 'sweep.json');
    const sweep = JSON.parse(await readFile(sweepFile, 'utf8'));
    sweep.spec.study = { steer: { bootstrap: 50 } };
    sweep.sweepId = 'other';
    await writeFile(sweepFile, JSON.stringify(sweep));
    await memgen('results', sweepDir, other, '--out', join(dir, 'both'));
    const both = JSON.parse(await readFile(join(dir, 'both', 'results.json'), 'utf8'));
    expect(both.runs).toHaveLength(4);
    expect(both.groups).toHaveLength(2);
    expect(both.groups[0].key).not.toBe(both.groups[1].key);
    expect(both.groups[1].overrides.study).toEqual({ steer: { bootstrap: 50 } });
  });
});

describe('the committed results book', () => {
  it('is exactly what its generating command makes from the sweep sources committed beside it', async () => {
    const committed = join(repoRoot, 'docs', 'results');
    const json = await readFile(join(committed, 'results.json'), 'utf8');
    const command: string = JSON.parse(json).generated_by;
    const m = /^memgen results (.+) --out docs\/results(?: --comparisons (.+?))?(?: --probes (.+))?$/.exec(
      command,
    );
    expect(m, command).not.toBeNull();
    const sources = m![1]!.split(' ');
    const comparisons = m![2]?.split(' ') ?? [];
    const probes = m![3]?.split(' ') ?? [];
    for (const s of sources) expect(existsSync(join(repoRoot, s, 'sweep.json')), s).toBe(true);
    const out = await mkdtemp(join(tmpdir(), 'memgen-book-committed-'));
    try {
      await writeResultsBook(
        sources.map((s) => join(repoRoot, s)),
        out,
        command,
        {
          comparisons: comparisons.map((c) => join(repoRoot, c)),
          probes: probes.map((p) => join(repoRoot, p)),
        },
      );
      expect(await readFile(join(out, 'results.json'), 'utf8')).toBe(json);
      expect(await readFile(join(out, 'results.md'), 'utf8')).toBe(
        await readFile(join(committed, 'results.md'), 'utf8'),
      );
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 120_000);
});

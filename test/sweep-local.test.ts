/**
 * Sweep semantics in local mode: the spec's validation, deterministic job ids, the aggregate
 * maths, and a 2-seed nano sweep through the real `sweep` command with 2 local worker processes —
 * rerun reuses every job, a fresh directory gives byte-identical files, and a corrupted artefact
 * reruns only the job that produced it.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandSweep, unitJob } from '../services/coordinator/src/plan.js';
import { figuresOf, summarise } from '../services/coordinator/src/results.js';
import { parseSweepSpec } from '../services/coordinator/src/sweep-spec.js';
import { tinySweepSpec, writeTinySweepSpec } from '../services/coordinator/src/testing/tiny-sweep.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const cli = fileURLToPath(new URL('../services/cli/src/main.ts', import.meta.url));

function memgen(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: repoRoot, maxBuffer: 16 << 20 });
}

describe('sweep spec and plan', () => {
  it('names the wrong field', () => {
    expect(() => parseSweepSpec({ tasks: ['color'], presets: ['smoke'], seeds: [0, 'x'] })).toThrow(
      /^sweep spec: field "seeds\.1": /,
    );
    expect(() => parseSweepSpec({ tasks: ['color'], presets: ['smoke'], seeds: [0], extra: 1 })).toThrow(
      /^sweep spec: field "\(root\)": .*extra/,
    );
    expect(() => parseSweepSpec({ tasks: [], presets: ['smoke'], seeds: [0] })).toThrow(
      /^sweep spec: field "tasks": /,
    );
    expect(() => parseSweepSpec({ tasks: ['color'], presets: ['smoke'], seeds: [1, 1] })).toThrow(
      'sweep spec: seeds: 1 is listed twice',
    );
    const badOverride = { ...tinySweepSpec([0]), train: { phases: [{ name: 'x', steps: 0 }] } };
    expect(() => expandSweep(parseSweepSpec(badOverride))).toThrow(
      /^sweep unit color-smoke-s0: train spec: field "phases\.0\./,
    );
    expect(() => expandSweep(parseSweepSpec({ tasks: ['color'], presets: ['huge'], seeds: [0] }))).toThrow(
      /^sweep unit color-huge-s0: unknown preset 'huge'/,
    );
  });

  it('expands tasks × presets × seeds with overrides merged and deterministic job ids', () => {
    const units = expandSweep(parseSweepSpec(tinySweepSpec([0, 1])));
    expect(units.map((u) => u.runId)).toEqual(['color-smoke-s0', 'color-smoke-s1']);
    expect(units.map((u) => [u.train.seed, u.study.seed])).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(units[0]!.train.model).toMatchObject({ preset: 'nano', overrides: { initStd: 0.3 } });
    expect(units[0]!.train.batchSize).toBe(32); // from the smoke preset, not overridden
    expect(units[0]!.study.pairs.target).toBe(24); // the smoke study preset
    const again = expandSweep(parseSweepSpec(tinySweepSpec([0, 1])));
    expect(unitJob(again[0]!, 'training', []).id).toBe(unitJob(units[0]!, 'training', []).id);
    expect(unitJob(units[1]!, 'training', []).id).not.toBe(unitJob(units[0]!, 'training', []).id);
    // A study override changes the study jobs, not the train job.
    const steered = expandSweep(
      parseSweepSpec({ ...tinySweepSpec([0]), study: { steer: { bootstrap: 50 } } }),
    )[0]!;
    expect(unitJob(steered, 'training', []).id).toBe(unitJob(units[0]!, 'training', []).id);
    const input = [
      { name: `jobs/${'a'.repeat(64)}/checkpoint/model.safetensors`, digest: 'b'.repeat(64), size: 1 },
    ];
    expect(unitJob(steered, 'recording', input).id).not.toBe(unitJob(units[0]!, 'recording', input).id);
  });

  it('summarises seeds as mean ± sample sd and reads the pre-declared setting, never the best', () => {
    const s = summarise([1, 2, null, 3, 4]);
    expect(s.n).toBe(4);
    expect(s.mean).toBe(2.5);
    expect(s.sd).toBeCloseTo(Math.sqrt(5 / 3), 14);
    expect(summarise([7])).toEqual({ n: 1, mean: 7, sd: null });
    expect(summarise([null])).toEqual({ n: 0, mean: null, sd: null });
    const setting = (id: string, m2g: number, g2m: number, control: number) => ({
      id,
      mem_to_gen: m2g,
      mem_to_gen_control: control,
      gen_to_mem: g2m,
      gen_to_mem_control: control / 2,
      capability: 0.8,
      capability_unsteered: 0.9,
    });
    const figures = figuresOf({
      pairs: { flipRate: 0.25 },
      train: { qualified: true, final: { rule_acc: 0.9, shortcut_baseline: 0.5 } },
      probes: { bySite: [{ raw: 0.6 }, { raw: 0.8 }] },
      steering: {
        primary: 'b',
        settings: [setting('a', 0.9, 0.9, 0), setting('b', 0.4, 0.2, 0.05), setting('c', 0.1, 0.1, 0)],
      },
      consistency: { spearmanNmd: 0.7 },
    });
    expect(figures.steering).toEqual({ id: 'b' });
    expect(figures.qualified).toBe(true);
    expect(figures.figures).toEqual({
      flipRate: 0.25,
      memToGen: 0.4,
      memToGenControl: 0.05,
      genToMem: 0.2,
      genToMemControl: 0.025,
      capability: 0.8,
      capabilityUnsteered: 0.9,
      bestProbeAccuracy: 0.8,
      ruleAccuracy: 0.9,
      shortcutBaseline: 0.5,
      spearmanNmd: 0.7,
    });
    expect(figuresOf({ train: { final: {} } }).qualified).toBeNull();
  });
});

describe('memgen sweep, local mode', () => {
  let dir: string;
  let specPath: string;
  let first: { sweep: string; results: string };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'memgen-sweep-local-'));
    specPath = await writeTinySweepSpec(join(dir, 'spec.json'));
    const out = await memgen('sweep', '--spec', specPath, '--out', join(dir, 'a'), '--workers', '2');
    expect(out.stdout).toMatch(/8\/8 jobs done \(0 reused\)/);
    first = {
      sweep: readFileSync(join(dir, 'a', 'sweep.json'), 'utf8'),
      results: readFileSync(join(dir, 'a', 'results.json'), 'utf8'),
    };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every job once and per-seed figures with their mean ± sd, without timings or hosts', () => {
    const sweep = JSON.parse(first.sweep);
    expect(sweep.jobs.map((j: { runId: string; stage: string }) => `${j.runId}:${j.stage}`)).toEqual([
      'color-smoke-s0:training',
      'color-smoke-s0:recording',
      'color-smoke-s0:fitting',
      'color-smoke-s0:steering',
      'color-smoke-s1:training',
      'color-smoke-s1:recording',
      'color-smoke-s1:fitting',
      'color-smoke-s1:steering',
    ]);
    expect(
      sweep.jobs.every((j: { state: string; attempts: number }) => j.state === 'done' && j.attempts === 1),
    ).toBe(true);
    expect(new Set(sweep.jobs.map((j: { id: string }) => j.id)).size).toBe(8);
    const { groups } = JSON.parse(first.results);
    expect(groups).toHaveLength(1);
    const [group] = groups;
    expect(group.seeds.map((s: { seed: number }) => s.seed)).toEqual([0, 1]);
    type Seed = { qualified: boolean | null; figures: Record<string, number> };
    for (const [key, qualified] of [
      ['summary', true],
      ['unqualifiedSummary', false],
    ] as const) {
      const seeds = group.seeds.filter((s: Seed) => (s.qualified === true) === qualified);
      for (const [name, summary] of Object.entries(group[key]) as [string, { n: number; mean: number }][]) {
        const values = seeds.map((s: Seed) => s.figures[name]);
        expect(
          values.every((v: unknown) => typeof v === 'number'),
          name,
        ).toBe(true);
        expect(summary.n, `${key}.${name}`).toBe(seeds.length);
        if (seeds.length > 0)
          expect(summary.mean, name).toBeCloseTo(
            values.reduce((a: number, b: number) => a + b, 0) / seeds.length,
            12,
          );
      }
    }
    expect(group.seeds.every((s: Seed) => typeof s.qualified === 'boolean')).toBe(true);
    expect(group.seeds[0].figures.flipRate).toBeGreaterThan(0);
    expect(first.results + first.sweep).not.toMatch(/wall|seconds|host|"at"|finished/i);
  });

  it('a rerun reuses every job, and a fresh directory gives byte-identical files', async () => {
    const rerun = await memgen('sweep', '--spec', specPath, '--out', join(dir, 'a'), '--workers', '2');
    expect(rerun.stdout).toMatch(/8\/8 jobs done \(8 reused\)/);
    expect(await readFile(join(dir, 'a', 'sweep.json'), 'utf8')).toBe(first.sweep);
    await memgen('sweep', '--spec', specPath, '--out', join(dir, 'b'), '--workers', '2');
    expect(await readFile(join(dir, 'b', 'results.json'), 'utf8')).toBe(first.results);
    expect(await readFile(join(dir, 'b', 'sweep.json'), 'utf8')).toBe(first.sweep);
    const status = await memgen('status', '--out', join(dir, 'b'));
    expect(status.stdout).toMatch(/8\/8 jobs done, 0 dead, 2 units; running: -/);
  });

  it('a corrupted artefact is not trusted: only the job that produced it runs again', async () => {
    const steerJob = JSON.parse(first.sweep).jobs.find((j: { stage: string }) => j.stage === 'steering');
    const stored = join(dir, 'a', '.memgen', 'artefacts', 'jobs', steerJob.id, 'steering.json');
    await writeFile(stored, '{"tampered": true}\n');
    const rerun = await memgen('sweep', '--spec', specPath, '--out', join(dir, 'a'), '--workers', '1');
    expect(rerun.stdout).toMatch(/8\/8 jobs done \(7 reused\)/);
    expect(rerun.stderr).toContain(`color-smoke-s0 steering: running job ${steerJob.id.slice(0, 12)}`);
    expect(await readFile(join(dir, 'a', 'results.json'), 'utf8')).toBe(first.results);
    expect(await readFile(stored, 'utf8')).not.toContain('tampered');
  });
});

describe('memgen sweep, local mode, stopped by kill -9 and started again at once', () => {
  let dir: string;
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("the killed sweep's worker lets go of the job's directory; the rerun resumes it and finishes", async () => {
    dir = await mkdtemp(join(tmpdir(), 'memgen-sweep-kill-'));
    const spec = tinySweepSpec([0], { steps: 800, every: 50 });
    const specPath = join(dir, 'spec.json');
    await writeFile(specPath, JSON.stringify(spec));
    const out = join(dir, 'out');
    const args = ['--import', 'tsx', cli, 'sweep', '--spec', specPath, '--out', out, '--workers', '1'];
    const sweep = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      sweep.stderr.on('data', (d: Buffer) => /step 100 \(rule\)/.test(d.toString()) && resolve());
      sweep.on('exit', (code) => reject(new Error(`the sweep ended (${code}) before its first evaluations`)));
    });
    sweep.kill('SIGKILL');
    const rerun = await memgen('sweep', '--spec', specPath, '--out', out, '--workers', '1');
    expect(rerun.stdout).toMatch(/4\/4 jobs done \(0 reused\)/);
    expect(rerun.stderr).toMatch(/resuming .*job-[0-9a-f]+\/train at step [1-9]\d*[05]0\b/);
    expect(rerun.stderr).not.toMatch(/attempt \d failed/);
  }, 180_000);
});

/**
 * Learned directions through the steer stage on the nano fixture: the vectors stored for Python,
 * their norms, the site chosen on the training split by the declared rule, the neuron restriction,
 * both controls, the identity check, and a steering set that shares no item with the split.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJson } from '@memgen/common';
import { makeRng, makeTask } from '@memgen/tasks';
import { useTestBackend } from '@memgen/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietContext } from '../../../stage.js';
import { FIXTURE_TASK, fixtureRunSpec, fixtureStudyConfig, fixtureTrain } from '../../common/test-fixture.js';
import { readPairs } from '../../pairs/pairs-file.js';
import { runStudy } from '../../run.js';
import { RUN_FILES } from '../../run-dir.js';
import { restrict, topByAbsR } from '../plan/directions.js';
import type { SteeringFile } from '../steering-file.js';
import { readDirectionVectors, readSubspace } from './directions-file.js';
import { memberPrompts } from './split.js';

let dir: string;
const steer = {
  items: 48,
  capabilityItems: 16,
  bootstrap: 100,
  batchSize: 32,
  learn: { steps: 20, choiceSteps: 5, keepItems: 8 },
  // 10 of the fixture's 16 pairs train; the rest are held out for the reliability check.
  calibrationPairs: 10,
  families: [
    { kind: 'direction', learn: 'gradient', alphas: [0.5], keep: ['all', 2] },
    {
      kind: 'direction',
      learn: 'mean-diff',
      site: { block: 0, site: 'attn.out' },
      position: 'last',
      alphas: [0.5],
    },
    { kind: 'head-scale', toGen: 'calibrated', toMem: 'calibrated', alphas: [1] },
    { kind: 'das', rank: 2, alphas: [0.5, 1] },
    { kind: 'attention', toGen: 'calibrated', toMem: 'calibrated', alphas: [3] },
    {
      kind: 'direction',
      learn: 'gradient',
      site: { block: 1, site: 'attn.out' },
      position: 'asked',
      alphas: [0.5],
    },
  ],
  primary: 'dir-grad-calib-prompt-a0.5',
};
const spec = { ...fixtureRunSpec(), study: fixtureStudyConfig({ steer }) };
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'memgen-learned-'));
  await runStudy(spec, quietContext(dir), { train: fixtureTrain });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('learned directions in the steer stage', () => {
  it('runs every setting with its controls, checks the identity, and stores the vectors for Python', async () => {
    const st = await readJson<SteeringFile>(file(RUN_FILES.steering));
    expect(st.settings.map((s) => s.id)).toEqual([
      'dir-grad-calib-prompt-a0.5',
      'dir-grad-calib-prompt-a0.5-k2',
      'dir-meandiff-b0attn-last-a0.5',
      'headscale-gencalib-memcalib-prompt-a1',
      'das-k2-calib-prompt-a0.5',
      'das-k2-calib-prompt-a1',
      'attn-asked-gencalib-memcalib-prompt-a3',
      'dir-grad-b1attn-asked-a0.5',
    ]);
    expect(st.alphaZero.checks.map((c) => [c.path, c.mismatches])).toEqual([
      ['direction learned prompt', 0],
      ['direction learned last', 0],
      ['head-scale attn.z prompt', 0],
      ['das learned prompt', 0],
      ['attention attn.logits prompt', 0],
      ['direction learned asked', 0],
    ]);
    const roles = ['matchedToGen', 'matchedToMem', 'shuffledToGen', 'shuffledToMem', 'toGen', 'toMem'];
    for (const s of st.settings.slice(0, 3)) expect(Object.keys(s.runs).sort()).toEqual(roles);
    const [full, kept, meanDiff] = st.settings;
    expect(meanDiff!.learned!.hook).toBe('blocks.0.attn.out');
    expect(meanDiff!.learned!.choice).toBeNull();
    const v = await readDirectionVectors(file(RUN_FILES.directions), 'f0-a0.5');
    expect(v.meta.hook).toBe(full!.learned!.hook);
    // α is in units of the site's mean activation norm.
    expect(Math.hypot(...v.toGen)).toBeCloseTo(0.5 * full!.learned!.unit, 3);
    expect(full!.l2Norm).toBeCloseTo(Math.hypot(...v.toGen), 4);
    // k = 2: the full vector's two coordinates of largest |r|, the matched control as long.
    expect(kept!.coordinates).toBe(2);
    expect(kept!.l2Norm).toBeCloseTo(Math.hypot(...restrict(v.toGen, topByAbsR(v.absR, 2))), 4);
    expect(kept!.controlL2Norm).toBeCloseTo(kept!.l2Norm!, 4);
    for (const s of st.settings.slice(0, 3))
      expect(s.mem_to_gen_shuffled_control ?? s.gen_to_mem_shuffled_control).not.toBeNull();
  });

  it('chooses the calibrated site by the declared rule: best net score on the split, over every candidate', async () => {
    const st = await readJson<SteeringFile>(file(RUN_FILES.steering));
    const c = st.settings[0]!.learned!.choice!;
    expect(c.candidates.map((k) => k.hook)).toEqual([
      'blocks.0.attn.out',
      'blocks.0.mlp.out',
      'blocks.0.resid_post',
      'blocks.1.attn.out',
      'blocks.1.mlp.out',
    ]);
    for (const k of c.candidates) {
      const net = (d: typeof k.memToGen, r: number) => d.switched - d.other - r;
      expect(k.score).toBe(net(k.memToGen, k.randomMemToGen) + net(k.genToMem, k.randomGenToMem));
      expect(k.memToGen.switched + k.memToGen.kept + k.memToGen.other).toBe(c.scoredOn);
    }
    const best = c.candidates.reduce((a, k) => (k.score > a.score ? k : a));
    expect(c.hook).toBe(best.hook);
  });

  it('the steering set shares no item with the training split', async () => {
    const st = await readJson<SteeringFile>(file(RUN_FILES.steering));
    const training = memberPrompts((await readPairs(file(RUN_FILES.pairs))).slice(0, 10));
    const rng = makeRng(spec.study.seed, 'study.steer.items');
    const task = makeTask('color', FIXTURE_TASK.config);
    const drawn = Array.from({ length: 48 }, () => task.conflict(rng));
    const overlapping = drawn.filter((c) => training.has(c.prompt)).length;
    expect(st.itemsLeftOut).toBe(overlapping);
    expect(st.items).toBe(48 - overlapping);
    expect(st.unsteered.labels).toHaveLength(48 - overlapping);
  });

  it('reports the pre-declared direction’s per-item reliability on the steering set and the held-out pairs', async () => {
    const st = await readJson<SteeringFile>(file(RUN_FILES.steering));
    const r = st.reliability!;
    const primary = st.settings.find((s) => s.id === st.primary)!;
    expect(r.setting).toBe(primary.id);
    expect(r.memToGen.switched).toBe(primary.runs.toGen!.table.fromMem.rates?.gen ?? 0);
    expect(r.genToMem.wrongWay).toBe(primary.runs.toMem!.table.fromMem.rates?.gen ?? 0);
    const pairs = await readPairs(file(RUN_FILES.pairs));
    expect(pairs.length).toBeGreaterThan(10);
    for (const h of [r.heldOut!.memToGen, r.heldOut!.genToMem]) {
      expect(h.members).toBeLessThanOrEqual(pairs.length - 10);
      expect(h.switched + h.other).toBeLessThanOrEqual(h.members);
      if (h.auc !== null) expect(h.auc).toBeGreaterThanOrEqual(0);
      if (h.auc !== null) expect(h.auc).toBeLessThanOrEqual(1);
    }
  });

  it('head-scale: every head scaled on the training split, the best net switch chosen, controls elsewhere', async () => {
    const st = await readJson<SteeringFile>(file(RUN_FILES.steering));
    const s = st.settings.find((x) => x.id === 'headscale-gencalib-memcalib-prompt-a1')!;
    expect(Object.keys(s.runs).sort()).toEqual(['matchedToGen', 'matchedToMem', 'toGen', 'toMem']);
    const c = s.headCalibration!;
    expect(c.candidates.map((k) => k.hook)).toEqual(['b0h0', 'b0h1', 'b1h0', 'b1h1']);
    const net = (k: (typeof c.candidates)[number], d: 'memToGen' | 'genToMem') => k[d].switched - k[d].other;
    const best = (d: 'memToGen' | 'genToMem') =>
      c.candidates.reduce((a, k) => (net(k, d) > net(a, d) ? k : a)).hook;
    const name = (h: { block: number; head: number }) => `b${h.block}h${h.head}`;
    expect([name(c.toGen[0]!), name(c.toMem[0]!)]).toEqual([best('memToGen'), best('genToMem')]);
    expect(s.heads).toEqual([`gen:${best('memToGen')}`, `mem:${best('genToMem')}`]);
    for (const h of s.controlHeads!) expect(s.heads).not.toContain(h);
    expect(s.coordinates).toBe(8); // one head of width 16 / 2
  });

  it('attention: every signed head edited on the training split, the best net switch chosen, the control at other keys', async () => {
    const st = await readJson<SteeringFile>(file(RUN_FILES.steering));
    const s = st.settings.find((x) => x.id === 'attn-asked-gencalib-memcalib-prompt-a3')!;
    expect(Object.keys(s.runs).sort()).toEqual(['matchedToGen', 'matchedToMem', 'toGen', 'toMem']);
    const c = s.attentionCalibration!;
    expect(c.candidates.map((k) => k.hook)).toEqual(
      ['b0h0', 'b0h1', 'b1h0', 'b1h1'].flatMap((h) => [`${h}+`, `${h}-`]),
    );
    const net = (k: (typeof c.candidates)[number], d: 'memToGen' | 'genToMem') => k[d].switched - k[d].other;
    const best = (d: 'memToGen' | 'genToMem') =>
      c.candidates.reduce((a, k) => (net(k, d) > net(a, d) ? k : a)).hook;
    const name = (h: { block: number; head: number; sign: number }) =>
      `b${h.block}h${h.head}${h.sign > 0 ? '+' : '-'}`;
    expect([name(c.toGen[0]!), name(c.toMem[0]!)]).toEqual([best('memToGen'), best('genToMem')]);
    expect(s.heads).toEqual([`gen:${best('memToGen')}`, `mem:${best('genToMem')}`]);
    expect(c.pairsUsable).toBeGreaterThan(0);
    // A logit of 3 multiplies the keys' weights by e³: the calibration sees the lever move members.
    expect(Math.max(...c.candidates.map((k) => k.memToGen.switched + k.genToMem.switched))).toBeGreaterThan(
      0,
    );
    expect(s.coordinates).toBe(8); // one head of width 16 / 2
  });

  it('a direction at the asked name’s statements: learned there, stored, steered there with both controls', async () => {
    const st = await readJson<SteeringFile>(file(RUN_FILES.steering));
    const s = st.settings.find((x) => x.id === 'dir-grad-b1attn-asked-a0.5')!;
    expect(s.position).toBe('asked');
    const roles = ['matchedToGen', 'matchedToMem', 'shuffledToGen', 'shuffledToMem', 'toGen', 'toMem'];
    expect(Object.keys(s.runs).sort()).toEqual(roles);
    expect(s.learned!.hook).toBe('blocks.1.attn.out');
    const v = await readDirectionVectors(file(RUN_FILES.directions), 'f5-a0.5');
    const length = (x: Float32Array) => Math.hypot(...x);
    expect(length(v.toGen)).toBeCloseTo(s.learned!.norm, 4);
    expect(s.l2Norm).toBeCloseTo(s.learned!.norm, 4);
  });

  it('das: one subspace per family, orthonormal and stored for Python, set toward the class means, with both controls', async () => {
    const st = await readJson<SteeringFile>(file(RUN_FILES.steering));
    const [half, whole] = ['das-k2-calib-prompt-a0.5', 'das-k2-calib-prompt-a1'].map(
      (id) => st.settings.find((x) => x.id === id)!,
    );
    const roles = ['matchedToGen', 'matchedToMem', 'shuffledToGen', 'shuffledToMem', 'toGen', 'toMem'];
    expect(Object.keys(whole!.runs).sort()).toEqual(roles);
    const sub = await readSubspace(file(RUN_FILES.directions), 'f3-das');
    expect(sub.meta.hook).toBe(whole!.learned!.hook);
    expect(half!.learned!.hook).toBe(whole!.learned!.hook); // the site is chosen once per family
    expect(sub.basis.shape).toEqual([2, sub.meanGen.length]);
    const W = sub.meanGen.length;
    const row = (a: number) => sub.basis.data.subarray(a * W, (a + 1) * W);
    const dot = (a: number, b: number) => row(a).reduce((t, x, j) => t + x * row(b)[j]!, 0);
    // + 0: a dot that rounds to −0 is still 0.
    expect([dot(0, 0), dot(0, 1), dot(1, 1)].map((x) => Number(x.toFixed(4)) + 0)).toEqual([1, 0, 1]);
    // The shift is α × the mean α = 1 shift on the training members; the matched control is as long.
    expect(half!.l2Norm! * 2).toBeCloseTo(whole!.l2Norm!, 5);
    expect(whole!.l2Norm).toBeCloseTo(sub.meta.shift.toGen, 5);
    expect(whole!.coordinates).toBe(2);
    const fit = whole!.learned!.interchange!;
    expect(fit.memToGen.switched + fit.memToGen.kept + fit.memToGen.other).toBe(whole!.learned!.pairs);
    expect(whole!.learned!.choice!.candidates).toHaveLength(5);
  });
});

/**
 * The steering stage on the nano fixture: one setting of every intervention path, each path's
 * identity check, the runs and controls of each kind, and Holm over the grid.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJson } from '@memgen/common';
import { disposeInput, loadCheckpoint, withInterventions } from '@memgen/model';
import { makeRng, makeTask, tokenizerFromJSON } from '@memgen/tasks';
import { useTestBackend } from '@memgen/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietContext } from '../../stage.js';
import { decodeRequests } from '../common/decoding.js';
import {
  FIXTURE_SEEDS,
  FIXTURE_TASK,
  type FixtureTrainSpec,
  fixtureStudyConfig,
  fixtureTrainStage,
} from '../common/test-fixture.js';
import { memberInput } from '../pairs/member-input.js';
import { readPairs } from '../pairs/pairs-file.js';
import { firstTokens } from '../patching/runs.js';
import { runStudy } from '../run.js';
import { RUN_FILES } from '../run-dir.js';
import type { SteeringFile, SteeringSetting } from './steering-file.js';

let dir: string;
const spec = { train: { steps: 50, seed: FIXTURE_SEEDS[0] }, study: fixtureStudyConfig() };
const task = makeTask('color', FIXTURE_TASK.config);
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'memgen-steer-'));
  await runStudy(spec, quietContext(dir), {
    train: (s, ctx) => fixtureTrainStage(s.train as FixtureTrainSpec, ctx),
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('steering on a nano model', () => {
  it('steering: every path at its identity reproduces the unsteered labels; every run counts them', async () => {
    const st = await readJson<SteeringFile>(file(RUN_FILES.steering));
    expect(st.alphaZero.identicalOutputs).toBe(true);
    expect(st.alphaZero.checks.map((c) => [c.path, c.mismatches])).toEqual([
      ['add resid last', 0],
      ['add resid all', 0],
      ['mean-ablate (class) resid last', 0],
      ['mean-ablate (pooled) resid last', 0],
      ['head-ablate attn.z all', 0],
      ['scale resid last', 0],
      ['sublayer-ablate sublayer last', 0],
      ['sublayer-scale sublayer prompt', 0],
      ['sublayer-scale sublayer last', 0],
    ]);
    expect(st.settings.map((s) => s.id)).toEqual([
      'add-nmd-resid-top25-last-a20',
      'add-probe-resid-blocks-all-a20',
      'mean-class-resid-top25-last',
      'mean-pooled-resid-b1-last',
      'heads-b1h0-all',
      'scale-resid-top25-last-a1',
      'sublayer-genb0mlp-memb1attn-last',
      'sublayer-scale-genb0mlp-memb1attn-prompt-a-0.5',
      'sublayer-scale-gencalib-memcalib-last-a-0.75',
    ]);
    const u = st.unsteered.labels;
    expect(u).toHaveLength(48);
    // Re-derive the steering set from its seed and decode it without the stage: same labels.
    const ckpt = await loadCheckpoint(file(RUN_FILES.checkpoint));
    const tok = tokenizerFromJSON(ckpt.tokenizer);
    const rng = makeRng(spec.study.seed, 'study.steer.items');
    const items = Array.from({ length: 48 }, () => task.conflict(rng));
    const out = decodeRequests(
      ckpt.model,
      tok,
      items.map((c) => ({ tokens: tok.encode(c.prompt), targets: [c.gen_target, c.mem_target] })),
      { beamWidth: 1, maxNewTokens: 'auto', batchSize: 7 },
    );
    ckpt.model.dispose();
    expect(items.map((c, i) => task.label(c, out.texts[i]!)[0]).join('')).toBe(u);
    const count = (ch: string) => [...u].filter((c) => c === ch).length;
    for (const s of st.settings) {
      for (const run of Object.values(s.runs)) {
        expect(run!.labels).toHaveLength(48);
        expect(run!.table.fromMem.total).toBe(count('m'));
        expect(run!.table.fromGen.total).toBe(count('g'));
      }
    }
    const [add, probe, classMean, pooled, head, scale, sublayer] = st.settings as [
      SteeringSetting,
      ...SteeringSetting[],
    ];
    // 2 blocks × 16, embedding excluded: top 25 % = 8 coordinates; 'all' blocks = 32; block 1 = 16.
    expect([add, probe, classMean, pooled, scale].map((s) => s!.coordinates)).toEqual([8, 32, 8, 16, 8]);
    expect(Object.keys(add.runs).sort()).toEqual([
      'layerMatched',
      'matched',
      'paper',
      'toGen',
      'toMem',
      'within',
    ]);
    // The layer-matched control is reported beside the others; blocks selections have none.
    expect(add.mem_to_gen_layer_control ?? add.gen_to_mem_layer_control).not.toBeNull();
    expect(Object.keys(probe!.runs)).not.toContain('layerMatched');
    expect(Object.keys(classMean!.runs).sort()).toEqual(['matchedToGen', 'matchedToMem', 'toGen', 'toMem']);
    for (const s of [add, probe!]) expect(s.controlL2Norm).toBeCloseTo(s.l2Norm!, 9);
    expect(head!.coordinates).toBe(8);
    expect(head!.heads).toEqual(['b1h0']);
    expect(head!.controlHeads).toHaveLength(1);
    expect(head!.controlHeads).not.toContain('b1h0');
    expect(pooled!.directed).toBe(false);
    // Sublayer ablation: the two targets, and controls drawn from the other sublayers.
    expect(sublayer!.heads).toEqual(['blocks.0.mlp.out', 'blocks.1.attn.out']);
    expect(sublayer!.controlHeads!.every((h) => ['blocks.0.attn.out', 'blocks.1.mlp.out'].includes(h))).toBe(
      true,
    );
    expect(Object.keys(sublayer!.runs).sort()).toEqual(['matchedToGen', 'matchedToMem', 'toGen', 'toMem']);
    // Holm: one test per setting and direction with a rate; never below the raw p.
    const ps = st.settings.flatMap((s) => [s.p_mem_to_gen, s.p_gen_to_mem]).filter((p) => p !== null);
    expect(st.holm.tests).toBe(ps.length);
    for (const s of st.settings) {
      if (s.p_mem_to_gen !== null) expect(s.holm_p_mem_to_gen!).toBeGreaterThanOrEqual(s.p_mem_to_gen);
      if (s.p_gen_to_mem !== null) expect(s.holm_p_gen_to_mem!).toBeGreaterThanOrEqual(s.p_gen_to_mem);
    }
    // The intervention paths are live: some steered run differs from the unsteered one.
    expect(st.settings.some((s) => Object.values(s.runs).some((r) => r!.labels !== u))).toBe(true);
  });

  it('calibrated sublayers: each candidate scaled on the pairs, the best net switch chosen, controls elsewhere', async () => {
    const st = await readJson<SteeringFile>(file(RUN_FILES.steering));
    const s = st.settings.find((x) => x.id === 'sublayer-scale-gencalib-memcalib-last-a-0.75')!;
    const c = s.calibration!;
    const hooks = ['blocks.0.attn.out', 'blocks.0.mlp.out', 'blocks.1.attn.out', 'blocks.1.mlp.out'];
    expect(c.candidates.map((k) => k.hook)).toEqual(hooks);
    // Recount every candidate outside the stage: first tokens of the pairs' members, scaled ×0.25.
    const pairs = (await readPairs(file(RUN_FILES.pairs))).slice(0, spec.study.steer.calibrationPairs);
    const ckpt = await loadCheckpoint(file(RUN_FILES.checkpoint));
    const tok = tokenizerFromJSON(ckpt.tokenizer);
    const input = memberInput(pairs, tok.padId);
    const b = pairs.length;
    const base = firstTokens(ckpt.model, input);
    const usable = pairs.map((_, k) => k).filter((k) => base[k] !== base[b + k]);
    expect(usable.length).toBeGreaterThan(0);
    expect(c.pairsUsable).toBe(usable.length);
    for (const cand of c.candidates) {
      const coords = Array.from({ length: 16 }, (_, j) => j);
      const scaled = withInterventions(
        ckpt.model,
        [{ kind: 'scale', hook: cand.hook, coords, alpha: -0.75, position: 'last' }],
        () => firstTokens(ckpt.model, input),
      );
      const toGen = usable.filter((k) => scaled[k] === base[b + k]).length;
      const toMem = usable.filter((k) => scaled[b + k] === base[k]).length;
      expect([cand.memToGen.switched, cand.genToMem.switched]).toEqual([toGen, toMem]);
      for (const d of [cand.memToGen, cand.genToMem])
        expect(d.switched + d.kept + d.other).toBe(usable.length);
    }
    disposeInput(input);
    ckpt.model.dispose();
    const net = (k: (typeof c.candidates)[number], d: 'memToGen' | 'genToMem') => k[d].switched - k[d].other;
    const argBest = (d: 'memToGen' | 'genToMem') =>
      c.candidates.reduce((a, k) => (net(k, d) > net(a, d) ? k : a)).hook;
    expect([c.toGen, c.toMem]).toEqual([argBest('memToGen'), argBest('genToMem')]);
    expect(s.heads).toEqual([c.toGen, c.toMem]);
    for (const h of s.controlHeads!) expect([c.toGen, c.toMem]).not.toContain(h);
  });
});

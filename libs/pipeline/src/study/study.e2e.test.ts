/**
 * The whole study on a nano color model trained for a few seconds: artefact shapes, internal
 * consistency (each artefact recomputed from the one before it), resume and the stop on too few pairs.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJson } from '@memgen/common';
import {
  disposeInput,
  leftPad,
  loadCheckpoint,
  recordActivations,
  residualSites,
  toForwardInput,
} from '@memgen/model';
import { makeTask, tokenizerFromJSON } from '@memgen/tasks';
import { useTestBackend } from '@memgen/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStageRecord, readStageTiming } from '../chain/records.js';
import type { StageRun } from '../registry/declaration.js';
import { registeredStages } from '../registry/registry.js';
import { quietContext } from '../stage.js';
import { decodeRequests } from './common/decoding.js';
import { FIXTURE_TASK, fixtureRunSpec, fixtureStudyConfig, fixtureTrain } from './common/test-fixture.js';
import type { ConsistencyFile } from './consistency/stage.js';
import { readPairs } from './pairs/pairs-file.js';
import type { PairsResult } from './pairs/stage.js';
import type { ProbesFile } from './probes/stage.js';
import { readActivations } from './record/activations-file.js';
import { runStudy, type StudyOutcome } from './run.js';
import { RUN_FILES } from './run-dir.js';
import { readStatistics } from './stats/stats-file.js';
import type { SteeringFile } from './steer/steering-file.js';

let dir: string;
let outcome: StudyOutcome;
let trainCalls = 0;
const countingTrain: StageRun = async (spec, ctx) => {
  trainCalls++;
  return fixtureTrain(spec, ctx);
};
const spec = fixtureRunSpec();
const task = makeTask('color', FIXTURE_TASK.config);
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'memgen-study-'));
  outcome = await runStudy(spec, quietContext(dir), { train: countingTrain });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('memgen study on a nano model', () => {
  it('runs every stage once and writes the run-directory contract', () => {
    expect(outcome.stages.map((s) => [s.stage, s.status])).toEqual(
      registeredStages().map((s) => [s.name, 'ran']),
    );
    expect(outcome.stopped).toBeNull();
    for (const name of Object.values(RUN_FILES)) expect(existsSync(file(name)), name).toBe(true);
    expect(trainCalls).toBe(1);
  });

  it('keeps flipped pairs whose members carry their labels and re-decode to the stored outputs', async () => {
    const pairs = await readPairs(file(RUN_FILES.pairs));
    const record = (await readStageRecord<PairsResult>(dir, 'pairs'))!.result;
    expect(pairs.length).toBe(16);
    expect(record.kept).toBe(16);
    expect(record.flipped).toBeGreaterThanOrEqual(record.kept);
    expect(record.flipRate).toBeCloseTo(record.flipped / record.pairsDecoded, 12);
    const combos = Object.values(record.combinations).reduce((a, b) => a + b, 0);
    expect(combos).toBe(record.pairsDecoded);
    const ckpt = await loadCheckpoint(file(RUN_FILES.checkpoint));
    const tok = tokenizerFromJSON(ckpt.tokenizer);
    for (const p of pairs) {
      expect(task.label({ mem_answer: p.answers.mem, gen_answer: p.answers.gen }, p.mem.output)).toBe('mem');
      expect(task.label({ mem_answer: p.answers.mem, gen_answer: p.answers.gen }, p.gen.output)).toBe('gen');
      for (const m of [p.mem, p.gen]) {
        expect(m.tokens).toEqual(tok.encode(m.prompt));
        // Decoded alone (batch of one) the prompt gives the output stored from the batched run.
        const alone = decodeRequests(ckpt.model, tok, [{ tokens: m.tokens, targets: [' red'] }], {
          beamWidth: 1,
          maxNewTokens: 'auto',
          batchSize: 1,
        });
        expect(alone.texts[0]).toBe(m.output);
      }
    }
    ckpt.model.dispose();
  });

  it('stores activations [pairs, layers+1, d_model] equal to an unbatched forward pass', async () => {
    const acts = await readActivations(file(RUN_FILES.activations));
    const ckpt = await loadCheckpoint(file(RUN_FILES.checkpoint));
    const { nLayer, nEmbd } = ckpt.model.config;
    expect(acts.resid.sites).toEqual(residualSites(nLayer));
    for (const a of [acts.resid.mem, acts.resid.gen]) {
      expect([a.members, a.sites, a.width]).toEqual([16, nLayer + 1, nEmbd]);
    }
    const pairs = await readPairs(file(RUN_FILES.pairs));
    const stride = (nLayer + 1) * nEmbd;
    for (const i of [0, 7, 15]) {
      const input = toForwardInput(leftPad([pairs[i]!.gen.tokens], 0));
      const rec = recordActivations(ckpt.model, acts.resid.sites, () => ckpt.model.forward(input).dispose());
      disposeInput(input);
      acts.resid.sites.forEach((name, s) => {
        const t = rec.activations.get(name)![0]!;
        const want = t.dataSync();
        t.dispose();
        const got = acts.resid.gen.data.subarray(i * stride + s * nEmbd, i * stride + (s + 1) * nEmbd);
        for (let j = 0; j < nEmbd; j++) expect(got[j]).toBeCloseTo(want[j]!, 5);
      });
      // The embedding row sees the same last token ('?') at the same position in both members.
      const memEmbed = acts.resid.mem.data.subarray(i * stride, i * stride + nEmbd);
      const genEmbed = acts.resid.gen.data.subarray(i * stride, i * stride + nEmbd);
      expect(Array.from(memEmbed)).toEqual(Array.from(genEmbed));
    }
    ckpt.model.dispose();
  });

  it('stores NMD = mean(mem) − mean(gen) and r = Pearson(h, label) of the stored activations', async () => {
    const acts = await readActivations(file(RUN_FILES.activations));
    const stats = await readStatistics(file(RUN_FILES.stats));
    const { mem, gen } = acts.resid;
    const n = mem.members;
    const coords = mem.sites * mem.width;
    expect([stats.resid.nmd.sites, stats.resid.nmd.width]).toEqual([mem.sites, mem.width]);
    for (let c = 0; c < coords; c++) {
      let m = 0;
      let g = 0;
      for (let i = 0; i < n; i++) {
        m += mem.data[i * coords + c]!;
        g += gen.data[i * coords + c]!;
      }
      const nmd = (m - g) / n;
      expect(stats.resid.nmd.values[c]).toBeCloseTo(nmd, 6);
      // Pearson's r with the label (mem = 1, gen = 0) over all 2N members, by its definition.
      const mean = (m + g) / (2 * n);
      let sxy = 0;
      let sxx = 0;
      for (let i = 0; i < n; i++) {
        const a = mem.data[i * coords + c]! - mean;
        const b = gen.data[i * coords + c]! - mean;
        sxy += a * 0.5 + b * -0.5;
        sxx += a * a + b * b;
      }
      const r = sxx > 0 ? sxy / Math.sqrt(sxx * n * 0.5) : 0;
      expect(stats.resid.r.values[c]).toBeCloseTo(r, 5);
    }
    // The embedding row is identical within pairs: NMD 0, r 0 (never "top").
    for (let j = 0; j < mem.width; j++) expect(stats.resid.r.values[j]).toBe(0);
  });

  it('probes: one row per layer, identical members at chance, bag-of-tokens baseline at chance', async () => {
    const probes = await readJson<ProbesFile>(file(RUN_FILES.probes));
    const { raw, centred, shuffledRaw, shuffledCentred } = probes.resid;
    for (const family of [raw, centred, shuffledRaw, shuffledCentred]) {
      expect(family.map((r) => r.site)).toEqual(['embed', 'blocks.0.resid_post', 'blocks.1.resid_post']);
      for (const r of family) {
        expect(r.folds).toHaveLength(3);
        expect(r.mean).toBeGreaterThanOrEqual(0);
        expect(r.mean).toBeLessThanOrEqual(1);
      }
    }
    // Within-pair-centred embedding vectors are all zero: no probe can beat a coin.
    expect(probes.resid.centred[0]!.mean).toBe(0.5);
    // A reshuffled story has the same bag of tokens as its twin: the input alone predicts nothing.
    expect(probes.inputOnly.mean).toBe(0.5);
    expect(probes.learningCurve.map((p) => p.pairs)).toEqual([8, 16]);
  });

  it('consistency: split halves of equal size, Dice and ρ beside their baselines', async () => {
    const c = await readJson<ConsistencyFile>(file(RUN_FILES.consistency));
    expect(c.halfSize).toBe(8);
    expect(c.spearmanNmd.values).toHaveLength(2);
    expect(c.spearmanNmd.null95).toHaveLength(2);
    const dice = c.dice.flatMap((d) => d.splits.map((s) => s.dice));
    const defined = dice.filter((v): v is number => v !== null);
    // Every split of 8 pairs per half selects coordinates, so each Dice is defined, in [0, 1].
    expect(defined.length).toBe(dice.length);
    expect(dice.length).toBe(c.dice.length * 2);
    for (const v of defined) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('renders report.md with its figures (PNG files, titled SVGs) and results.json', async () => {
    const report = await readFile(file(RUN_FILES.report), 'utf8');
    for (const heading of [
      'Flipped pairs',
      'Differentiation',
      'Prediction',
      'Steering',
      'Consistency',
      'Beside the paper',
    ]) {
      expect(report).toContain(`## ${heading}`);
    }
    expect(report).toMatch(/matched control/);
    expect(report).toContain('Pre-declared setting');
    const linked = [...report.matchAll(/\(figures\/([\w-]+)\.png\)/g)].map((m) => m[1]!);
    expect(linked).toEqual(
      expect.arrayContaining([
        'nmd-heatmap',
        'mean-abs-nmd',
        'probe-accuracy',
        'steering-dose-f0',
        'training-loss',
      ]),
    );
    for (const name of linked) {
      const png = await readFile(file(`figures/${name}.png`));
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    }
    const svg = await readFile(file('figures/nmd-heatmap.svg'), 'utf8');
    expect(svg).toContain('NMD per layer');
    const results = await readJson<{ pairs: PairsResult; stopped: null }>(file(RUN_FILES.results));
    expect(results.pairs.flipRate).toBe((await readStageRecord<PairsResult>(dir, 'pairs'))!.result.flipRate);
    expect(results.stopped).toBeNull();
  });

  it('a rerun skips every stage; a new steering grid reruns only steer and report', async () => {
    const before = await readStageTiming(dir, 'stats');
    const again = await runStudy(spec, quietContext(dir), { train: countingTrain });
    expect(again.stages.every((s) => s.status === 'skipped')).toBe(true);
    expect(trainCalls).toBe(1);
    expect((await readStageTiming(dir, 'stats'))!.finished_at).toBe(before!.finished_at);
    const regrid = {
      ...spec,
      study: fixtureStudyConfig({
        steer: {
          ...spec.study.steer,
          families: [{ kind: 'add', direction: 'nmd', select: { top: 0.25 }, alphas: [5] }],
          primary: 'add-nmd-resid-top25-last-a5',
        },
      }),
    };
    const third = await runStudy(regrid, quietContext(dir), { train: countingTrain });
    const ran = third.stages.filter((s) => s.status === 'ran').map((s) => s.stage);
    expect(ran).toEqual(['steer', 'report']);
    expect((await readJson<SteeringFile>(file(RUN_FILES.steering))).settings).toHaveLength(1);
  });
});

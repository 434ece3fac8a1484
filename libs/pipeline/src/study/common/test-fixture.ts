/**
 * Test support: a nano color model trained for a few dozen steps so that it answers mem, gen and
 * other on the conflict set and flips within ~15 % of pairs. The recipe (found by trying): a tiny story
 * grammar (4 names, 2 roles, 3 colors), a large initialisation (std 0.3, so the answer depends
 * strongly on word order) and 50 steps on random-color stories, which teach "answer a color" before
 * any lookup — so which color comes out varies with the sentence order.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ADAMW_DEFAULTS,
  AdamW,
  GPT,
  makeTrainBatch,
  resolveGPTConfig,
  saveCheckpoint,
  trainStep,
} from '@memgen/model';
import { makeRng, makeTask, TINY_COLOR_CONFIG } from '@memgen/tasks';
import type { RunSpec } from '../../registry/declaration.js';
import type { StageContext } from '../../stage.js';
import { parseStudyConfig, type StudyConfig } from '../config.js';
import { RUN_DIR_FILES } from './run-dir.js';
import type { TaskSpec } from './study-model.js';

export const FIXTURE_TASK: TaskSpec = {
  name: 'color',
  config: { ...structuredClone(TINY_COLOR_CONFIG), mix: { any: 1 } },
};

/**
 * Train seeds whose fixture model flips the fixture config's 16 pairs within its 600 items, found by
 * trying as the recipe was: with most seeds the model answers from the sentence's surface alone and
 * flips none. They follow from the initial weights, so a change to initialisation means trying again.
 */
export const FIXTURE_SEEDS = [2, 4] as const;

export interface FixtureTrainSpec {
  steps: number;
  seed: number;
}

/**
 * A train stage for tests: trains the fixture model and writes checkpoint/ (with the tokenizer and a
 * train_config naming the task) and train/curve.jsonl, as the real trainer's contract says.
 */
export const fixtureTrainStage = async (
  spec: FixtureTrainSpec,
  ctx: StageContext,
): Promise<{ steps: number; finalLoss: number }> => {
  const task = makeTask('color', FIXTURE_TASK.config);
  const tok = task.tokenizer();
  const config = resolveGPTConfig({ preset: 'nano', vocabSize: tok.vocabSize, nCtx: 32, initStd: 0.3 });
  const model = GPT.init(config, spec.seed);
  const lr = 3e-3;
  const opt = new AdamW(model.params, { ...ADAMW_DEFAULTS, lr });
  const rng = makeRng(spec.seed, 'fixture.train');
  const curve: string[] = [];
  let loss = Number.NaN;
  try {
    for (let step = 1; step <= spec.steps; step++) {
      const seqs = Array.from({ length: 32 }, () => {
        const item = task.sampleTrain(rng);
        return [...tok.encode(item.prompt + item.target), tok.eosId];
      });
      loss = trainStep(model, opt, makeTrainBatch(seqs, tok.padId), lr).loss;
      curve.push(JSON.stringify({ step, loss }));
      ctx.progress({ stage: 'train', done: step, total: spec.steps });
    }
    await saveCheckpoint(join(ctx.runDir, RUN_DIR_FILES.checkpoint), model, {
      tokenizer: tok.toJSON(),
      trainConfig: { task: FIXTURE_TASK, steps: spec.steps, seed: spec.seed },
      specialTokens: { pad: tok.padId, eos: tok.eosId },
    });
  } finally {
    opt.dispose();
    model.dispose();
  }
  await mkdir(join(ctx.runDir, 'train'), { recursive: true });
  await writeFile(join(ctx.runDir, RUN_DIR_FILES.curve), `${curve.join('\n')}\n`);
  return { steps: spec.steps, finalLoss: loss };
};

/** A train stage that runs fixtureTrainStage on the run spec's `train` section. */
export const fixtureTrain = (spec: RunSpec, ctx: StageContext) =>
  fixtureTrainStage(spec.train as FixtureTrainSpec, ctx);

/** The run spec of the study tests: the fixture model of `seed` after 50 steps, and the fixture study. */
export function fixtureRunSpec(seed: number = FIXTURE_SEEDS[0]) {
  return { train: { steps: 50, seed }, study: fixtureStudyConfig() };
}

/** A study config small enough for a test: few pairs, items, permutations and draws. */
export function fixtureStudyConfig(overrides: Record<string, unknown> = {}): StudyConfig {
  return parseStudyConfig({
    seed: 3,
    pairs: { target: 16, maxItems: 600, batchSize: 64, minPairs: 6 },
    record: { batchSize: 5 },
    stats: { permutations: 40 },
    probes: { folds: 3, pairCounts: [8] },
    steer: {
      items: 48,
      capabilityItems: 16,
      // One setting of every intervention path (operation × site × position).
      families: [
        { kind: 'add', direction: 'nmd', select: { top: 0.25 }, alphas: [20] },
        { kind: 'add', direction: 'probe', select: { blocks: 'all' }, position: 'all', alphas: [20] },
        { kind: 'mean-ablate', to: 'class', select: { top: 0.25 } },
        { kind: 'mean-ablate', to: 'pooled', select: { blocks: [1] } },
        { kind: 'head-ablate', heads: [{ block: 1, head: 0 }] },
        { kind: 'scale', select: { top: 0.25 }, alphas: [1] },
        {
          kind: 'sublayer-ablate',
          toGen: { block: 0, site: 'mlp.out' },
          toMem: { block: 1, site: 'attn.out' },
        },
        {
          kind: 'sublayer-scale',
          toGen: { block: 0, site: 'mlp.out' },
          toMem: { block: 1, site: 'attn.out' },
          position: 'prompt',
          alphas: [-0.5],
        },
        { kind: 'sublayer-scale', toGen: 'calibrated', toMem: 'calibrated', alphas: [-0.75] },
      ],
      primary: 'add-nmd-resid-top25-last-a20',
      bootstrap: 100,
      batchSize: 32,
    },
    patching: { batchSize: 5, topN: [1, 4] },
    consistency: { splits: 2, topFractions: [0.1], randomDraws: 100 },
    ...overrides,
  });
}

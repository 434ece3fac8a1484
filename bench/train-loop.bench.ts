/**
 * Training tokens/s in the real loop (`trainStage`: data generation, batching, evaluation, state and
 * checkpoints) against the step alone, and against a bench:train-style figure (one fixed batch of the
 * same model and batch size at the loop's mean padded length). The loop is one phase of the color
 * `quick` preset (its model, batch size and evaluation settings) cut to `--steps`. Issue 6 wants the
 * loop to lose < 15 % to data generation and evaluation.
 *
 * Tokens are padded batch positions (rows × padded length), as bench:train counts them. Where the time
 * outside the steps goes is read from the step timestamps: after a step that ends on an evaluation
 * boundary, the gap to the next step (or to the end) is evaluation + state/checkpoint writing + one
 * batch's data; one batch's data is the mean gap after the other steps.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ADAMW_DEFAULTS,
  AdamW,
  GPT,
  type GPTConfig,
  makeTrainBatch,
  type StepResult,
  type TrainBatch,
  trainStep,
} from '@memgen/model';
import { quietContext, TRAIN_PRESETS, type TrainSpecInput, trainStage } from '@memgen/pipeline';
import { BACKEND_NAMES, type BackendName, initBackend } from '@memgen/tensor';
import { Command } from 'commander';
import { median } from './bench-args.js';

interface LoopArgs {
  config?: string;
  phase: string;
  steps: number;
  every?: number;
  benchSteps: number;
  backend?: BackendName;
  json: boolean;
}

const QUICK = TRAIN_PRESETS.color?.quick;
if (!QUICK) throw new Error('TRAIN_PRESETS has no color quick preset');
const BATCH = QUICK.batchSize ?? 64;

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got '${value}'`);
  return n;
}

function parseLoopArgs(argv: string[]): LoopArgs {
  const o = new Command()
    .option('--config <preset>', "model preset (default: the quick preset's)")
    .option('--phase <name>', "which of the quick preset's phases to run", 'roles')
    .option('--steps <n>', 'training steps of the loop', '1000')
    .option('--every <n>', "evaluate every n steps (default: the quick preset's)")
    .option('--bench-steps <n>', 'timed trainStep calls for the bench:train-style figure (median)', '20')
    .option('--backend <name>', 'tensor backend (default: the best that loads)')
    .option('--json', 'one JSON object with every figure')
    .allowExcessArguments(false)
    .parse(argv)
    .opts<{
      config?: string;
      phase: string;
      steps: string;
      every?: string;
      benchSteps: string;
      backend?: string;
      json?: boolean;
    }>();
  if (o.backend !== undefined && !(BACKEND_NAMES as readonly string[]).includes(o.backend))
    throw new Error(`--backend: unknown backend '${o.backend}'; known: ${BACKEND_NAMES.join(', ')}`);
  return {
    ...(o.config ? { config: o.config } : {}),
    phase: o.phase,
    steps: positiveInt('--steps', o.steps),
    ...(o.every ? { every: positiveInt('--every', o.every) } : {}),
    benchSteps: positiveInt('--bench-steps', o.benchSteps),
    ...(o.backend ? { backend: o.backend as BackendName } : {}),
    json: Boolean(o.json),
  };
}

/** One phase of the color quick preset, cut to `steps`, with the preset's model, batch and evaluation. */
function loopSpec(a: LoopArgs): TrainSpecInput {
  const phase = QUICK?.phases.find((p) => p.name === a.phase);
  if (!QUICK || !phase) {
    const known = QUICK?.phases.map((p) => p.name).join(', ');
    throw new Error(`--phase: the color quick preset has no phase '${a.phase}'; known: ${known}`);
  }
  return {
    ...QUICK,
    model: { ...QUICK.model, ...(a.config ? { preset: a.config } : {}) },
    seed: 0,
    phases: [{ ...phase, steps: a.steps, warmupSteps: 0, ...(a.every ? { evalEvery: a.every } : {}) }],
    eval: { ...QUICK.eval, ...(a.every ? { every: a.every } : {}) },
  };
}

interface StepRecord {
  start: number;
  end: number;
  rows: number;
  length: number;
}

/** Runs trainStage in a temporary directory, recording every step's interval and batch shape. */
async function runLoop(spec: TrainSpecInput) {
  const runDir = await mkdtemp(join(tmpdir(), 'memgen-bench-loop-'));
  const records: StepRecord[] = [];
  let config: GPTConfig | undefined;
  const step = (model: GPT, opt: AdamW, batch: TrainBatch, lr: number, clip: number): StepResult => {
    config ??= model.config;
    const start = performance.now();
    const r = trainStep(model, opt, batch, lr, clip);
    records.push({ start, end: performance.now(), rows: batch.input.rows, length: batch.input.length });
    return r;
  };
  try {
    const t0 = performance.now();
    await trainStage(spec, quietContext(runDir), { step });
    const t1 = performance.now();
    if (!config || records.length === 0) throw new Error('trainStage ran no step');
    return { t0, t1, records, config };
  } finally {
    await rm(runDir, { recursive: true, force: true });
  }
}

/** Splits the loop's wall time into setup, steps, per-step data and evaluation (all ms). */
function splitTime(t0: number, t1: number, records: StepRecord[], every: number) {
  const n = records.length;
  const evalAfter = (i: number) => (i + 1) % every === 0 || i === n - 1;
  const at = (i: number) => records[i] as StepRecord;
  const gaps = records.map((r, i) => (i < n - 1 ? at(i + 1).start : t1) - r.end);
  const dataGaps = gaps.filter((_, i) => !evalAfter(i));
  const dataPerStep = dataGaps.length ? dataGaps.reduce((s, g) => s + g, 0) / dataGaps.length : 0;
  // Every gap but the last holds the next step's batch; evaluation gaps hold it too, at the mean cost.
  const data = dataPerStep * (n - 1);
  const evalGapSum = gaps.filter((_, i) => evalAfter(i)).reduce((s, g) => s + g, 0);
  const evaluations = records.filter((_, i) => evalAfter(i)).length;
  return {
    wall: t1 - t0,
    setup: at(0).start - t0,
    steps: records.reduce((s, r) => s + r.end - r.start, 0),
    data,
    evaluation: evalGapSum - dataPerStep * (evaluations - 1),
    evaluations,
  };
}

/** bench:train's measurement on this model shape: median ms of trainStep on one fixed [rows, length] batch. */
function benchStyleMs(config: GPTConfig, rows: number, length: number, steps: number): number {
  const model = GPT.init(config, 0);
  const opt = new AdamW(model.params, ADAMW_DEFAULTS);
  try {
    const V = config.vocabSize;
    const seqs = Array.from({ length: rows }, (_, r) =>
      Array.from({ length: length + 1 }, (_, j) => (r * 7919 + j * 104729) % V),
    );
    const batch = makeTrainBatch(seqs, 0);
    trainStep(model, opt, batch, 1e-3);
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t = performance.now();
      trainStep(model, opt, batch, 1e-3);
      times.push(performance.now() - t);
    }
    return median(times);
  } finally {
    opt.dispose();
    model.dispose();
  }
}

const args = parseLoopArgs(process.argv);
const info = await initBackend({ ...(args.backend ? { backend: args.backend } : {}), log: !args.json });
const spec = loopSpec(args);
const every = spec.phases[0]?.evalEvery ?? spec.eval?.every ?? 250;
const loop = await runLoop(spec);
const ms = splitTime(loop.t0, loop.t1, loop.records, every);
const tokens = loop.records.reduce((s, r) => s + r.rows * r.length, 0);
const meanLength = loop.records.reduce((s, r) => s + r.length, 0) / loop.records.length;
const benchLength = Math.round(meanLength);
const benchMs = benchStyleMs(loop.config, BATCH, benchLength, args.benchSteps);

const loopRate = (tokens * 1000) / ms.wall;
const stepRate = (tokens * 1000) / ms.steps;
const benchRate = (BATCH * benchLength * 1000) / benchMs;
const share = (x: number) => Number(((100 * x) / ms.wall).toFixed(1));
const round1 = (x: number) => Number(x.toFixed(1));
const row = {
  config: spec.model.preset ?? 'micro',
  phase: args.phase,
  backend: info.name,
  threads: process.env.MEMGEN_THREADS ?? null,
  batch: BATCH,
  n_ctx: loop.config.nCtx,
  vocab: loop.config.vocabSize,
  steps: loop.records.length,
  eval_every: every,
  evaluations: ms.evaluations,
  mean_padded_length: round1(meanLength),
  tokens,
  wall_s: Number((ms.wall / 1000).toFixed(2)),
  loop_tokens_per_s: Math.round(loopRate),
  step_only_tokens_per_s: Math.round(stepRate),
  bench_style_tokens_per_s: Math.round(benchRate),
  loop_step_median_ms: round1(median(loop.records.map((r) => r.end - r.start))),
  bench_style_ms_per_step: round1(benchMs),
  bench_style_shape: { batch: BATCH, length: benchLength, median_of: args.benchSteps },
  loop_over_bench_style: Number((loopRate / benchRate).toFixed(3)),
  loop_over_step_only: Number((loopRate / stepRate).toFixed(3)),
  step_only_over_bench_style: Number((stepRate / benchRate).toFixed(3)),
  loss_to_data_and_eval_pct: round1(100 * (1 - loopRate / benchRate)),
  wall_share_pct: {
    steps: share(ms.steps),
    setup: share(ms.setup),
    data: share(ms.data),
    evaluation: share(ms.evaluation),
  },
};

if (args.json) process.stdout.write(`${JSON.stringify(row)}\n`);
else {
  const rate = (x: number) => String(Math.round(x)).padStart(8);
  const w = row.wall_share_pct;
  process.stdout.write(
    `train loop: ${row.config} on ${info.name}${row.threads ? ` (${row.threads} threads)` : ''}, ` +
      `color quick phase '${args.phase}', B ${BATCH}, ${row.steps} steps, ` +
      `${row.evaluations} evaluations (every ${every}), ` +
      `mean padded T ${row.mean_padded_length}, ${row.wall_s} s\n` +
      `  loop               ${rate(loopRate)} tokens/s\n` +
      `  step only          ${rate(stepRate)} tokens/s  (median step ${row.loop_step_median_ms} ms)\n` +
      `  bench:train-style  ${rate(benchRate)} tokens/s  (${row.bench_style_ms_per_step} ms/step, ` +
      `B ${BATCH}, T ${benchLength}, median of ${args.benchSteps})\n` +
      `  loop / bench-style ${row.loop_over_bench_style.toFixed(3)}   loop / step-only ${row.loop_over_step_only.toFixed(3)}` +
      `   step-only / bench-style ${row.step_only_over_bench_style.toFixed(3)}\n` +
      `  wall time: steps ${w.steps} %, setup ${w.setup} %, data ${w.data} %, evaluation ${w.evaluation} %\n` +
      `  loss to data + evaluation: ${row.loss_to_data_and_eval_pct} %\n`,
  );
}

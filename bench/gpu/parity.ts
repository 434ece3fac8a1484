/**
 * Model-level agreement of an engine with the JavaScript cpu backend, shared by the webgpu tests and
 * the device check: a training run's losses and gradient norms, greedy decoding with the KV cache
 * (tokens and the logits that chose them), and the labels a study's pairs stage gives a checkpoint.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ADAMW_DEFAULTS,
  AdamW,
  decode,
  GPT,
  makeTrainBatch,
  resolveGPTConfig,
  trainStep,
} from '@memgen/model';
import { pairsStage, quietContext, RUN_FILES } from '@memgen/pipeline';
import { type BackendName, initBackend } from '@memgen/tensor';
import {
  FIXTURE_SEEDS,
  fixtureStudyConfig,
  fixtureTrainStage,
} from '../../libs/pipeline/src/study/common/test-fixture.js';

export interface Trajectory {
  losses: number[];
  norms: number[];
  /** Median step in ms after the first (which compiles shaders on a GPU). */
  stepMs: number;
}

/**
 * `steps` AdamW steps of a freshly initialised preset on rows left-padded to lengths ctx−7 … ctx
 * (masked attention), from seed-0 weights and a fixed batch of 8 rows.
 */
export async function trajectory(
  backend: BackendName,
  preset: string,
  steps: number,
  ctx = 32,
): Promise<Trajectory> {
  await initBackend({ backend, log: false });
  const model = GPT.init(resolveGPTConfig({ preset, vocabSize: 128, nCtx: ctx }), 0);
  const opt = new AdamW(model.params, ADAMW_DEFAULTS);
  const seqs = Array.from({ length: 8 }, (_, r) =>
    Array.from({ length: ctx + 1 - r }, (_, j) => 2 + ((r * 7919 + j * 104729) % 126)),
  );
  const batch = makeTrainBatch(seqs, 0, { length: ctx + 1 });
  const out: Trajectory = { losses: [], norms: [], stepMs: 0 };
  const times: number[] = [];
  try {
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      const r = trainStep(model, opt, batch, 1e-3);
      times.push(performance.now() - t0);
      out.losses.push(r.loss);
      out.norms.push(r.gradNorm);
    }
  } finally {
    opt.dispose();
    model.dispose();
  }
  const later = times.slice(1).sort((a, b) => a - b);
  out.stepMs = later[Math.floor(later.length / 2)] ?? times[0]!;
  return out;
}

/** max_i |a_i − b_i| / |b_i|. */
export function worstRelative(a: readonly number[], b: readonly number[]): number {
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!) / Math.abs(b[i]!)));
}

export interface Decoded {
  tokens: number[][];
  /** Per row, per generated token, the logits [V] that chose it. */
  logits: Float32Array[][];
}

/** Greedy decoding with the KV cache of a seed-0 preset on ragged prompts (rows 0–3 tokens shorter). */
export async function decodeRun(
  backend: BackendName,
  preset: string,
  rows: number,
  newTokens: number,
): Promise<Decoded> {
  await initBackend({ backend, log: false });
  const prompts = Array.from({ length: rows }, (_, r) =>
    Array.from({ length: 12 - (r % 4) }, (_, j) => 2 + ((r * 31 + j * 17) % 126)),
  );
  const model = GPT.init(resolveGPTConfig({ preset, vocabSize: 128, nCtx: 12 + newTokens }), 0);
  try {
    const r = decode(model, prompts, {
      maxNewTokens: newTokens,
      stopTokens: [],
      padId: 0,
      returnLogits: true,
    });
    return { tokens: r.tokens, logits: r.logits ?? [] };
  } finally {
    model.dispose();
  }
}

/** The study fixture's checkpoint (nano, 50 steps), trained on the native engine (else cpu) into a fresh directory. */
export async function fixtureCheckpoint(): Promise<string> {
  await initBackend({ backend: 'native', log: false }).catch(() =>
    initBackend({ backend: 'cpu', log: false }),
  );
  const dir = mkdtempSync(join(tmpdir(), 'memgen-parity-'));
  await fixtureTrainStage({ steps: 50, seed: FIXTURE_SEEDS[0] }, quietContext(dir));
  return dir;
}

/** The pairs stage on `backend` over a copy of `trained`: its pairs file and per-member label counts. */
export async function pairLabels(
  backend: BackendName,
  trained: string,
): Promise<{ pairs: string; labels: unknown }> {
  await initBackend({ backend, log: false });
  const dir = mkdtempSync(join(tmpdir(), 'memgen-parity-'));
  try {
    cpSync(trained, dir, { recursive: true });
    const result = await pairsStage.run({ study: fixtureStudyConfig() }, quietContext(dir), '', []);
    return { pairs: readFileSync(join(dir, RUN_FILES.pairs), 'utf8'), labels: result };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

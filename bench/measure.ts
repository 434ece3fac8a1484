/**
 * The measurements bench:train, bench:decode and bench:torch share: a training step of a benchmark
 * config (median ms, the loss of every step, peak RSS) and greedy decoding throughput.
 */
import { decode, GPT, resolveGPTConfig, trainStep } from '@memgen/model';
import { BENCH_CONFIGS, benchSetup, median } from './bench-args.js';

export interface TrainMeasure {
  config: string;
  /** Median of the timed steps. */
  ms: number;
  /** Loss before each update: the warm-up step, then the timed ones. */
  losses: number[];
  /** Peak resident set of the process after the steps, MiB (one config per process to read it alone). */
  peakRssMb: number;
  flops: number;
  tokens: number;
}

/** One warm-up step, then `steps` timed training steps (forward, backward, clip, AdamW) of a config. */
export function measureTrain(name: string, steps: number): TrainMeasure {
  const c = BENCH_CONFIGS[name] as (typeof BENCH_CONFIGS)[string];
  const { model, opt, batch, tokens } = benchSetup(name);
  try {
    const losses = [trainStep(model, opt, batch, 1e-3).loss];
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      losses.push(trainStep(model, opt, batch, 1e-3).loss);
      times.push(performance.now() - t0);
    }
    const { nEmbd: D, nLayer: L } = model.config;
    // 3 × forward matmul FLOPs (backward ≈ 2 × forward): dense layers and tied head per token, plus
    // attention scores and mixing (causality not exploited).
    const flops = 3 * tokens * (2 * (12 * L * D * D + c.vocab * D) + 4 * L * c.ctx * D);
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    return { config: name, ms: median(times), losses, peakRssMb, flops, tokens };
  } finally {
    opt.dispose();
    model.dispose();
  }
}

/** The prompts of the decode benchmark: `batch` rows of `length` tokens (ragged: each row `r % ragged` shorter). */
export function decodePrompts(batch: number, length: number, ragged: number): number[][] {
  return Array.from({ length: batch }, (_, r) =>
    Array.from({ length: length - (r % ragged) }, (_, j) => 2 + ((r * 31 + j * 17) % 126)),
  );
}

/** Decodes run before the timed ones (steady-state throughput, not start-up). */
export const DECODE_WARMUP = 3;

/**
 * Greedy decoding tokens/s (generated tokens over the batch per second, median of `repeats`) of a
 * freshly initialised model of a preset, V 128.
 */
export function measureDecode(
  preset: string,
  prompts: number[][],
  newTokens: number,
  opts: { useCache: boolean; repeats: number },
): number {
  const promptLen = Math.max(...prompts.map((p) => p.length));
  const cfg = resolveGPTConfig({ preset, vocabSize: 128, nCtx: promptLen + newTokens });
  const model = GPT.init(cfg, 0);
  const run = () =>
    decode(model, prompts, { maxNewTokens: newTokens, stopTokens: [], padId: 0, useCache: opts.useCache });
  try {
    // Untimed warm-up runs, as PyTorch's twin has: the first decodes pay V8's compilation.
    for (let i = 0; i < DECODE_WARMUP; i++) run();
    const times: number[] = [];
    for (let i = 0; i < opts.repeats; i++) {
      const t0 = performance.now();
      run();
      times.push(performance.now() - t0);
    }
    return (prompts.length * newTokens * 1000) / median(times);
  } finally {
    model.dispose();
  }
}

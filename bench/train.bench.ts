/**
 * Training-step throughput of the GPT model: ms/step, tokens/s and achieved GFLOP/s per config and backend.
 * FLOPs per step = 3 × forward matmul FLOPs (backward ≈ 2 × forward): per token 2·(12·L·D² + V·D) for
 * the dense layers and tied head, plus 4·L·T·D for attention scores and mixing (causality not exploited).
 */
import { fileURLToPath } from 'node:url';
import { ADAMW_DEFAULTS, AdamW, GPT, makeTrainBatch, resolveGPTConfig, trainStep } from '@memgen/model';
import { initBackend } from '@memgen/tensor';
import { fanOutBackends, median, parseBenchArgs } from './bench-args.js';

/** The configs of the issue (and RECIPE.md's PyTorch figures): V 128, T 64. */
const CONFIGS: Record<string, { preset: string; vocab: number; ctx: number; batch: number }> = {
  nano: { preset: 'nano', vocab: 128, ctx: 64, batch: 32 },
  tiny: { preset: 'tiny', vocab: 128, ctx: 64, batch: 32 },
  small: { preset: 'small', vocab: 128, ctx: 64, batch: 32 },
  'gpt2-small': { preset: 'gpt2-small', vocab: 50257, ctx: 64, batch: 8 },
};

const args = parseBenchArgs(process.argv, { configs: ['tiny', 'small'] });
if (!fanOutBackends(fileURLToPath(import.meta.url), args)) {
  const info = await initBackend({
    ...(args.backends[0] ? { backend: args.backends[0] } : {}),
    log: !args.json,
  });
  for (const name of args.configs) {
    const c = CONFIGS[name];
    if (!c) throw new Error(`unknown config '${name}'; known: ${Object.keys(CONFIGS).join(', ')}`);
    const cfg = resolveGPTConfig({ preset: c.preset, vocabSize: c.vocab, nCtx: c.ctx });
    const model = GPT.init(cfg, 0);
    const opt = new AdamW(model.params, ADAMW_DEFAULTS);
    const seqs = Array.from({ length: c.batch }, (_, r) =>
      Array.from({ length: c.ctx + 1 }, (_, j) => 2 + ((r * 7919 + j * 104729) % (c.vocab - 2))),
    );
    const batch = makeTrainBatch(seqs, 0);
    trainStep(model, opt, batch, 1e-3);
    const times: number[] = [];
    for (let i = 0; i < args.steps; i++) {
      const t0 = performance.now();
      trainStep(model, opt, batch, 1e-3);
      times.push(performance.now() - t0);
    }
    const ms = median(times);
    const tokens = c.batch * c.ctx;
    const { nEmbd: D, nLayer: L } = cfg;
    const flops = 3 * tokens * (2 * (12 * L * D * D + c.vocab * D) + 4 * L * c.ctx * D);
    const row = {
      config: name,
      backend: info.name,
      ms_per_step: Number(ms.toFixed(1)),
      tokens_per_s: Math.round((tokens * 1000) / ms),
      gflops: Number((flops / (ms * 1e6)).toFixed(2)),
    };
    if (args.json) process.stdout.write(`${JSON.stringify(row)}\n`);
    else {
      process.stdout.write(
        `${name.padEnd(11)} ${info.name.padEnd(7)} ${row.ms_per_step.toFixed(1).padStart(9)} ms/step ` +
          `${String(row.tokens_per_s).padStart(8)} tokens/s ${row.gflops.toFixed(2).padStart(7)} GFLOP/s  ` +
          `(B=${c.batch}, T=${c.ctx}, D=${D}, L=${L}, median of ${args.steps})\n`,
      );
    }
    opt.dispose();
    model.dispose();
  }
}

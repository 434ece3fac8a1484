/**
 * Training-step throughput of the GPT model: ms/step, tokens/s and achieved GFLOP/s per config and backend.
 * FLOPs per step = 3 × forward matmul FLOPs (backward ≈ 2 × forward): per token 2·(12·L·D² + V·D) for
 * the dense layers and tied head, plus 4·L·T·D for attention scores and mixing (causality not exploited).
 */
import { fileURLToPath } from 'node:url';
import { trainStep } from '@memgen/model';
import { initBackend } from '@memgen/tensor';
import { BENCH_CONFIGS, benchSetup, fanOutBackends, median, parseBenchArgs } from './bench-args.js';

/** The configs of the issue (and RECIPE.md's PyTorch figures): V 128, T 64. */

const args = parseBenchArgs(process.argv, { configs: ['tiny', 'small'] });
if (!fanOutBackends(fileURLToPath(import.meta.url), args)) {
  const info = await initBackend({
    ...(args.backends[0] ? { backend: args.backends[0] } : {}),
    log: !args.json,
  });
  for (const name of args.configs) {
    const c = BENCH_CONFIGS[name] as (typeof BENCH_CONFIGS)[string];
    const { model, opt, batch, tokens } = benchSetup(name);
    const cfg = model.config;
    trainStep(model, opt, batch, 1e-3);
    const times: number[] = [];
    for (let i = 0; i < args.steps; i++) {
      const t0 = performance.now();
      trainStep(model, opt, batch, 1e-3);
      times.push(performance.now() - t0);
    }
    const ms = median(times);
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

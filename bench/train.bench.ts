/**
 * Training-step throughput of the GPT model: ms/step, tokens/s, achieved GFLOP/s and the peak RSS of
 * the step per config and backend. With several configs each runs in its own process, so its peak
 * resident set is its own.
 */
import { fileURLToPath } from 'node:url';
import { initBackend } from '@memgen/tensor';
import { BENCH_CONFIGS, fanOutBackends, parseBenchArgs } from './bench-args.js';
import { measureTrain } from './measure.js';

const args = parseBenchArgs(process.argv, { configs: ['tiny', 'small'] });
if (!fanOutBackends(fileURLToPath(import.meta.url), args, true)) {
  const info = await initBackend({
    ...(args.backends[0] ? { backend: args.backends[0] } : {}),
    log: !args.json,
  });
  for (const name of args.configs) {
    const c = BENCH_CONFIGS[name] as (typeof BENCH_CONFIGS)[string];
    const m = measureTrain(name, args.steps);
    const row = {
      config: name,
      backend: info.name,
      threads: process.env.MEMGEN_THREADS ?? null,
      ms_per_step: Number(m.ms.toFixed(1)),
      tokens_per_s: Math.round((m.tokens * 1000) / m.ms),
      gflops: Number((m.flops / (m.ms * 1e6)).toFixed(2)),
      peak_rss_mb: Math.round(m.peakRssMb),
      losses: m.losses,
    };
    if (args.json) process.stdout.write(`${JSON.stringify(row)}\n`);
    else {
      process.stdout.write(
        `${name.padEnd(11)} ${info.name.padEnd(7)} ${row.ms_per_step.toFixed(1).padStart(9)} ms/step ` +
          `${String(row.tokens_per_s).padStart(8)} tokens/s ${row.gflops.toFixed(2).padStart(7)} GFLOP/s ` +
          `${String(row.peak_rss_mb).padStart(6)} MiB peak RSS  ` +
          `(B=${c.batch}, T=${c.ctx}, median of ${args.steps})\n`,
      );
    }
  }
}

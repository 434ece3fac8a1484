/**
 * What the device check runs: the full shapes on a GPU, smaller ones where the adapter is a
 * software rasteriser (lavapipe runs the tiny training step ~75× slower than the native engine).
 */
import { Command } from 'commander';

export interface CheckSettings {
  /** bench:train configs (bench/bench-args.ts BENCH_CONFIGS). */
  configs: string[];
  /** Timed training steps per config and engine (after one untimed). */
  steps: number;
  /** Decode benchmark: preset, batch, new tokens. */
  decode: { preset: string; batch: number; newTokens: number };
  /** Smoke run: the color smoke preset with each phase capped at this many steps (0 = as the preset says). */
  smokeSteps: number;
  /** Seconds after which the benchmarks still to run are skipped (the check must end within 8 minutes). */
  budgetS: number;
  /** Where to write the results as JSON (besides the printed table). */
  out?: string;
}

export const GPU_SETTINGS: CheckSettings = {
  configs: ['tiny', 'small', 'gpt2-small'],
  steps: 3,
  decode: { preset: 'tiny', batch: 64, newTokens: 32 },
  smokeSteps: 0,
  budgetS: 420,
};

export const SOFTWARE_SETTINGS: CheckSettings = {
  configs: ['nano', 'micro'],
  steps: 2,
  decode: { preset: 'nano', batch: 16, newTokens: 8 },
  smokeSteps: 10,
  budgetS: 420,
};

/** The settings for the adapter (`software`: a software rasteriser), with the flags given winning. */
export function checkSettings(argv: string[], software: boolean): CheckSettings {
  const o = new Command()
    .option('--configs <list>', 'bench:train configs, comma-separated')
    .option('--steps <n>', 'timed training steps per config')
    .option('--decode <preset:batch:tokens>', 'decode benchmark, e.g. tiny:64:32')
    .option('--smoke-steps <n>', 'cap on each smoke phase (0: the preset as it is)')
    .option('--budget-s <n>', 'seconds after which remaining benchmarks are skipped')
    .option('--full', 'the GPU settings even on a software adapter')
    .option('--out <file>', 'also write the results as JSON')
    .allowExcessArguments(false)
    .parse(argv)
    .opts<Record<string, string | boolean | undefined>>();
  const base = software && !o.full ? SOFTWARE_SETTINGS : GPU_SETTINGS;
  const num = (v: unknown, name: string, fallback: number) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: expected a whole number, got '${v}'`);
    return n;
  };
  const [preset, batch, tokens] = typeof o.decode === 'string' ? o.decode.split(':') : [];
  return {
    configs: typeof o.configs === 'string' ? o.configs.split(',') : base.configs,
    steps: Math.max(1, num(o.steps, 'steps', base.steps)),
    decode: preset
      ? { preset, batch: num(batch, 'decode', 64), newTokens: num(tokens, 'decode', 32) }
      : base.decode,
    smokeSteps: num(o.smokeSteps, 'smoke-steps', base.smokeSteps),
    budgetS: num(o.budgetS, 'budget-s', base.budgetS),
    ...(typeof o.out === 'string' ? { out: o.out } : {}),
  };
}

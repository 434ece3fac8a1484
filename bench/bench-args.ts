/** Shared command-line handling for the benchmarks: --json, --configs, --backend (comma lists). */
import { spawnSync } from 'node:child_process';
import { ADAMW_DEFAULTS, AdamW, GPT, makeTrainBatch, resolveGPTConfig, type TrainBatch } from '@memgen/model';
import { BACKEND_NAMES, type BackendName } from '@memgen/tensor';
import { Command } from 'commander';

export interface BenchArgs {
  json: boolean;
  configs: string[];
  backends: BackendName[];
  steps: number;
}

export interface BenchDefaults {
  configs: string[];
  /** Default --backend list (none: the best that loads). */
  backend?: string;
  steps?: { default: string; help: string };
}

/**
 * A command with --configs, --backend and --steps that refuses stray arguments: a benchmark adds its
 * own options, parses, and reads the shared ones with readBenchArgs.
 */
export function benchCommand(defaults: BenchDefaults): Command {
  const steps = defaults.steps ?? { default: '5', help: 'measured iterations per config' };
  const backends = 'comma-separated backends';
  return new Command()
    .option('--configs <list>', 'comma-separated configs', defaults.configs.join(','))
    .option(
      '--backend <list>',
      defaults.backend ? backends : `${backends} (default: the best that loads)`,
      defaults.backend,
    )
    .option('--steps <n>', steps.help, steps.default)
    .allowExcessArguments(false);
}

export function parseBenchArgs(argv: string[], defaults: { configs: string[] }): BenchArgs {
  return readBenchArgs(benchCommand(defaults).option('--json', 'one JSON object per line').parse(argv));
}

/** The shared options of a parsed benchCommand (json: whether it has and got --json). */
export function readBenchArgs(program: Command): BenchArgs {
  const o = program.opts<{ json?: boolean; configs: string; backend?: string; steps: string }>();
  const backends = (o.backend ? o.backend.split(',') : []).map((b) => {
    if (!(BACKEND_NAMES as readonly string[]).includes(b))
      throw new Error(`--backend: unknown backend '${b}'`);
    return b as BackendName;
  });
  const steps = Number(o.steps);
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(`--steps must be a positive integer, got '${o.steps}'`);
  return { json: Boolean(o.json), configs: o.configs.split(','), backends, steps };
}

/**
 * With several backends (or, when `perConfig`, several configs), each backend (and config) runs in
 * its own child process — tfjs backends are process-global, and a process's peak RSS is its own —
 * and the children's lines are passed through; returns true when it did so.
 */
export function fanOutBackends(script: string, args: BenchArgs, perConfig = false): boolean {
  const splitConfigs = perConfig && args.configs.length > 1;
  if (args.backends.length <= 1 && !splitConfigs) return false;
  const backends = args.backends.length > 0 ? args.backends : [undefined];
  const configGroups = splitConfigs ? args.configs.map((c) => [c]) : [args.configs];
  for (const backend of backends) {
    for (const configs of configGroups) {
      const childArgs = [
        '--import',
        'tsx',
        script,
        '--configs',
        configs.join(','),
        '--steps',
        String(args.steps),
      ];
      if (backend) childArgs.push('--backend', backend);
      if (args.json) childArgs.push('--json');
      const r = spawnSync(process.execPath, childArgs, { stdio: 'inherit' });
      if (r.status !== 0) process.exitCode = 1;
    }
  }
  return true;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * The benchmark shapes: V 128, T 64 (the PyTorch twin's shapes), and micro at the color quick
 * preset's batch and context.
 */
export const BENCH_CONFIGS: Record<
  string,
  { preset: string; vocab: number; ctx: number; batch: number; positions?: 'rotary' }
> = {
  nano: { preset: 'nano', vocab: 128, ctx: 64, batch: 32 },
  micro: { preset: 'micro', vocab: 128, ctx: 96, batch: 64 },
  // The same shapes with rotary positions: what rotating queries and keys in every block costs.
  'micro-rotary': { preset: 'micro', vocab: 128, ctx: 96, batch: 64, positions: 'rotary' },
  tiny: { preset: 'tiny', vocab: 128, ctx: 64, batch: 32 },
  'tiny-rotary': { preset: 'tiny', vocab: 128, ctx: 64, batch: 32, positions: 'rotary' },
  small: { preset: 'small', vocab: 128, ctx: 64, batch: 32 },
  'gpt2-small': { preset: 'gpt2-small', vocab: 50257, ctx: 64, batch: 8 },
};

/** A fresh model, optimizer and full batch of a benchmark config, after one warm-up step's worth of setup. */
export function benchSetup(name: string): { model: GPT; opt: AdamW; batch: TrainBatch; tokens: number } {
  const c = BENCH_CONFIGS[name];
  if (!c) throw new Error(`unknown config '${name}'; known: ${Object.keys(BENCH_CONFIGS).join(', ')}`);
  const positions = c.positions ? { positions: c.positions } : {};
  const model = GPT.init(
    resolveGPTConfig({ preset: c.preset, vocabSize: c.vocab, nCtx: c.ctx, ...positions }),
    0,
  );
  const opt = new AdamW(model.params, ADAMW_DEFAULTS);
  const seqs = Array.from({ length: c.batch }, (_, r) =>
    Array.from({ length: c.ctx + 1 }, (_, j) => 2 + ((r * 7919 + j * 104729) % (c.vocab - 2))),
  );
  return { model, opt, batch: makeTrainBatch(seqs, 0), tokens: c.batch * c.ctx };
}

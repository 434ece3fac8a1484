/**
 * memgen against PyTorch on the same model, batch and training step (forward, backward, global-norm
 * clip, AdamW), in one run: each side at its best of 1 and 2 threads, each config and thread count in
 * a fresh process, both starting from memgen's initial weights (so the loss of every step must agree:
 * the twin is the same computation, not only the same shapes). Also greedy decoding with the KV cache
 * at batch 64. Prints ms/step and the ratio memgen / PyTorch (< 1: memgen faster); --json: one
 * object per line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initialWeights, paramSpecs, resolveGPTConfig } from '@memgen/model';
import { HostTensor, writeSafetensors } from '@memgen/tensor';
import { Command } from 'commander';
import { BENCH_CONFIGS } from './bench-args.js';
import { DECODE_WARMUP } from './measure.js';
import { torchPython } from './torch-python.js';

/** Timed decodes per side (median), after DECODE_WARMUP untimed ones. */
const DECODE_REPEATS = 30;

const HERE = fileURLToPath(new URL('.', import.meta.url));
const opts = new Command()
  .option('--json', 'one JSON object per line')
  .option('--configs <list>', 'training configs', 'micro,tiny,small,gpt2-small')
  .option('--decode <list>', 'presets whose KV-cache decoding is compared ("" for none)', 'micro,tiny')
  .option('--steps <n>', 'timed steps per side and thread count (median)', '5')
  .option('--threads <list>', 'thread counts tried on each side', '1,2')
  .option('--rounds <n>', 'alternating rounds per side and thread count (the best median counts)', '2')
  .allowExcessArguments(false)
  .parse(process.argv)
  .opts<{
    json?: boolean;
    configs: string;
    decode: string;
    steps: string;
    threads: string;
    rounds: string;
  }>();
const threadCounts = opts.threads.split(',').map(Number);
// Rounds alternate memgen and PyTorch, so a burst of load from elsewhere on the machine does not
// land on one side only.
const rounds = Array.from({ length: Number(opts.rounds) }, (_, i) => i);
const python = torchPython();
const dir = await mkdtemp(join(tmpdir(), 'memgen-torch-bench-'));

/** Runs a child and returns its last stdout line as JSON. */
function child(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Record<string, unknown> {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 24 });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} … exited ${r.status}:\n${r.stderr}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as Record<string, unknown>;
}

function memgenSide(job: object, threads: number): Record<string, unknown> {
  const script = join(HERE, 'torch-memgen-side.ts');
  return child(process.execPath, ['--import', 'tsx', script, JSON.stringify(job)], {
    MEMGEN_THREADS: String(threads),
  });
}

/** Writes memgen's seed-0 initial weights of a shape; returns the file and the shape for the twin. */
async function weightsFile(name: string, preset: string, vocab: number, ctx: number) {
  const cfg = resolveGPTConfig({ preset, vocabSize: vocab, nCtx: ctx });
  const weights = initialWeights(cfg, 0);
  const tensors: Record<string, HostTensor> = {};
  for (const s of paramSpecs(cfg)) tensors[s.name] = new HostTensor('float32', s.shape, weights.get(s.name)!);
  const file = join(dir, `${name}.safetensors`);
  await writeSafetensors(file, tensors, { format: 'pt' });
  const shape = {
    vocab,
    ctx,
    nEmbd: cfg.nEmbd,
    nLayer: cfg.nLayer,
    nHead: cfg.nHead,
    eps: cfg.layerNormEpsilon,
  };
  return { file, shape: JSON.stringify(shape) };
}

function keepBest(m: Map<number, number>, key: number, value: number, lowerIsBetter: boolean): void {
  const old = m.get(key);
  if (old === undefined || (lowerIsBetter ? value < old : value > old)) m.set(key, value);
}

/** The best (lowest) of a measure over the thread counts, with the count that gave it. */
function best(byThreads: Map<number, number>, lowerIsBetter: boolean): { value: number; threads: number } {
  const entries = [...byThreads].sort((a, b) => (lowerIsBetter ? a[1] - b[1] : b[1] - a[1]));
  const [threads, value] = entries[0] as [number, number];
  return { value, threads };
}

function maxRelativeDiff(a: number[], b: number[]): number {
  if (a.length !== b.length)
    throw new Error(`loss trajectories differ in length: ${a.length} vs ${b.length}`);
  return Math.max(...a.map((x, i) => Math.abs(x - (b[i] as number)) / Math.abs(b[i] as number)));
}

function emit(row: Record<string, unknown>, text: string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(row)}\n` : `${text}\n`);
}

async function compareTraining(name: string): Promise<void> {
  const c = BENCH_CONFIGS[name];
  if (!c) throw new Error(`unknown config '${name}'; known: ${Object.keys(BENCH_CONFIGS).join(', ')}`);
  const w = await weightsFile(name, c.preset, c.vocab, c.ctx);
  const mine = new Map<number, number>();
  const theirs = new Map<number, number>();
  let drift = 0;
  let rss = 0;
  const shape = JSON.parse(w.shape) as object;
  for (const _ of rounds) {
    for (const t of threadCounts) {
      const m = memgenSide({ mode: 'train', config: name, steps: Number(opts.steps) }, t);
      const p = child(python, [
        join(HERE, 'torch_reference.py'),
        ...['--shape', JSON.stringify({ ...shape, batch: c.batch }), '--weights', w.file],
        ...['--threads', String(t), '--steps', opts.steps],
      ]);
      keepBest(mine, t, m.ms as number, true);
      keepBest(theirs, t, p.ms_per_step as number, true);
      drift = Math.max(drift, maxRelativeDiff(m.losses as number[], p.losses as number[]));
      rss = Math.max(rss, m.peak_rss_mb as number);
    }
  }
  const a = best(mine, true);
  const b = best(theirs, true);
  const row = {
    config: name,
    memgen_ms: round(a.value),
    torch_ms: round(b.value),
    ratio: round(a.value / b.value, 2),
    memgen_threads: a.threads,
    torch_threads: b.threads,
    memgen_ms_by_threads: byThreads(mine),
    torch_ms_by_threads: byThreads(theirs),
    loss_max_rel_diff: Number(drift.toExponential(2)),
    memgen_peak_rss_mb: Math.round(rss),
  };
  emit(
    row,
    `${name.padEnd(11)} memgen ${row.memgen_ms.toFixed(1).padStart(7)} ms (${threadsText(mine)})  ` +
      `torch ${row.torch_ms.toFixed(1).padStart(7)} ms (${threadsText(theirs)})  ratio ${row.ratio.toFixed(2)}  ` +
      `(B ${c.batch}, T ${c.ctx}; losses agree to ${drift.toExponential(1)} relative)`,
  );
  if (drift > 1e-3)
    throw new Error(`${name}: the twins' losses differ by ${drift} relative: not the same step`);
}

async function compareDecode(preset: string): Promise<void> {
  const promptLen = 32;
  const newTokens = 32;
  const w = await weightsFile(`decode-${preset}`, preset, 128, promptLen + newTokens);
  const mine = new Map<number, number>();
  const theirs = new Map<number, number>();
  for (const _ of rounds) {
    for (const t of threadCounts) {
      const job = { mode: 'decode', preset, promptLen, newTokens, batch: 64, repeats: DECODE_REPEATS };
      keepBest(mine, t, memgenSide(job, t).tokens_per_s as number, false);
      const p = child(python, [
        join(HERE, 'torch_reference.py'),
        ...['--shape', w.shape, '--weights', w.file, '--threads', String(t), '--decode', String(newTokens)],
        ...['--decode-repeats', String(DECODE_REPEATS), '--decode-warmup', String(DECODE_WARMUP)],
      ]);
      keepBest(theirs, t, p.decode_tokens_per_s as number, false);
    }
  }
  const a = best(mine, false);
  const b = best(theirs, false);
  const row = {
    config: `decode-${preset}`,
    memgen_tokens_per_s: Math.round(a.value),
    torch_tokens_per_s: Math.round(b.value),
    ratio: round(b.value / a.value, 2),
    memgen_threads: a.threads,
    torch_threads: b.threads,
    memgen_tokens_per_s_by_threads: byThreads(mine, 0),
    torch_tokens_per_s_by_threads: byThreads(theirs, 0),
  };
  emit(
    row,
    `decode ${preset.padEnd(4)} memgen ${row.memgen_tokens_per_s} tokens/s (${threadsText(mine, 0)})  torch ` +
      `${row.torch_tokens_per_s} tokens/s (${threadsText(theirs, 0)})  ratio ${row.ratio.toFixed(2)}  ` +
      `(greedy, KV cache, batch 64, ${newTokens} new after ${promptLen})`,
  );
}

function round(x: number, digits = 1): number {
  return Number(x.toFixed(digits));
}

/** A side's best figure at each thread count, as text: "1t 90.3 / 2t 62.9". */
function threadsText(m: Map<number, number>, digits = 1): string {
  return [...m].map(([t, v]) => `${t}t ${v.toFixed(digits)}`).join(' / ');
}

/** A side's best figure at each thread count, {threads: value}. */
function byThreads(m: Map<number, number>, digits = 1): Record<number, number> {
  return Object.fromEntries([...m].map(([t, v]) => [t, round(v, digits)]));
}

try {
  for (const name of opts.configs.split(',').filter(Boolean)) await compareTraining(name);
  for (const preset of opts.decode.split(',').filter(Boolean)) await compareDecode(preset);
} finally {
  await rm(dir, { recursive: true, force: true });
}

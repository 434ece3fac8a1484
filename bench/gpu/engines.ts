/**
 * The device check's benchmarks, one engine and shape per child process (tfjs backends are
 * process-global, and a process's peak memory is its own): bench:train's step and bench:decode's
 * greedy decoding with the KV cache, each child printing one JSON line.
 */
import { spawnSync } from 'node:child_process';
import { type BackendName, initBackend } from '@memgen/tensor';
import { BENCH_CONFIGS } from '../bench-args.js';
import { decodePrompts, measureDecode, measureTrain } from '../measure.js';

export interface TrainRow {
  kind: 'train';
  backend: string;
  config: string;
  ms: number;
  tokensPerS: number;
  gflops: number;
  losses: number[];
}

export interface DecodeRow {
  kind: 'decode';
  backend: string;
  config: string;
  tokensPerS: number;
}

export type EngineRow =
  | TrainRow
  | DecodeRow
  | { kind: 'failed'; backend: string; config: string; why: string };

/** Runs one measurement in this process (the child's side) and prints it as one JSON line. */
export async function runChild(args: string[]): Promise<void> {
  const [what, backend, config, a, b] = args as [string, BackendName, string, string, string];
  await initBackend({ backend, log: false });
  if (what === 'train') {
    const m = measureTrain(config, Number(a));
    const row: TrainRow = {
      kind: 'train',
      backend,
      config,
      ms: m.ms,
      tokensPerS: (m.tokens * 1000) / m.ms,
      gflops: m.flops / (m.ms * 1e6),
      losses: m.losses,
    };
    process.stdout.write(`${JSON.stringify(row)}\n`);
    return;
  }
  const prompts = decodePrompts(Number(a), 32, 5);
  const tokensPerS = measureDecode(config, prompts, Number(b), { useCache: true, repeats: 3 });
  process.stdout.write(
    `${JSON.stringify({ kind: 'decode', backend, config, tokensPerS } satisfies DecodeRow)}\n`,
  );
}

/** Runs `args` in a child process of this script; its last JSON line, or why there is none. */
export function inChild(args: string[], timeoutS: number): EngineRow {
  const [, backend = '', config = ''] = args;
  const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, '--child', ...args], {
    encoding: 'utf8',
    timeout: Math.round(timeoutS * 1000),
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = r.stdout
    ?.split('\n')
    .reverse()
    .find((l) => l.startsWith('{"kind"'));
  if (r.status === 0 && line) return JSON.parse(line) as EngineRow;
  const why = r.error
    ? r.error.message
    : ((r.stderr || r.stdout || '').split('\n').find((l) => /Error|error:/.test(l)) ?? `exit ${r.status}`);
  return { kind: 'failed', backend, config, why: why.trim().slice(0, 200) };
}

/**
 * Whether webgpu can hold a config's tied embedding in one storage binding (lavapipe binds at most
 * 128 MiB; the GPT-2 vocabulary's embedding at width 768 is 154 MB). @returns why not, or undefined
 */
export function bindingShortfall(config: string, maxBinding: number): string | undefined {
  const c = BENCH_CONFIGS[config];
  const width: Record<string, number> = { 'gpt2-small': 768, 'gpt2-medium': 1024 };
  if (!c || !width[c.preset]) return undefined;
  const bytes = c.vocab * width[c.preset]! * 4;
  return bytes > maxBinding
    ? `the embedding (${(bytes / 2 ** 20).toFixed(0)} MiB) exceeds the adapter's storage binding limit (${(maxBinding / 2 ** 20).toFixed(0)} MiB)`
    : undefined;
}

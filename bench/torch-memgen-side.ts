/**
 * memgen's side of bench:torch, in a process of its own so MEMGEN_THREADS (read when the backend
 * starts) sets its thread count. Argument: JSON {mode: 'train' | 'decode', config, steps, …}; prints
 * one JSON line.
 */
import { initBackend } from '@memgen/tensor';
import { decodePrompts, measureDecode, measureTrain } from './measure.js';

type SideJob =
  | { mode: 'train'; config: string; steps: number }
  | { mode: 'decode'; preset: string; promptLen: number; newTokens: number; batch: number; repeats: number };

const job = JSON.parse(process.argv[2] ?? '{}') as SideJob;
await initBackend({ log: false });
if (job.mode === 'train') {
  const m = measureTrain(job.config, job.steps);
  process.stdout.write(`${JSON.stringify({ ms: m.ms, losses: m.losses, peak_rss_mb: m.peakRssMb })}\n`);
} else if (job.mode === 'decode') {
  // Equal-length prompts: the PyTorch twin decodes without padding.
  const prompts = decodePrompts(job.batch, job.promptLen, 1);
  const rate = measureDecode(job.preset, prompts, job.newTokens, { useCache: true, repeats: job.repeats });
  process.stdout.write(`${JSON.stringify({ tokens_per_s: rate })}\n`);
} else {
  throw new Error(`torch-memgen-side: unknown job ${process.argv[2]}`);
}

/**
 * `memgen compare RUN...` — consistency across runs (docs/method.md §8): for every pair of run directories
 * (seeds of one task, or tasks at the same model size), Dice of the top-N |r| masks beside random
 * masks (uniform and layer-matched) and Spearman's ρ of the NMD vectors beside random neuron order;
 * with `--steer`, each run steered with another task's run's coordinates beside its own and the
 * matched control. Prints Markdown; `--out` also writes the numbers as JSON.
 */
import { writeFileSync } from 'node:fs';
import { checkLimit, parseSeed } from '@memgen/common';
import { compareRuns, comparisonMarkdown } from '@memgen/pipeline';
import { initBackend } from '@memgen/tensor';
import type { Command } from 'commander';

interface CompareOptions {
  top: string;
  draws: string;
  seed: string;
  out?: string;
  includeEmbedding?: boolean;
  steer?: boolean;
}

function fractions(value: string): number[] {
  const list = value.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((f) => !(f > 0 && f <= 1))) {
    throw new Error(`--top: expected fractions in (0, 1] separated by commas, got ${JSON.stringify(value)}`);
  }
  return list;
}

function integer(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) {
    throw new Error(`${flag}: expected an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return n;
}

export async function compareCommand(runs: string[], o: CompareOptions): Promise<void> {
  const draws = integer(o.draws, '--draws', 1);
  checkLimit('draws', draws, '--draws');
  // Steering decodes the runs' models; the statistics alone need no tensor backend.
  if (o.steer) await initBackend();
  const comparison = await compareRuns(runs, {
    topFractions: fractions(o.top),
    randomDraws: draws,
    nullDraws: draws,
    seed: parseSeed(o.seed, '--seed'),
    excludeEmbedding: !o.includeEmbedding,
    ...(o.steer ? { steer: { study: { seed: parseSeed(o.seed, '--seed') } } } : {}),
  });
  process.stdout.write(`${comparisonMarkdown(comparison)}\n`);
  if (o.out) writeFileSync(o.out, `${JSON.stringify(comparison, null, 2)}\n`);
}

export function registerCompareCommand(program: Command): void {
  program
    .command('compare')
    .description('compare the neuron statistics of several runs (seeds, or tasks at the same model size)')
    .argument('<runs...>', 'run directories (each with stats.safetensors)')
    .option('--top <fractions>', 'top-N fractions of the masks, comma-separated', '0.05,0.1')
    .option('--draws <n>', 'random draws of each baseline', '1000')
    .option('--seed <n>', 'seed of the random baselines', '0')
    .option('--include-embedding', 'rank the embedding row too (excluded by default)')
    .option(
      '--steer',
      "also steer each run with every other task's run's coordinates, beside its own and the matched control (--seed draws the steering set)",
    )
    .option('--out <file>', 'also write the comparison as JSON')
    .action(async (runs: string[], o: CompareOptions) => compareCommand(runs, o));
}

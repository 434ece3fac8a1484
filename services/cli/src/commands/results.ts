/**
 * `memgen results SWEEP_DIR... --out docs/results` — the results book: results.md (tables and
 * figures per task × size, mean ± sd over the qualified seeds and each seed, beside the paper's
 * numbers) and results.json (`runs`, one entry per task × size × seed, and the groups), made from
 * the sweep directories alone, with `--comparisons` compare's files and `--probes` training runs'
 * curves in sections of their own;
 * `--archive` keeps what it read of them beside the book.
 */
import { join } from 'node:path';
import {
  archiveComparisons,
  archiveProbe,
  archiveSweep,
  refuseOutInside,
  writeResultsBook,
} from '@memgen/coordinator';
import type { Command } from 'commander';

interface ResultsOptions {
  out: string;
  archive?: boolean;
  comparisons?: string[];
  probes?: string[];
}

/**
 * With `archive`, each sweep's book sources are first copied to OUT/sweeps/<sweepId> and the book is
 * made from those copies, under the command that remakes it from them.
 */
export async function resultsCommand(dirs: string[], o: ResultsOptions): Promise<void> {
  await refuseOutInside(o.out, [...dirs, ...(o.probes ?? [])]);
  const sources = [];
  for (const dir of dirs) sources.push(o.archive ? await archiveSweep(dir, join(o.out, 'sweeps')) : dir);
  const given = o.comparisons ?? [];
  const comparisons = o.archive ? await archiveComparisons(given, join(o.out, 'comparisons')) : given;
  const probes = [];
  for (const dir of o.probes ?? [])
    probes.push(o.archive ? await archiveProbe(dir, join(o.out, 'probes')) : dir);
  const command =
    `memgen results ${sources.join(' ')} --out ${o.out}` +
    (comparisons.length > 0 ? ` --comparisons ${comparisons.join(' ')}` : '') +
    (probes.length > 0 ? ` --probes ${probes.join(' ')}` : '');
  const { book, figures, notes } = await writeResultsBook(sources, o.out, command, { comparisons, probes });
  for (const line of notes) process.stderr.write(`memgen results: ${line}\n`);
  const qualified = book.runs.filter((r) => r.qualified === true).length;
  process.stdout.write(
    `memgen results: ${book.runs.length} runs (${qualified} qualified) in ${book.groups.length} group(s), ` +
      `${figures.length} figures → ${o.out}/results.md, ${o.out}/results.json\n`,
  );
}

export function registerResultsCommand(program: Command): void {
  program
    .command('results')
    .description('write the results book (results.md, results.json, figures/) from sweep directories')
    .argument('<sweeps...>', 'sweep output directories (each with sweep.json and runs/)')
    .option('--out <dir>', 'output directory', 'docs/results')
    .option(
      '--archive',
      "keep each sweep's book sources (sweep.json, runs' results, summaries, curves) in OUT/sweeps/, the comparisons in OUT/comparisons/ and the probes' in OUT/probes/",
    )
    .option('--comparisons <files...>', 'memgen compare --out files, shown in a section of their own')
    .option('--probes <dirs...>', 'memgen train --out directories: curriculum probes, with their curves')
    .action(async (dirs: string[], o: ResultsOptions) => resultsCommand(dirs, o));
}

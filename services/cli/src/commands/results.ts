/**
 * `memgen results SWEEP_DIR... --out docs/results` — the results book: results.md (tables and
 * figures per task × size, mean ± sd over the qualified seeds and each seed, beside the paper's
 * numbers) and results.json (`runs`, one entry per task × size × seed, and the groups), made from
 * the sweep directories alone.
 */
import { writeResultsBook } from '@memgen/coordinator';
import type { Command } from 'commander';

export async function resultsCommand(dirs: string[], o: { out: string }): Promise<void> {
  const command = `memgen results ${dirs.join(' ')} --out ${o.out}`;
  const { book, figures } = await writeResultsBook(dirs, o.out, command);
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
    .action(async (dirs: string[], o: { out: string }) => resultsCommand(dirs, o));
}

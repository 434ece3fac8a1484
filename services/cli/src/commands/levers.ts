/** `memgen levers --spec FILE --out DIR`: a lever study (levers × sizes × seeds), resumable cell by cell. */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSpecText, writeFileAtomic, writeJson } from '@memgen/common';
import {
  expandLevers,
  type LeverCell,
  type LeverRow,
  leverTable,
  readLeverRow,
  trainStage,
} from '@memgen/pipeline';
import { initBackend } from '@memgen/tensor';
import type { Command } from 'commander';
import { progressView } from '../progress.js';

interface LeverOptions {
  spec: string;
  out: string;
  only?: string;
}

async function writeTable(out: string, cells: LeverCell[], spec: string): Promise<LeverRow[]> {
  const rows = await Promise.all(cells.map((c) => readLeverRow(out, c)));
  const seeds = [...new Set(cells.map((c) => c.seed))];
  await writeJson(join(out, 'levers.json'), { spec, rows });
  await writeFileAtomic(join(out, 'levers.md'), leverTable(rows, seeds));
  return rows;
}

export function registerLeversCommand(program: Command): void {
  program
    .command('levers')
    .description(
      'train one spec changed one factor at a time, at several sizes and seeds; table the mastery steps',
    )
    .requiredOption('--spec <file>', 'lever study (JSON or YAML): base, sizes, seeds, levers')
    .requiredOption('--out <dir>', 'study directory: cells/<lever>/<size>-s<seed>/, levers.json, levers.md')
    .option('--only <lever>', 'train the cells of this lever only (the table still lists every cell)')
    .action(async (o: LeverOptions) => {
      const cells = expandLevers(parseSpecText(readFileSync(o.spec, 'utf8'), 'lever spec'));
      if (o.only !== undefined && !cells.some((c) => c.lever === o.only))
        throw new Error(`--only ${o.only}: no such lever in ${o.spec}`);
      await mkdir(o.out, { recursive: true });
      await initBackend();
      for (const cell of cells) {
        if (o.only !== undefined && cell.lever !== o.only) continue;
        if ((await readLeverRow(o.out, cell)).phases) continue;
        const view = progressView();
        try {
          await trainStage(cell.train, {
            runDir: join(o.out, cell.dir),
            progress: (p) => view.update(p),
            log: () => {},
          });
        } finally {
          view.stop();
        }
        await writeTable(o.out, cells, o.spec);
        process.stdout.write(`${cell.lever} ${cell.size} seed ${cell.seed} done\n`);
      }
      const rows = await writeTable(o.out, cells, o.spec);
      const open = rows.filter((r) => !r.phases).length;
      process.stdout.write(
        `${join(o.out, 'levers.md')}: ${rows.length - open} of ${rows.length} cells trained\n`,
      );
    });
}

/**
 * A sweep's book sources: the few small files of a sweep directory that the results book reads
 * (sweep.json, and per run results.json, train/summary.json, train/curve.jsonl), copied into a
 * directory of the same layout. `memgen results --archive` keeps them beside the book, so the book
 * can be made again from the repository alone after the sweep directory (checkpoints, artefacts) is
 * gone; the copy is itself a sweep directory as far as the book is concerned.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseWith, readJson } from '@memgen/common';
import { expandSweep } from '../plan.js';
import { parseSweepSpec } from '../sweep-spec.js';
import { sweepFileSchema } from './book-runs.js';

/** The files of a run directory the book reads, relative to it. */
export const BOOK_RUN_FILES = ['results.json', 'train/summary.json', 'train/curve.jsonl'] as const;

/**
 * Copies the book's sources of `sweepDir` to `archiveRoot/<sweepId>` (replacing an earlier copy of
 * the same sweep) and returns that directory.
 * @throws Error naming the directory when it has no readable sweep.json
 */
export async function archiveSweep(sweepDir: string, archiveRoot: string): Promise<string> {
  const path = join(sweepDir, 'sweep.json');
  if (!existsSync(path)) throw new Error(`${sweepDir}: no sweep.json (not a sweep directory)`);
  const sweep = parseWith(sweepFileSchema, await readJson(path), path);
  const out = join(archiveRoot, sweep.sweepId);
  const copy = async (rel: string) => {
    await mkdir(dirname(join(out, rel)), { recursive: true });
    await copyFile(join(sweepDir, rel), join(out, rel));
  };
  // Archiving an archive in place must not remove it before reading it.
  if (resolve(sweepDir) === resolve(out)) return out;
  await rm(out, { recursive: true, force: true });
  await copy('sweep.json');
  for (const unit of expandSweep(parseSweepSpec(sweep.spec))) {
    for (const f of BOOK_RUN_FILES) {
      const rel = join('runs', unit.runId, f);
      if (existsSync(join(sweepDir, rel))) await copy(rel);
    }
  }
  return out;
}

/**
 * A sweep's book sources: the few small files of a sweep directory that the results book reads
 * (sweep.json, and per run results.json, train/summary.json, train/curve.jsonl) with the run's
 * stage records they are verified against, copied into a directory of the same layout with a
 * manifest (`archive.json`: every copied file's SHA-256). `memgen results --archive` keeps them
 * beside the book, so the book can be made again, and verified, from the repository alone after the
 * sweep directory (checkpoints, artefacts) is gone; the copy is itself a sweep directory as far as
 * the book is concerned. Every file is verified before it is copied (book-sources.ts), so nothing
 * from outside the sweep, and nothing its records do not vouch for, reaches the book.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileDigest, writeJson } from '@memgen/common';
import { expandSweep } from '../plan.js';
import { parseSweepSpec } from '../sweep-spec.js';
import { ARCHIVE_FORMAT, ARCHIVE_MANIFEST, type ArchiveManifest, SweepSources } from './book-sources.js';

/** The files of a run directory the book reads, relative to it. */
export const BOOK_RUN_FILES = ['results.json', 'train/summary.json', 'train/curve.jsonl'] as const;

/** The files of `sources` an archive keeps (paths inside the sweep), each verified. */
async function archivedFiles(sources: SweepSources): Promise<string[]> {
  const files = ['sweep.json'];
  for (const unit of expandSweep(parseSweepSpec(sources.sweep.spec))) {
    for (const f of BOOK_RUN_FILES)
      if ((await sources.runFile(unit.runId, f)) !== null) files.push(`runs/${unit.runId}/${f}`);
    files.push(...(await sources.runRecords(unit.runId)));
  }
  return files;
}

/**
 * Copies the book's sources of `sweepDir` to `archiveRoot/<sweepId>` (replacing an earlier copy of
 * the same sweep), writes its manifest and returns that directory.
 * @throws Error naming the directory when it is not a sweep, or the file that fails verification
 */
export async function archiveSweep(sweepDir: string, archiveRoot: string): Promise<string> {
  const sources = await SweepSources.open(sweepDir);
  const out = join(archiveRoot, sources.sweep.sweepId);
  // Archiving an archive in place must not remove it before reading it.
  if (resolve(sweepDir) === resolve(out)) return out;
  const files = await archivedFiles(sources);
  await rm(out, { recursive: true, force: true });
  const manifest: ArchiveManifest = { format: ARCHIVE_FORMAT, sweepId: sources.sweep.sweepId, files: {} };
  for (const rel of files) {
    await mkdir(dirname(join(out, rel)), { recursive: true });
    await copyFile(join(sweepDir, rel), join(out, rel));
    manifest.files[rel] = await fileDigest(join(out, rel));
  }
  await writeJson(join(out, ARCHIVE_MANIFEST), manifest);
  // The copies against the copied records: a source that changed while it was copied is caught here.
  await archivedFiles(await SweepSources.open(out));
  return out;
}

/**
 * Comparisons across runs in the results book: the JSON files `memgen compare --out` writes (Dice of
 * the top-N masks beside uniform and layer-matched random masks, Spearman ρ of NMD, and with
 * `--steer` each run steered with another task's run's coordinates). The book shows each file as
 * compare prints it; nothing is recomputed.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseWith, readJson } from '@memgen/common';
import { comparisonMarkdown, type RunComparison } from '@memgen/pipeline';
import { z } from 'zod';

/** The fields the book relies on; the rest of compare's JSON is kept as it is. */
const comparisonFileSchema = z.looseObject({
  runs: z
    .array(
      z.looseObject({
        dir: z.string(),
        task: z.string().nullable(),
        seed: z.number().nullable(),
        pairs: z.number().nullable(),
      }),
    )
    .min(2),
  comparisons: z.array(z.looseObject({ a: z.number(), b: z.number(), overlaps: z.array(z.looseObject({})) })),
  excludedSites: z.array(z.string()),
  steering: z.array(z.looseObject({ from: z.number(), to: z.number() })).default([]),
});

export interface BookComparison {
  /** The file's name (its archived copy's name under comparisons/). */
  file: string;
  comparison: RunComparison;
}

/**
 * Reads compare's JSON files.
 * @throws Error naming a file that is missing or not a comparison
 */
export async function readComparisons(paths: readonly string[]): Promise<BookComparison[]> {
  const out: BookComparison[] = [];
  for (const path of paths) {
    if (!existsSync(path))
      throw new Error(`${path}: no such comparison file (write one with memgen compare --out)`);
    const comparison = parseWith(
      comparisonFileSchema,
      await readJson(path),
      path,
    ) as unknown as RunComparison;
    out.push({ file: basename(path), comparison });
  }
  return out;
}

/**
 * Copies comparison files into `archiveRoot` and returns the copies' paths.
 * @throws Error when two files share a name (their copies would overwrite each other)
 */
export async function archiveComparisons(paths: readonly string[], archiveRoot: string): Promise<string[]> {
  const names = paths.map((p) => basename(p));
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new Error(`two comparison files are named ${twice}: rename one before archiving`);
  await mkdir(archiveRoot, { recursive: true });
  const copies: string[] = [];
  for (const path of paths) {
    const copy = join(archiveRoot, basename(path));
    if (resolve(copy) !== resolve(path)) await copyFile(path, copy);
    copies.push(copy);
  }
  return copies;
}

/** The book's section of comparisons, one subsection per file. */
export function comparisonsSection(comparisons: readonly BookComparison[]): string {
  return [
    '## Across runs: seeds and tasks (memgen compare)',
    ...comparisons.map((c) => `### ${c.file}\n\n${comparisonMarkdown(c.comparison)}`),
  ].join('\n\n');
}

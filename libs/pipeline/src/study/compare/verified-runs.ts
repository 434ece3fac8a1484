/**
 * What `memgen compare` reads of each run, verified first (../../chain/verify.ts): the statistics
 * only when `stages/stats.json` holds their digest and that record is still the run's chain, the
 * pairs record and training config likewise; two directories that are one run (the same path, or
 * the same statistics) are refused, since a run compared with itself agrees with itself by
 * construction; a file that cannot be read fails naming the file.
 */
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { readJson } from '@memgen/common';
import { RunVerifier } from '../../chain/verify.js';
import type { PairsResult } from '../pairs/stage.js';
import { STATS_FILES } from '../stats/files.js';
import { readStatistics, type SiteStatistics, type StudyStatistics } from '../stats/stats-file.js';

/** The stages whose files `memgen compare --steer` decodes with (model, pairs, activations, statistics, probes). */
const STEERING_SOURCES = ['train', 'pairs', 'record', 'stats', 'probes'] as const;

export interface VerifiedRun {
  dir: string;
  verifier: RunVerifier;
  stats: SiteStatistics;
  /** SHA-256 of stats.safetensors, as its record holds it. */
  statsDigest: string;
}

/** Reads a verified statistics file, naming it when it cannot be read. */
async function statisticsAt(path: string): Promise<StudyStatistics> {
  try {
    return await readStatistics(path);
  } catch (err) {
    const message = (err as Error).message;
    throw new Error(message.includes(path) ? message : `${path}: ${message}`);
  }
}

/** One run's verified statistics. @throws Error naming the run or the file */
async function verifiedRun(dir: string): Promise<VerifiedRun> {
  if (!existsSync(join(dir, STATS_FILES.stats)))
    throw new Error(`${dir} has no ${STATS_FILES.stats}: run the study there first`);
  const verifier = new RunVerifier(dir);
  const path = await verifier.file(STATS_FILES.stats);
  const statsDigest = (await verifier.record('stats')).outputs[STATS_FILES.stats]!;
  return { dir, verifier, stats: (await statisticsAt(path)).resid, statsDigest };
}

/**
 * Every run's verified statistics, in order.
 * @throws Error when two of `dirs` are one run, or a run's statistics are missing or not its chain's
 */
export async function verifiedRuns(dirs: readonly string[]): Promise<VerifiedRun[]> {
  const real = await Promise.all(dirs.map((d) => realpath(d).catch(() => d)));
  real.forEach((r, i) => {
    const first = real.indexOf(r);
    if (first !== i)
      throw new Error(`${dirs[first]} and ${dirs[i]} are the same run: compare needs different runs`);
  });
  const runs: VerifiedRun[] = [];
  for (const dir of dirs) runs.push(await verifiedRun(dir));
  runs.forEach((r, i) => {
    const twin = runs.findIndex((o) => o.statsDigest === r.statsDigest);
    if (twin !== i) {
      throw new Error(
        `${runs[twin]!.dir} and ${r.dir} hold the same ${STATS_FILES.stats} (one SHA-256): a run compared with itself`,
      );
    }
  });
  return runs;
}

/** The run's pairs summary and training seed, from verified files (null where the run has none). */
export async function verifiedIdentity(
  run: VerifiedRun,
): Promise<{ pairs: PairsResult | null; seed: number | null }> {
  const v = run.verifier;
  const pairs = (await v.has('pairs')) ? (await v.record<PairsResult>('pairs')).result : null;
  const file = 'checkpoint/train_config.json';
  if (!(await v.has('train')) || !existsSync(join(run.dir, file))) return { pairs, seed: null };
  const training = await readJson<{ config?: { seed?: unknown } }>(await v.file(file));
  const seed = training.config?.seed;
  return { pairs, seed: typeof seed === 'number' ? seed : null };
}

/** Verifies every file `--steer` decodes a run with, before its model is opened. */
export async function verifySteeringSources(run: VerifiedRun): Promise<void> {
  for (const stage of STEERING_SOURCES) if (await run.verifier.has(stage)) await run.verifier.outputs(stage);
}

/**
 * One job, start to finish, on any artefact store: materialise its inputs into a fresh run
 * directory (each verified by SHA-256), run it, store what it produced under `jobs/<id>/`, and
 * remove the directory. Outputs are content-addressed by job id, so a redelivered job rewrites the
 * same names with the same bytes and the store skips them: no duplicate artefacts.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ArtefactRef, isPermanentJobError, type JobMessage, PermanentJobError } from '@memgen/bus';
import { resolveInside } from '@memgen/common';
import type { MetricsSink, Progress } from '@memgen/pipeline';
import { attemptDirPrefix } from './attempt-dirs.js';
import type { ArtefactIO } from './fs-artefacts.js';
import { jobPrefix } from './plan.js';
import { runSweepJob } from './sweep-job.js';

export interface ExecuteOptions {
  /** Where the temporary run directory goes (default the OS temp dir). */
  workRoot?: string;
  log: (line: string) => void;
  progress?: (p: Progress) => void;
  signal?: AbortSignal;
  /**
   * Hold the paths a spec names (model.init) inside the job's run directory (default true): a
   * worker's own files are not the job author's to read. Only the local pool, running the user's
   * own sweep on the user's machine, turns it off.
   */
  confined?: boolean;
  /**
   * The job's own directory, kept when an attempt fails or is killed so the next attempt resumes
   * there (training from its train/state); removed once the outputs are stored. Default: a fresh
   * temporary directory under workRoot named with this process's pid (attempt-dirs.ts), removed
   * after every attempt.
   */
  resumeDir?: string;
  /** Where the stages report what they measure. */
  metrics?: MetricsSink;
}

const INPUT_NAME = /^jobs\/[0-9a-f]{64}\/(.+)$/;

/** The path inside a run directory of an input artefact `jobs/<id>/<path>`. */
export function runPathOf(ref: ArtefactRef): string {
  const match = INPUT_NAME.exec(ref.name);
  if (!match)
    throw new PermanentJobError(`input ${JSON.stringify(ref.name)} is not named jobs/<job id>/<path>`);
  return match[1]!;
}

/**
 * Downloads every ref into `dir` at its run path, verified against the ref's digest.
 * @throws PermanentJobError for a run path that would land outside `dir` (`..`, absolute)
 */
export async function materialiseRun(
  io: ArtefactIO,
  refs: readonly ArtefactRef[],
  dir: string,
): Promise<void> {
  for (const ref of refs) {
    const target = resolveInside(dir, runPathOf(ref));
    if (target === undefined)
      throw new PermanentJobError(
        `input ${JSON.stringify(ref.name)} would be written outside the run directory`,
      );
    await io.getToFile(ref, target);
  }
}

/**
 * Runs `job` and returns the references of its stored outputs (sorted by name).
 * @throws ArtefactMissingError / ArtefactDigestError / PermanentJobError (bad input: never retried);
 *   any other error from the stage (transient: retried).
 */
export async function executeJob(
  job: JobMessage,
  io: ArtefactIO,
  options: ExecuteOptions,
): Promise<ArtefactRef[]> {
  const dir =
    options.resumeDir === undefined
      ? await mkdtemp(attemptDirPrefix(options.workRoot ?? tmpdir(), job.stage))
      : options.resumeDir;
  await mkdir(dir, { recursive: true });
  let done = false;
  try {
    await materialiseRun(io, job.inputs, dir);
    const files = await runSweepJob(job, {
      runDir: dir,
      log: options.log,
      ...(options.progress ? { progress: options.progress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      confined: options.confined ?? true,
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
    const outputs: ArtefactRef[] = [];
    for (const file of files) outputs.push(await io.putFile(`${jobPrefix(job.id)}/${file}`, join(dir, file)));
    done = true;
    return outputs;
  } catch (error) {
    // Bad input is never retried: nothing to resume.
    if (isPermanentJobError(error)) done = true;
    throw error;
  } finally {
    if (done || options.resumeDir === undefined) await rm(dir, { recursive: true, force: true });
  }
}

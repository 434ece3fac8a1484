/**
 * Local mode: jobs run in LocalWorkerPool processes, artefacts live in a FileArtefactStore and job
 * states in JSON files, all under `<out>/.memgen/`, so rerunning a sweep into the same directory
 * reuses every finished job.
 */

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtefactRef, JobMessage } from '@memgen/bus';
import { parseWith, readJson, writeJson } from '@memgen/common';
import { materialiseRun } from './execute-job.js';
import { FileArtefactStore } from './fs-artefacts.js';
import { type JobState, JobStateSchema } from './job-state.js';
import { LocalWorkerPool } from './local-pool.js';
import { reuseVerdict } from './reuse.js';
import type { SweepBackend, SweepProgress } from './sweep.js';

/** The directory of a local sweep's store and state inside its output directory. */
export function localStateDir(outDir: string): string {
  return join(outDir, '.memgen');
}

export class LocalSweepBackend implements SweepBackend {
  readonly store: FileArtefactStore;
  readonly pool: LocalWorkerPool;
  private readonly stateDir: string;

  constructor(
    outDir: string,
    options: { workers?: number; maxAttempts?: number; log?: (line: string) => void } = {},
  ) {
    this.stateDir = localStateDir(outDir);
    this.store = new FileArtefactStore(join(this.stateDir, 'artefacts'));
    this.pool = new LocalWorkerPool({
      storeRoot: this.store.root,
      workRoot: join(this.stateDir, 'work'),
      ...(options.workers === undefined ? {} : { workers: options.workers }),
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      ...(options.log ? { log: options.log } : {}),
    });
  }

  private statePath(jobId: string): string {
    return join(this.stateDir, 'jobs', `${jobId}.json`);
  }

  async lookup(job: JobMessage): Promise<JobState | null> {
    const path = this.statePath(job.id);
    if (!existsSync(path)) return null;
    const state = parseWith(JobStateSchema, await readJson(path), `${path}: invalid job state`);
    const verdict = await reuseVerdict(job, state, (ref) => this.store.holds(ref), { unhashed: 'accept' });
    return verdict.reuse ? state : null;
  }

  async execute(job: JobMessage): Promise<JobState> {
    await mkdir(join(this.stateDir, 'work'), { recursive: true });
    const state = await this.pool.run(job);
    await mkdir(join(this.stateDir, 'jobs'), { recursive: true });
    await writeJson(this.statePath(job.id), state);
    return state;
  }

  fetch(refs: readonly ArtefactRef[], dir: string): Promise<void> {
    return materialiseRun(this.store, refs, dir);
  }

  async progress(progress: SweepProgress): Promise<void> {
    await mkdir(this.stateDir, { recursive: true });
    await writeJson(join(this.stateDir, 'progress.json'), progress);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

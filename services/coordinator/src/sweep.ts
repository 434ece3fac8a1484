/**
 * The coordinator's scheduling, independent of transport: every unit's chain of jobs runs as its
 * inputs complete (units in parallel, as many at once as the backend has workers). A job whose
 * recorded state is 'done' with its outputs still stored is not run again, so a restarted sweep
 * resumes where it stopped. At the end each unit's artefacts are gathered into
 * `<out>/runs/<runId>/` and `<out>/sweep.json` and `<out>/results.json` are written.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtefactRef, JobMessage } from '@memgen/bus';
import { configHash } from '@memgen/common';
import { JOB_GROUPS } from '@memgen/pipeline';
import type { JobState } from './job-state.js';
import { expandSweep, type SweepUnit, unitJob } from './plan.js';
import { collectResults, type GroupResult } from './results.js';
import type { SweepSpec } from './sweep-spec.js';

/** How a sweep reaches its workers and its state (local processes or NATS). */
export interface SweepBackend {
  /** The recorded state of a job when it is done and its outputs are all still stored, else null. */
  lookup(job: JobMessage): Promise<JobState | null>;
  /**
   * Runs (or waits for) a job until it is done or dead, and records that. Never rejects for job
   * failures. `observe` is told, in words, what the job waits for whenever the backend looks.
   */
  execute(job: JobMessage, observe?: (waitingFor: string) => void): Promise<JobState>;
  /** Copies artefacts into a run directory (`jobs/<id>/<path>` → `<dir>/<path>`), verified. */
  fetch(refs: readonly ArtefactRef[], dir: string): Promise<void>;
  /** Publishes live progress (for `memgen status`). */
  progress?(progress: SweepProgress): Promise<void>;
}

export interface JobEntry {
  id: string;
  runId: string;
  stage: string;
  state: 'pending' | 'running' | 'done' | 'dead';
  attempts: number;
  /** True when a recorded result was reused instead of running the job. */
  reused: boolean;
  /** While running: what it waits for, in words (`memgen status`; never in sweep.json). */
  waitingFor?: string;
}

export interface SweepProgress {
  sweepId: string;
  units: number;
  jobsTotal: number;
  done: number;
  dead: number;
  running: { runId: string; stage: string; waitingFor?: string }[];
}

export interface SweepOutcome {
  sweepId: string;
  jobs: JobEntry[];
  results: GroupResult[];
  failed: Map<string, string>;
}

/** The sweep's id: hash of its validated spec (a rerun of the same spec is the same sweep). */
export function sweepIdOf(spec: SweepSpec): string {
  return configHash({ sweep: spec }).slice(0, 16);
}

function mergeRefs(into: ArtefactRef[], add: readonly ArtefactRef[]): ArtefactRef[] {
  const byName = new Map(into.map((r) => [r.name, r]));
  for (const ref of add) byName.set(ref.name, ref);
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** What every unit of one sweep shares while it runs. */
interface SweepRun {
  backend: SweepBackend;
  outDir: string;
  jobs: JobEntry[];
  failed: Map<string, string>;
  log: (line: string) => void;
  /** Publishes the sweep's progress (jobs done, dead, running). */
  report: () => Promise<void>;
}

/** A progress publisher over the job list as it stands; a failed publish is logged, never fatal. */
function progressReporter(
  backend: SweepBackend,
  sweepId: string,
  units: number,
  jobs: JobEntry[],
  log: (l: string) => void,
) {
  return async () => {
    await backend
      .progress?.({
        sweepId,
        units,
        jobsTotal: units * JOB_GROUPS.length,
        done: jobs.filter((j) => j.state === 'done').length,
        dead: jobs.filter((j) => j.state === 'dead').length,
        running: jobs
          .filter((j) => j.state === 'running')
          .map(({ runId, stage, waitingFor }) => ({ runId, stage, ...(waitingFor ? { waitingFor } : {}) })),
      })
      .catch((err: unknown) => log(`could not publish progress: ${(err as Error).message}`));
  };
}

/** One unit's jobs in order (each reused when its state is recorded), then its outputs fetched. */
async function runUnit(run: SweepRun, unit: SweepUnit): Promise<void> {
  const { backend, jobs, log } = run;
  let inputs: ArtefactRef[] = [];
  for (const group of JOB_GROUPS) {
    const job = unitJob(unit, group, inputs);
    const entry: JobEntry = {
      id: job.id,
      runId: unit.runId,
      stage: group,
      state: 'pending',
      attempts: 0,
      reused: false,
    };
    jobs.push(entry);
    let state = await backend.lookup(job);
    if (state) {
      entry.reused = true;
      log(`${unit.runId} ${group}: reusing job ${job.id.slice(0, 12)}`);
    } else {
      entry.state = 'running';
      await run.report();
      log(`${unit.runId} ${group}: running job ${job.id.slice(0, 12)}`);
      state = await backend.execute(job, (waitingFor) => {
        if (waitingFor === entry.waitingFor) return;
        entry.waitingFor = waitingFor;
        void run.report();
      });
      delete entry.waitingFor;
    }
    entry.state = state.state;
    entry.attempts = state.attempts;
    await run.report();
    if (state.state === 'dead') {
      run.failed.set(unit.runId, `${group} job ${job.id.slice(0, 12)}: ${state.reason ?? 'dead'}`);
      log(`${unit.runId} ${group}: dead: ${state.reason}`);
      return;
    }
    inputs = mergeRefs(inputs, state.outputs);
  }
  await backend.fetch(inputs, join(run.outDir, 'runs', unit.runId));
}

/**
 * Runs (or resumes) a sweep to its end and writes its files into `outDir`.
 * @throws Error only for a broken backend or file system; failed jobs are reported in sweep.json.
 */
export async function runSweep(
  spec: SweepSpec,
  backend: SweepBackend,
  options: { outDir: string; log?: (line: string) => void },
): Promise<SweepOutcome> {
  const log = options.log ?? (() => {});
  const units = expandSweep(spec);
  const sweepId = sweepIdOf(spec);
  const jobs: JobEntry[] = [];
  const failed = new Map<string, string>();
  const report = progressReporter(backend, sweepId, units.length, jobs, log);
  const run: SweepRun = { backend, outDir: options.outDir, jobs, failed, log, report };
  await mkdir(options.outDir, { recursive: true });
  await Promise.all(units.map((unit) => runUnit(run, unit)));
  const results = await collectResults(units, join(options.outDir, 'runs'), failed);
  await writeSweepFiles(options.outDir, spec, sweepId, jobs, results);
  return { sweepId, jobs, results, failed };
}

const STAGE_ORDER = new Map<string, number>(JOB_GROUPS.map((s, i) => [s, i]));

/** sweep.json and results.json: sorted, no timings, no host names. */
async function writeSweepFiles(
  outDir: string,
  spec: SweepSpec,
  sweepId: string,
  jobs: readonly JobEntry[],
  results: GroupResult[],
): Promise<void> {
  const sorted = [...jobs].sort(
    (a, b) =>
      (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0) ||
      (STAGE_ORDER.get(a.stage) ?? 0) - (STAGE_ORDER.get(b.stage) ?? 0),
  );
  const sweep = {
    sweepId,
    spec,
    jobs: sorted.map(({ id, runId, stage, state, attempts }) => ({ id, runId, stage, state, attempts })),
  };
  await writeFile(join(outDir, 'sweep.json'), `${JSON.stringify(sweep, null, 2)}\n`);
  await writeFile(join(outDir, 'results.json'), `${JSON.stringify({ sweepId, groups: results }, null, 2)}\n`);
}

/**
 * Sweep throughput in local mode on real jobs: the same sweep with 1 worker × 2 threads and with
 * 2 workers × 1 thread (fresh output directories), wall time, jobs/hour and the ratio, and whether
 * both gave byte-identical results, measured in one run. A third arm, 1 worker × 1 thread, splits the
 * ratio into its two factors: ratio = 2 × (two workers' efficiency) / (the second thread's speedup of
 * a whole job), so it says whether two workers lose time to each other or one worker gains from
 * its second thread; the jobs' own records (seconds per stage) then split the efficiency into jobs
 * running longer beside each other (shared cache, memory) and wall time outside jobs.
 *
 * Units: `quick` (default) is the color quick preset — its model, curriculum phases and study —
 * with every phase cut to --phase-steps steps; `tiny` is the integration tests' 3-second unit.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TRAIN_PRESETS } from '@memgen/pipeline';
import { Command } from 'commander';
import { JobStateSchema } from '../services/coordinator/src/job-state.js';
import type { SweepSpec } from '../services/coordinator/src/sweep-spec.js';
import { tinySweepSpec } from '../services/coordinator/src/testing/tiny-sweep.js';

const opts = new Command()
  .option('--units <kind>', 'quick (the color quick preset, phases cut short) or tiny', 'quick')
  .option('--seeds <list>', 'seeds of the sweep', '0,1')
  .option('--phase-steps <n>', 'training steps of every quick phase', '200')
  .option('--no-one-thread', 'skip the 1 worker × 1 thread arm')
  .option('--json', 'one JSON object')
  .allowExcessArguments(false)
  .parse(process.argv)
  .opts<{ units: string; seeds: string; phaseSteps: string; oneThread: boolean; json?: boolean }>();
const seeds = opts.seeds.split(',').map(Number);
const phaseSteps = Number(opts.phaseSteps);

/** The color quick preset with each phase `steps` long (no mastery extension), evaluated at its end. */
function quickSpec(): SweepSpec {
  const quick = TRAIN_PRESETS.color?.quick;
  if (!quick?.phases) throw new Error('TRAIN_PRESETS has no color quick preset');
  const phases = quick.phases.map(({ mastery: _, ...p }) => ({ ...p, steps: phaseSteps }));
  return { tasks: ['color'], presets: ['quick'], seeds, train: { phases, eval: { every: phaseSteps } } };
}

const spec = opts.units === 'tiny' ? tinySweepSpec(seeds) : opts.units === 'quick' ? quickSpec() : undefined;
if (!spec) throw new Error(`--units must be quick or tiny, got '${opts.units}'`);
const cli = fileURLToPath(new URL('../services/cli/bin/memgen.mjs', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'memgen-sweep-bench-'));
const specPath = join(dir, 'spec.json');
await writeFile(specPath, `${JSON.stringify(spec, null, 2)}\n`);
const cores = availableParallelism();
const env = { ...process.env };
// Each worker gets cores / workers threads (the local pool's default).
delete env.MEMGEN_THREADS;

/** Runs the sweep in a fresh directory; wall seconds and its results.json. */
async function sweep(name: string, workers: number, threads?: number) {
  const out = join(dir, name);
  const t0 = performance.now();
  const args = [cli, 'sweep', '--spec', specPath, '--out', out, '--workers', String(workers)];
  const armEnv = threads === undefined ? env : { ...env, MEMGEN_THREADS: String(threads) };
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], env: armEnv });
  if (r.status !== 0) throw new Error(`sweep ${name} (${workers} worker(s)) exited ${r.status}`);
  return {
    seconds: (performance.now() - t0) / 1000,
    results: await readFile(join(out, 'results.json'), 'utf8'),
    stageSeconds: await stageSeconds(out),
  };
}

/** Seconds the sweep's jobs ran (their own records, process start excluded), summed per stage. */
async function stageSeconds(out: string): Promise<Record<string, number>> {
  const jobs = join(out, '.memgen', 'jobs');
  const sums: Record<string, number> = {};
  for (const file of await readdir(jobs)) {
    const job = JobStateSchema.parse(JSON.parse(await readFile(join(jobs, file), 'utf8')));
    if (job.seconds === undefined) throw new Error(`${file}: the job record has no seconds`);
    sums[job.stage] = (sums[job.stage] ?? 0) + job.seconds;
  }
  return Object.fromEntries(Object.entries(sums).map(([stage, v]) => [stage, Number(v.toFixed(1))]));
}

const total = (stages: Record<string, number>) => Object.values(stages).reduce((a, b) => a + b, 0);

const one = await sweep('w1', 1);
const two = await sweep('w2', 2);
const serial = opts.oneThread ? await sweep('w1t1', 1, 1) : undefined;
const seconds: Record<number, number> = { 1: one.seconds, 2: two.seconds };
const results = [one.results, two.results, ...(serial ? [serial.results] : [])];
const jobs = seeds.length * 4;
const perHour = (s: number) => (jobs * 3600) / s;
const row = {
  units: opts.units,
  seeds,
  phase_steps: opts.units === 'quick' ? phaseSteps : null,
  jobs,
  one_worker_s: Number(seconds[1]!.toFixed(1)),
  two_workers_s: Number(seconds[2]!.toFixed(1)),
  one_worker_jobs_per_hour: Number(perHour(seconds[1]!).toFixed(1)),
  two_workers_jobs_per_hour: Number(perHour(seconds[2]!).toFixed(1)),
  ratio: Number((seconds[1]! / seconds[2]!).toFixed(2)),
  results_identical: results.every((r) => r === results[0]),
  one_thread_s: serial ? Number(serial.seconds.toFixed(1)) : null,
  /** One worker's whole-sweep speedup from its second thread. */
  thread_speedup: serial ? Number((serial.seconds / seconds[1]!).toFixed(2)) : null,
  /** Two single-thread workers against twice one: 1 = they cost each other nothing. */
  two_worker_efficiency: serial ? Number((serial.seconds / (2 * seconds[2]!)).toFixed(2)) : null,
  /** Job seconds per stage in each arm: where the arms' wall times differ. */
  stage_seconds: {
    one_worker: one.stageSeconds,
    two_workers: two.stageSeconds,
    one_thread: serial?.stageSeconds,
  },
  /** The same single-thread jobs beside another worker over alone: 1 = no contention. */
  job_stretch: serial ? Number((total(two.stageSeconds) / total(serial.stageSeconds)).toFixed(2)) : null,
  /** Wall time of two workers not spent in their jobs' own time (process starts, planning, idling). */
  two_workers_outside_jobs_s: Number((seconds[2]! - total(two.stageSeconds) / 2).toFixed(1)),
};
if (opts.json) process.stdout.write(`${JSON.stringify(row)}\n`);
else {
  process.stdout.write(
    `local sweep, ${seeds.length} ${opts.units} color units × 4 job groups = ${jobs} jobs, ${cores} cores:\n` +
      `  1 worker × ${cores} threads: ${row.one_worker_s} s (${row.one_worker_jobs_per_hour} jobs/h)\n` +
      `  2 workers × ${Math.max(1, Math.floor(cores / 2))} thread(s): ${row.two_workers_s} s (${row.two_workers_jobs_per_hour} jobs/h)\n` +
      (serial
        ? `  1 worker × 1 thread: ${row.one_thread_s} s — second thread's speedup ${row.thread_speedup}×, ` +
          `two workers' efficiency ${row.two_worker_efficiency} (their jobs ran ${row.job_stretch}× as long ` +
          `as alone; ${row.two_workers_outside_jobs_s} s of the wall time outside jobs)\n` +
          `  job seconds by stage: ${JSON.stringify(row.stage_seconds)}\n`
        : '') +
      `  ratio ${row.ratio}×; results identical: ${row.results_identical}\n`,
  );
}

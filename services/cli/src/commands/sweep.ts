/**
 * `memgen sweep --spec FILE --out DIR [--nats URL] [--workers N]`: tasks × presets × seeds as a
 * DAG of jobs. Without a NATS URL (flag or MEMGEN_NATS_URL) the jobs run in local worker processes
 * (default one per core) with their state under DIR/.memgen, so a rerun reuses finished jobs; with
 * one they go through JetStream to `memgen worker` processes anywhere, with state in KV.
 * DIR receives sweep.json, results.json and runs/<task>-<preset>-s<seed>/.
 */
import { ArtefactStore, connectBus, LEDGER_BUCKET, StateStore, termUnroutable, WorkQueue } from '@memgen/bus';
import {
  busConnectionOptions,
  LocalSweepBackend,
  loadSweepSpec,
  NatsSweepBackend,
  natsUrlFrom,
  positiveIntFrom,
  runSweep,
  type SweepOutcome,
} from '@memgen/coordinator';
import { JOB_GROUPS } from '@memgen/pipeline';
import type { Command } from 'commander';

interface SweepOptions {
  spec: string;
  out: string;
  nats?: string;
  creds?: string;
  workers?: string;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

function summary(outcome: SweepOutcome, out: string): string {
  const done = outcome.jobs.filter((j) => j.state === 'done').length;
  const reused = outcome.jobs.filter((j) => j.reused).length;
  const lines = [`sweep ${outcome.sweepId}: ${done}/${outcome.jobs.length} jobs done (${reused} reused)`];
  for (const [runId, reason] of outcome.failed) lines.push(`  FAILED ${runId}: ${reason}`);
  lines.push(`results: ${out}/results.json, jobs: ${out}/sweep.json`);
  return `${lines.join('\n')}\n`;
}

export async function sweepCommand(o: SweepOptions): Promise<SweepOutcome> {
  const spec = await loadSweepSpec(o.spec);
  const url = natsUrlFrom(o);
  let outcome: SweepOutcome;
  if (url === undefined) {
    const given = o.workers ?? process.env.MEMGEN_WORKERS;
    const workers = given === undefined ? {} : { workers: positiveIntFrom('--workers', given, 1) };
    const backend = new LocalSweepBackend(o.out, { ...workers, log });
    try {
      outcome = await runSweep(spec, backend, { outDir: o.out, log });
    } finally {
      await backend.close();
    }
  } else {
    const connection = busConnectionOptions(url, 'memgen-coordinator', o);
    const nc = await connectBus(connection);
    try {
      const replicas = connection.replicas ?? 1;
      const queue = await WorkQueue.open(nc, { replicas });
      const state = await StateStore.open(nc, { replicas });
      const unroutable = await termUnroutable(queue, state, JOB_GROUPS);
      if (unroutable.length > 0)
        log(
          `dead-lettered ${unroutable.length} job message(s) no stage serves: ${[...new Set(unroutable.map((m) => m.subject))].join(', ')}`,
        );
      const store = await ArtefactStore.open(nc, { replicas });
      const ledger = await StateStore.open(nc, { bucket: LEDGER_BUCKET, replicas });
      const startTimeoutS = positiveIntFrom(
        'MEMGEN_JOB_START_TIMEOUT_S',
        process.env.MEMGEN_JOB_START_TIMEOUT_S,
        600,
      );
      const backend = new NatsSweepBackend(queue, store, state, ledger, {
        log,
        watch: { startTimeoutMs: startTimeoutS * 1000 },
      });
      outcome = await runSweep(spec, backend, { outDir: o.out, log });
    } finally {
      await nc.close();
    }
  }
  process.stdout.write(summary(outcome, o.out));
  if (outcome.failed.size > 0) process.exitCode = 2;
  return outcome;
}

export function registerSweepCommand(program: Command): void {
  program
    .command('sweep')
    .description('run tasks × presets × seeds as a DAG of jobs (local worker processes, or NATS workers)')
    .requiredOption('--spec <file>', 'sweep spec, YAML or JSON: {tasks, presets, seeds, train?, study?}')
    .requiredOption('--out <dir>', 'output directory: sweep.json, results.json, runs/')
    .option('--nats <url>', 'NATS server URL (default $MEMGEN_NATS_URL; none = local mode)')
    .option('--creds <file>', 'NATS credentials file (default $MEMGEN_NATS_CREDS)')
    .option('--workers <n>', 'local mode: worker processes (default one per core)')
    .action(async (o: SweepOptions) => {
      await sweepCommand(o);
    });
}

/**
 * Running a sweep job on a NATS worker: executeJob against the Object Store, and the job's state
 * recorded in KV before the transport acks, so the coordinator (and a restarted one) sees it. A job
 * already recorded done is acknowledged without running again only when the coordinator's ledger
 * vouches for the record (ledgerVerdict): a record another worker login wrote is not trusted here
 * either.
 */
import type { ArtefactStore, JobHandler, StateStore } from '@memgen/bus';
import type { MetricsSink } from '@memgen/pipeline';
import { executeJob } from './execute-job.js';
import { holdsBytes, ledgerVerdict, readRecordAndLedger } from './job-ledger.js';
import { type JobState, JobStateSchema, jobStateBase, jobStateKey } from './job-state.js';

export interface StageWorkerDeps {
  store: ArtefactStore;
  state: StateStore;
  /** The coordinator's ledger (read only); without it no recorded job is reused. */
  ledger?: StateStore;
}

export interface StageWorkerOptions {
  /** Where temporary run directories go (default the OS temp dir). */
  workRoot?: string;
  /** Where the stages report what they measure (the worker's /metrics). */
  metrics?: MetricsSink;
  /** Told the bytes a job that ran read and produced (not called for a reused job). */
  onArtefactBytes?: (bytes: { in: number; out: number }) => void;
}

/** The job handler of a sweep stage worker. */
export function sweepJobHandler(deps: StageWorkerDeps, options: StageWorkerOptions = {}): JobHandler {
  return async (job, context) => {
    const key = jobStateKey(job.id);
    const { record, entry } = deps.ledger
      ? await readRecordAndLedger(deps.state, deps.ledger, job.id)
      : { record: null, entry: null };
    if (record) {
      const verdict = await ledgerVerdict(job, record, entry, (ref) => holdsBytes(deps.store, ref));
      if (verdict.reuse) {
        context.log.info('job already done: outputs reused');
        return { outputs: record.value.outputs };
      }
      context.log.warn({ reason: verdict.reason }, 'recorded job state not reused; running the job');
    }
    const started = performance.now();
    const outputs = await executeJob(job, deps.store, {
      // A fresh directory per attempt: a job redelivered while its first attempt still runs (a
      // missed heartbeat) may land on another worker of the same host, and must not share it.
      ...(options.workRoot ? { workRoot: options.workRoot } : {}),
      log: (line) => context.log.info(line),
      signal: context.signal,
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
    const total = (refs: readonly { size: number }[]) => refs.reduce((n, r) => n + r.size, 0);
    options.onArtefactBytes?.({ in: total(job.inputs), out: total(outputs) });
    const state: JobState = {
      ...jobStateBase(job),
      state: 'done',
      attempts: context.deliveryCount,
      outputs,
      seconds: (performance.now() - started) / 1000,
    };
    await deps.state.put(key, JobStateSchema, state);
    return { outputs };
  };
}

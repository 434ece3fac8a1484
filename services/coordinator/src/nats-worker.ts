/**
 * Running a sweep job on a NATS worker: executeJob against the Object Store, and the job's state
 * recorded in KV before the transport acks, so the coordinator (and a restarted one) sees it. A job
 * already recorded done, by a record that passes reuseVerdict, is acknowledged without running again.
 */
import type { ArtefactStore, JobHandler, StateStore } from '@memgen/bus';
import type { MetricsSink } from '@memgen/pipeline';
import { executeJob } from './execute-job.js';
import { type JobState, JobStateSchema, jobStateBase, jobStateKey } from './job-state.js';
import { reuseVerdict } from './reuse.js';

export interface StageWorkerDeps {
  store: ArtefactStore;
  state: StateStore;
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
    const recorded = (await deps.state.get(key, JobStateSchema))?.value;
    if (recorded) {
      const verdict = await reuseVerdict(job, recorded, (ref) => deps.store.holds(ref));
      if (verdict.reuse) {
        context.log.info('job already done: outputs reused');
        return { outputs: recorded.outputs };
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

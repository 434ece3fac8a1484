/**
 * A NATS stage worker: consumes one stage's jobs from JetStream (the bus's consumeJobs: heartbeats,
 * ack, nak with backoff, term + dead letter), runs each with executeJob against the Object Store,
 * and records the job's state in KV before acking, so the coordinator (and a restarted one) sees
 * it. A job already recorded done with its outputs stored is acknowledged without running again.
 */
import {
  type ArtefactStore,
  type BusLogger,
  type ConsumerPolicy,
  consumeJobs,
  type JobHandler,
  type JobWorker,
  MESSAGE_VERSION,
  type StateStore,
  type WorkQueue,
} from '@memgen/bus';
import { executeJob } from './execute-job.js';
import { type JobState, JobStateSchema, jobStateKey } from './job-state.js';

export interface StageWorkerDeps {
  queue: WorkQueue;
  store: ArtefactStore;
  state: StateStore;
  logger: BusLogger;
}

export interface StageWorkerOptions {
  /** Jobs run at once by this worker (default 1). */
  slots?: number;
  policy?: Partial<ConsumerPolicy>;
  /** Where temporary run directories go (default the OS temp dir). */
  workRoot?: string;
  pullExpiresMs?: number;
  /** Called around each job (metrics). */
  onJob?: (event: {
    stage: string;
    phase: 'start' | 'end';
    outcome?: 'done' | 'failed';
    seconds?: number;
  }) => void;
}

/** The job handler of a sweep stage worker. */
export function sweepJobHandler(deps: StageWorkerDeps, options: StageWorkerOptions = {}): JobHandler {
  return async (job, context) => {
    const key = jobStateKey(job.id);
    const recorded = (await deps.state.get(key, JobStateSchema))?.value;
    if (recorded?.state === 'done') {
      const held = await Promise.all(recorded.outputs.map((ref) => deps.store.holds(ref)));
      if (held.every(Boolean)) {
        context.log.info('job already done: outputs reused');
        return { outputs: recorded.outputs };
      }
    }
    const started = performance.now();
    options.onJob?.({ stage: job.stage, phase: 'start' });
    let outcome: 'done' | 'failed' = 'failed';
    try {
      const outputs = await executeJob(job, deps.store, {
        ...(options.workRoot ? { workRoot: options.workRoot } : {}),
        log: (line) => context.log.info(line),
        signal: context.signal,
      });
      const seconds = (performance.now() - started) / 1000;
      const state: JobState = {
        v: MESSAGE_VERSION,
        kind: 'job-state',
        jobId: job.id,
        stage: job.stage,
        runId: job.runId,
        state: 'done',
        attempts: context.deliveryCount,
        outputs,
        seconds,
      };
      await deps.state.put(key, JobStateSchema, state);
      outcome = 'done';
      return { outputs };
    } finally {
      options.onJob?.({
        stage: job.stage,
        phase: 'end',
        outcome,
        seconds: (performance.now() - started) / 1000,
      });
    }
  };
}

/** Starts a consumer for `stage` that runs sweep jobs; drain() it to stop. */
export function startStageWorker(
  deps: StageWorkerDeps,
  stage: string,
  options: StageWorkerOptions = {},
): Promise<JobWorker> {
  return consumeJobs(deps.queue, stage, sweepJobHandler(deps, options), {
    slots: options.slots ?? 1,
    state: deps.state,
    logger: deps.logger,
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.pullExpiresMs ? { pullExpiresMs: options.pullExpiresMs } : {}),
  });
}

/**
 * NATS mode for the coordinator: a job is submitted to the JetStream work queue (its id is the
 * dedupe key) and is finished when a worker records `job.<id>` done in KV, or dead when the bus
 * records `dead.<stage>.<id>`. KV is polled rather than watched, because a poll simply retries
 * across a server restart while a watch would have to be re-established. Progress goes to KV
 * `sweep.<id>` for `memgen status`.
 */
import {
  type ArtefactRef,
  type ArtefactStore,
  DeadLetterSchema,
  type JobMessage,
  type StateStore,
  stateKey,
  type WorkQueue,
} from '@memgen/bus';
import { retryWithBackoff, sleep } from '@memgen/common';
import { z } from 'zod';
import { materialiseRun } from './execute-job.js';
import { type JobState, JobStateSchema, jobStateBase, jobStateKey } from './job-state.js';
import { reuseVerdict } from './reuse.js';
import type { SweepBackend, SweepProgress } from './sweep.js';

export const SweepProgressSchema = z.object({
  sweepId: z.string(),
  units: z.number().int(),
  jobsTotal: z.number().int(),
  done: z.number().int(),
  dead: z.number().int(),
  running: z.array(z.object({ runId: z.string(), stage: z.string() })),
  /** ISO time of the update (status only; never in sweep.json). */
  at: z.string(),
});
export type SweepProgressRecord = z.infer<typeof SweepProgressSchema>;

/** Bus calls across a server restart: 150 tries, pausing 100 ms more each time, at most 2 s. */
const RESTART_RETRY = {
  attempts: 150,
  delaysMs: Array.from({ length: 149 }, (_, k) => Math.min(2000, 100 * (k + 1))),
};

export interface NatsBackendOptions {
  /** KV poll interval while waiting for a job (default 200 ms). */
  pollMs?: number;
  log?: (line: string) => void;
}

export class NatsSweepBackend implements SweepBackend {
  private readonly pollMs: number;
  private readonly log: (line: string) => void;

  constructor(
    private readonly queue: WorkQueue,
    private readonly store: ArtefactStore,
    private readonly state: StateStore,
    options: NatsBackendOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 200;
    this.log = options.log ?? (() => {});
  }

  /** Retries a bus call across a server restart (the client reconnects by itself). */
  private async retrying<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await retryWithBackoff(call, {
        ...RESTART_RETRY,
        onRetry: (err, attempt) => {
          if (attempt === 1 || attempt % 10 === 0)
            this.log(`${what} failed (${(err as Error).message}); retrying`);
        },
      });
    } catch (err) {
      throw new Error(`${what}: ${(err as Error).message}`, { cause: err });
    }
  }

  async lookup(job: JobMessage): Promise<JobState | null> {
    return this.verified(job, (reason) =>
      this.log(`${job.stage} ${job.runId}: not reusing its recorded state (${reason}); running it`),
    );
  }

  /**
   * The job's recorded state if it is done and passes reuseVerdict, else null. While the job runs
   * this is polled too: a record that is done but refused (forged, or stale) is waited past until
   * the worker replaces it.
   */
  private async verified(job: JobMessage, refused?: (reason: string) => void): Promise<JobState | null> {
    const entry = await this.retrying('read job state', () =>
      this.state.get(jobStateKey(job.id), JobStateSchema),
    );
    if (entry?.value.state !== 'done') return null;
    const verdict = await reuseVerdict(job, entry.value, (ref) =>
      this.retrying('check artefact', () => this.store.holds(ref)),
    );
    if (verdict.reuse) return entry.value;
    refused?.(verdict.reason);
    return null;
  }

  /**
   * The job id, unless the job ran before and must run again — an earlier sweep gave up on it (its
   * dead letter is cleared), or its record was refused for reuse — then a fresh key, so the
   * stream accepts the message inside its duplicate window.
   */
  private async dedupeKey(job: JobMessage, deadKey: string): Promise<string> {
    const dead = await this.retrying('read dead letter', () => this.state.get(deadKey, DeadLetterSchema));
    if (dead) await this.retrying('clear dead letter', () => this.state.delete(deadKey));
    const refused = await this.retrying('read job state', () =>
      this.state.get(jobStateKey(job.id), JobStateSchema),
    );
    const suffix = [
      ...(dead ? [`after-${dead.value.streamSeq}`] : []),
      ...(refused ? [`rerun-${refused.revision}`] : []),
    ];
    return [job.id, ...suffix].join('.');
  }

  async execute(job: JobMessage): Promise<JobState> {
    const deadKey = stateKey('dead', job.stage, job.id);
    const dedupeKey = await this.dedupeKey(job, deadKey);
    await this.retrying('submit job', () => this.queue.submit(job, { dedupeKey }));
    for (;;) {
      const done = await this.verified(job);
      if (done) return done;
      const dead = await this.retrying('read dead letter', () => this.state.get(deadKey, DeadLetterSchema));
      if (dead) {
        return {
          ...jobStateBase(job),
          state: 'dead',
          attempts: Math.max(1, dead.value.deliveries),
          outputs: [],
          reason: `${dead.value.cause}: ${dead.value.reason}`,
        };
      }
      await sleep(this.pollMs);
    }
  }

  async fetch(refs: readonly ArtefactRef[], dir: string): Promise<void> {
    await this.retrying('fetch artefacts', () => materialiseRun(this.store, refs, dir));
  }

  async progress(progress: SweepProgress): Promise<void> {
    const record: SweepProgressRecord = { ...progress, at: new Date().toISOString() };
    await this.state.put(stateKey('sweep', progress.sweepId), SweepProgressSchema, record);
  }
}

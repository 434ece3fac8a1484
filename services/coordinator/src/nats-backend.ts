/**
 * NATS mode for the coordinator: a job is submitted to the JetStream work queue and is finished when
 * a worker records `job.<id>` done in KV (a record written after the submission, checked, then
 * accepted into the coordinator's ledger, job-ledger.ts), or dead when the bus records
 * `dead.<stage>.<id>`. A job whose message vanishes or stalls is submitted again (job-watch.ts). KV
 * is polled rather than watched, because a poll simply retries across a server restart while a
 * watch would have to be re-established. Progress goes to KV `sweep.<id>` for `memgen status`.
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
import {
  holdsBytes,
  LedgerEntrySchema,
  ledgerEntry,
  ledgerKey,
  ledgerVerdict,
  readRecordAndLedger,
} from './job-ledger.js';
import { type JobState, JobStateSchema, jobStateBase, jobStateKey } from './job-state.js';
import { DEFAULT_WATCH_POLICY, JobWatch, type WatchPolicy, waitingFor } from './job-watch.js';
import { reuseVerdict } from './reuse.js';
import type { SweepBackend, SweepProgress } from './sweep.js';

export const SweepProgressSchema = z.object({
  sweepId: z.string(),
  units: z.number().int(),
  jobsTotal: z.number().int(),
  done: z.number().int(),
  dead: z.number().int(),
  running: z.array(
    z.object({
      runId: z.string(),
      stage: z.string(),
      /** What the job waits for, in words (NATS mode). */
      waitingFor: z.string().optional(),
    }),
  ),
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
  /** When a submitted job counts as vanished or stalled (job-watch.ts). */
  watch?: Partial<WatchPolicy>;
  log?: (line: string) => void;
}

/** One submission of a job being waited for. */
interface Submission {
  job: JobMessage;
  /** The job record's revision before the submission: only a later record is its result. */
  before: number;
  seq: number;
  watch: JobWatch;
  /** A refused record's revision, not judged again. */
  refused: number;
  observe: (waitingFor: string) => void;
}

export class NatsSweepBackend implements SweepBackend {
  private readonly pollMs: number;
  private readonly watchPolicy: WatchPolicy;
  private readonly log: (line: string) => void;

  constructor(
    private readonly queue: WorkQueue,
    private readonly store: ArtefactStore,
    private readonly state: StateStore,
    private readonly ledger: StateStore,
    options: NatsBackendOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 200;
    this.watchPolicy = { ...DEFAULT_WATCH_POLICY, ...options.watch };
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

  /** The job's recorded state when the ledger vouches for it (accepting it first when due), else null. */
  async lookup(job: JobMessage): Promise<JobState | null> {
    const { record, entry } = await this.retrying('read job state', () =>
      readRecordAndLedger(this.state, this.ledger, job.id),
    );
    if (record?.value.state !== 'done') return null;
    const verdict = await this.retrying('check artefacts', () =>
      ledgerVerdict(job, record, entry, (ref) => holdsBytes(this.store, ref)),
    );
    if (!verdict.reuse) {
      this.log(
        `${job.stage} ${job.runId}: not reusing its recorded state (${verdict.reason}); running job ${job.id.slice(0, 12)} again`,
      );
      return null;
    }
    if (verdict.accept) await this.accept(job, entry?.submittedAfter ?? 0, record.value.outputs);
    return record.value;
  }

  private accept(job: JobMessage, before: number, outputs: ArtefactRef[]): Promise<number> {
    return this.retrying('record the accepted outputs', () =>
      this.ledger.put(ledgerKey(job.id), LedgerEntrySchema, ledgerEntry(job, before, outputs)),
    );
  }

  /**
   * The job id, unless the job ran before and must run again — an earlier sweep gave up on it (its
   * dead letter is cleared), or its record was refused for reuse — then a fresh key, so the
   * stream accepts the message inside its duplicate window.
   */
  private async dedupeKey(job: JobMessage, deadKey: string, before: number): Promise<string> {
    const dead = await this.retrying('read dead letter', () => this.state.get(deadKey, DeadLetterSchema));
    if (dead) await this.retrying('clear dead letter', () => this.state.delete(deadKey));
    const suffix = [
      ...(dead ? [`after-${dead.value.streamSeq}`] : []),
      ...(before > 0 ? [`rerun-${before}`] : []),
    ];
    return [job.id, ...suffix].join('.');
  }

  async execute(job: JobMessage, observe: (waitingFor: string) => void = () => {}): Promise<JobState> {
    const deadKey = stateKey('dead', job.stage, job.id);
    const record = await this.retrying('read job state', () =>
      this.state.get(jobStateKey(job.id), JobStateSchema),
    );
    const before = record?.revision ?? 0;
    const msgId = await this.dedupeKey(job, deadKey, before);
    // Recorded before the message exists: a record the job's worker writes is always later.
    await this.retrying('record the submission', () =>
      this.ledger.put(ledgerKey(job.id), LedgerEntrySchema, ledgerEntry(job, before)),
    );
    const { seq } = await this.retrying('submit job', () => this.queue.submit(job, { dedupeKey: msgId }));
    const watch = new JobWatch(this.watchPolicy);
    const sub: Submission = { job, before, seq, watch, refused: 0, observe };
    for (;;) {
      const ended = (await this.result(sub)) ?? (await this.deadState(job, deadKey));
      if (ended) return ended;
      if (watch.due()) {
        const given = await this.look(sub, deadKey);
        if (given) return given;
      }
      await sleep(this.pollMs);
    }
  }

  /** The job's result: a done record written after the submission, checked and accepted; else null. */
  private async result(sub: Submission): Promise<JobState | null> {
    const { job } = sub;
    const entry = await this.retrying('read job state', () =>
      this.state.get(jobStateKey(job.id), JobStateSchema),
    );
    if (entry?.value.state !== 'done' || entry.revision <= sub.before || entry.revision === sub.refused)
      return null;
    const verdict = await reuseVerdict(job, entry.value, (ref) =>
      this.retrying('check artefact', () => this.store.holds(ref)),
    );
    if (!verdict.reuse) {
      // Waited past until the worker replaces it.
      sub.refused = entry.revision;
      this.log(
        `${job.stage} ${job.runId}: job ${job.id.slice(0, 12)} recorded a result not accepted (${verdict.reason})`,
      );
      return null;
    }
    await this.accept(job, sub.before, entry.value.outputs);
    return entry.value;
  }

  private async deadState(job: JobMessage, deadKey: string): Promise<JobState | null> {
    const dead = await this.retrying('read dead letter', () => this.state.get(deadKey, DeadLetterSchema));
    if (!dead) return null;
    return {
      ...jobStateBase(job),
      state: 'dead',
      attempts: Math.max(1, dead.value.deliveries),
      outputs: [],
      reason: `${dead.value.cause}: ${dead.value.reason}`,
    };
  }

  /** Looks for the job's message; resubmits it when it vanished or stalled; a dead state when given up. */
  private async look(sub: Submission, deadKey: string): Promise<JobState | null> {
    const { job, watch } = sub;
    const where = await this.retrying('locate job', () => this.queue.locate(job.stage, sub.seq));
    sub.observe(waitingFor(job.stage, where));
    let action = watch.judge(where);
    if (action.act === 'vanished') {
      // The worker records before it acks: a result or dead letter written meanwhile is there now.
      const ended = (await this.result(sub)) ?? (await this.deadState(job, deadKey));
      if (ended) return ended;
      action = watch.confirmVanished();
    }
    const name = `${job.stage} ${job.runId}: job ${job.id.slice(0, 12)}`;
    if (action.act === 'give-up') {
      this.log(`${name}: ${action.reason}; giving up`);
      return { ...jobStateBase(job), state: 'dead', attempts: 1, outputs: [], reason: action.reason };
    }
    if (action.act !== 'stalled') return null;
    const old = sub.seq;
    await this.retrying('remove the stalled message', () => this.queue.remove(old));
    const msgId = `${job.id}.requeue-${old}`;
    sub.seq = (await this.retrying('resubmit job', () => this.queue.submit(job, { dedupeKey: msgId }))).seq;
    watch.resubmitted();
    this.log(`${name} ${action.reason}; submitted again (message ${old} → ${sub.seq})`);
    return null;
  }

  async fetch(refs: readonly ArtefactRef[], dir: string): Promise<void> {
    await this.retrying('fetch artefacts', () => materialiseRun(this.store, refs, dir));
  }

  async progress(progress: SweepProgress): Promise<void> {
    const record: SweepProgressRecord = { ...progress, at: new Date().toISOString() };
    await this.state.put(stateKey('sweep', progress.sweepId), SweepProgressSchema, record);
  }
}

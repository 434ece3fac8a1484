/**
 * Watching a submitted job's message so a sweep never waits for ever. A worker login can take a job
 * and ack it without running it, an operator can delete it, and a coordinator restarted inside the
 * stream's duplicate window has its resubmission dropped as a duplicate of a message long gone; none
 * of these leaves a result or a dead letter. So every few seconds the coordinator asks where the
 * message is (WorkQueue.locate) and submits the job again, under a fresh message id, when it
 * - vanished: gone from the stream with no result or dead letter (checked again after the look), or
 * - stalled: queued for `startTimeoutMs` while no worker of its stage was busy — no worker serves
 *   the stage, or the workers are idle and do not take it. Waiting behind busy workers is no stall.
 * What the job waits for is reported in words for `memgen status`.
 */
import type { JobWhereabouts } from '@memgen/bus';

export interface WatchPolicy {
  /** How often the message is looked for (default 2 s). */
  checkEveryMs: number;
  /** How long a job may stay queued, with its stage's workers idle or absent, before it is resubmitted. */
  startTimeoutMs: number;
  /** Vanishings after which the job is given up as dead instead of resubmitted (default 5). */
  maxVanished: number;
}

export const DEFAULT_WATCH_POLICY: WatchPolicy = {
  checkEveryMs: 2_000,
  startTimeoutMs: 600_000,
  maxVanished: 5,
};

/** What a job in `where` waits for, for `memgen status`. */
export function waitingFor(stage: string, where: JobWhereabouts): string {
  switch (where.where) {
    case 'gone':
      return 'its result (the message is gone)';
    case 'started':
      return `its ${stage} worker to finish`;
    case 'queued':
      if (!where.served) return `a ${stage} worker: none serves ${stage} yet`;
      return where.busy > 0 ? `a free ${stage} worker (all busy)` : `a ${stage} worker to take it`;
  }
}

export type WatchAction =
  | { act: 'wait' }
  /** The message is gone: read the job's result and dead letter once more, then resubmit. */
  | { act: 'vanished' }
  | { act: 'stalled'; reason: string }
  | { act: 'give-up'; reason: string };

/** One submitted job's watch: when to look, and what a look means. */
export class JobWatch {
  private nextCheck: number;
  private queuedSince: number;
  private vanished = 0;

  constructor(
    private readonly policy: WatchPolicy,
    private readonly now: () => number = Date.now,
  ) {
    this.nextCheck = now() + policy.checkEveryMs;
    this.queuedSince = now();
  }

  /** True when the message is due to be looked for. */
  due(): boolean {
    return this.now() >= this.nextCheck;
  }

  /** What to do about the message found `where`. */
  judge(where: JobWhereabouts): WatchAction {
    const now = this.now();
    this.nextCheck = now + this.policy.checkEveryMs;
    if (where.where === 'gone') return { act: 'vanished' };
    if (where.where === 'started' || where.busy > 0) {
      this.queuedSince = now;
      return { act: 'wait' };
    }
    if (now - this.queuedSince < this.policy.startTimeoutMs) return { act: 'wait' };
    const seconds = Math.round(this.policy.startTimeoutMs / 1000);
    const why = where.served
      ? 'its stage has idle workers that did not take it'
      : 'no worker serves its stage';
    return { act: 'stalled', reason: `not started within ${seconds} s (${why})` };
  }

  /** Counts a confirmed vanishing: resubmit, or give up after maxVanished. */
  confirmVanished(): WatchAction {
    this.vanished++;
    if (this.vanished >= this.policy.maxVanished) {
      return {
        act: 'give-up',
        reason: `its message vanished ${this.vanished} times without a result or a dead letter`,
      };
    }
    return {
      act: 'stalled',
      reason: 'its message vanished from the stream without a result or a dead letter',
    };
  }

  /** The job was submitted again: its queueing starts over. */
  resubmitted(): void {
    this.queuedSince = this.now();
  }
}

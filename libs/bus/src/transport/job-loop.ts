/**
 * A worker's job loop over one group's durable pull consumer. Each of `slots` loops pulls one job
 * at a time (so a worker never holds more jobs than it can run), heartbeats it with working()
 * while the handler runs, and settles it (job-settlement.ts). Nothing a message contains can crash
 * the loop. The JetStream transport runs one of these per `@EventPattern(jobSubject(group))`.
 */
import { exponentialDelays, limitOf, sleep } from '@memgen/common';
import type { Consumer, JsMsg } from '@nats-io/jetstream';
import { type BusLogger, defaultBusLogger } from '../logger.js';
import type { ArtefactRef, JobMessage, JobOutcome } from '../schemas.js';
import type { StateStore } from '../state.js';
import { consumerName } from '../subjects.js';
import { type ConsumerPolicy, resolvePolicy, type WorkQueue } from '../work-queue.js';
import {
  checkOutputs,
  readJob,
  rejectMessage,
  type Settlement,
  settleDone,
  settleFailure,
  type WorkerStats,
} from './job-settlement.js';

export interface JobContext {
  /** JetStream's delivery count for this job, from 1. */
  deliveryCount: number;
  /** Aborted when the worker drains past its grace period: stop at a safe point and throw. */
  signal: AbortSignal;
  /** Logger bound to stage, jobId and runId. */
  log: BusLogger;
}

/** What a successful handler reports: the artefacts it stored. */
export interface JobResult {
  outputs?: ArtefactRef[];
}

/** Runs one job. Resolve (with the outputs, or nothing) on success; throw to fail it. */
export type JobHandler = (
  job: JobMessage,
  context: JobContext,
) => Promise<JobResult | undefined> | Promise<void>;

/** A handler run that ended, for metrics. */
export interface JobSettled {
  group: string;
  outcome: JobOutcome;
  seconds: number;
  /** JetStream's delivery count of the attempt (1 = first delivery). */
  deliveryCount: number;
}

export interface ConsumeOptions {
  /** Jobs this worker runs at once (default 1). */
  slots?: number;
  /** Consumer policy; applied to the shared consumer when this worker starts. */
  policy?: Partial<ConsumerPolicy>;
  /** Heartbeat interval while a handler runs (default ackWait / 3). */
  heartbeatMs?: number;
  /** How long one pull waits for a job, ≥ 1000 (default 5000); bounds how long drain() waits. */
  pullExpiresMs?: number;
  /** Where dead letters are recorded (key `dead.<group>.<jobId or seq-N>`); without it they are only logged. */
  state?: StateStore;
  /** Dead-letter records kept for the group (default MEMGEN_MAX_DEAD_LETTERS, else 1000). */
  maxDeadLetters?: number;
  logger?: BusLogger;
  /** Told when a handler run has been settled. */
  onSettled?: (event: JobSettled) => void;
}

export interface JobWorker {
  readonly stage: string;
  readonly stats: Readonly<WorkerStats>;
  /** Jobs whose handler is running now. */
  readonly busy: number;
  /** True once drain() was called. */
  readonly draining: boolean;
  /**
   * Stops pulling and lets running jobs finish for up to graceMs (default 30 s); jobs still running
   * then are handed back (nak, redelivered elsewhere) and their handlers' signals aborted.
   */
  drain(options?: { graceMs?: number }): Promise<void>;
}

interface InFlight {
  msg: JsMsg;
  settled: boolean;
  abort: AbortController;
}

interface Loop extends Settlement {
  consumer: Consumer;
  handler: JobHandler;
  heartbeatMs: number;
  pullExpiresMs: number;
  inFlight: Set<InFlight>;
  stopping: boolean;
  onSettled: ConsumeOptions['onSettled'];
}

/** Pauses after failed pulls: 100 ms doubling to 2 s. */
const PULL_BACKOFF_MS = exponentialDelays(100, 2000, 6);

/** Starts `slots` job loops for `group`; returns at once with a handle to drain them. */
export async function consumeJobs(
  queue: WorkQueue,
  group: string,
  handler: JobHandler,
  options: ConsumeOptions = {},
): Promise<JobWorker> {
  const slots = options.slots ?? 1;
  if (!Number.isInteger(slots) || slots < 1)
    throw new Error(`consumeJobs: slots must be an integer ≥ 1, got ${slots}`);
  const policy = await queue.ensureConsumer(group, resolvePolicy(options.policy ?? {}));
  const loop: Loop = {
    queue,
    group,
    policy,
    state: options.state,
    maxDeadLetters: options.maxDeadLetters ?? limitOf('deadLetters'),
    log: (options.logger ?? defaultBusLogger()).child({ stage: group }),
    stats: { done: 0, failed: 0, dead: 0 },
    consumer: await queue.js.consumers.get(queue.stream, consumerName(group)),
    handler,
    heartbeatMs: options.heartbeatMs ?? Math.max(50, Math.floor(policy.ackWaitMs / 3)),
    pullExpiresMs: Math.max(1000, options.pullExpiresMs ?? 5000),
    inFlight: new Set(),
    stopping: false,
    onSettled: options.onSettled,
  };
  const loops = Promise.all(Array.from({ length: slots }, () => pullLoop(loop)));
  loop.log.info({ slots, ...policy }, 'worker consuming');
  let drained: Promise<void> | undefined;
  return {
    stage: group,
    stats: loop.stats,
    get busy() {
      return loop.inFlight.size;
    },
    get draining() {
      return loop.stopping;
    },
    drain({ graceMs = 30_000 } = {}) {
      drained ??= drain(loop, loops, graceMs);
      return drained;
    },
  };
}

async function pullLoop(loop: Loop): Promise<void> {
  let pullFailures = 0;
  while (!loop.stopping) {
    let msg: JsMsg | null;
    try {
      msg = await loop.consumer.next({ expires: loop.pullExpiresMs });
      pullFailures = 0;
    } catch (error) {
      if (loop.stopping) break;
      // Typically a server restart: the client reconnects by itself, so back off and pull again.
      const pauseMs = PULL_BACKOFF_MS[Math.min(pullFailures++, PULL_BACKOFF_MS.length - 1)]!;
      loop.log.warn({ err: error, retryInMs: pauseMs }, 'pull failed, retrying');
      await sleep(pauseMs);
      continue;
    }
    if (msg === null) continue;
    if (loop.stopping) {
      msg.nak();
      break;
    }
    await runJob(loop, msg);
  }
}

async function runJob(loop: Loop, msg: JsMsg): Promise<void> {
  let job: JobMessage;
  try {
    job = readJob(msg, loop.queue.codec, loop.group);
  } catch (error) {
    await rejectMessage(loop, msg, error);
    return;
  }
  const log = loop.log.child({ jobId: job.id, runId: job.runId });
  const entry: InFlight = { msg, settled: false, abort: new AbortController() };
  loop.inFlight.add(entry);
  const heartbeat = setInterval(() => {
    if (!entry.settled) msg.working();
  }, loop.heartbeatMs);
  const deliveryCount = msg.info.deliveryCount;
  const started = performance.now();
  log.info({ deliveryCount }, 'job started');
  let outcome: JobOutcome | undefined;
  try {
    const result = await loop.handler(job, { deliveryCount, signal: entry.abort.signal, log });
    const outputs = checkOutputs(result ?? undefined);
    if (entry.settled) return;
    entry.settled = true;
    await settleDone(loop, msg, job, outputs, log);
    outcome = 'done';
  } catch (error) {
    if (entry.settled) return;
    entry.settled = true;
    outcome = await settleFailure(loop, msg, job, error, log);
  } finally {
    clearInterval(heartbeat);
    loop.inFlight.delete(entry);
    if (outcome)
      loop.onSettled?.({
        group: loop.group,
        outcome,
        seconds: (performance.now() - started) / 1000,
        deliveryCount,
      });
  }
}

/** Stops pulling; after graceMs, hands every job still running back (nak) and aborts its handler. */
async function drain(loop: Loop, loops: Promise<unknown>, graceMs: number): Promise<void> {
  loop.stopping = true;
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace-over'>((resolve) => {
    timer = setTimeout(() => resolve('grace-over'), graceMs);
  });
  const first = await Promise.race([loops.then(() => 'finished' as const), graceOver]);
  clearTimeout(timer);
  if (first === 'finished') return;
  for (const entry of loop.inFlight) {
    if (entry.settled) continue;
    entry.settled = true;
    entry.msg.nak();
    entry.abort.abort(new Error('worker draining'));
    loop.log.warn({ seq: entry.msg.seq }, 'handed job back on drain');
  }
}

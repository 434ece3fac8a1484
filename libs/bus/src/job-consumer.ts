/**
 * A stage worker's job loop over the stage's durable pull consumer. Each of `slots` loops pulls one
 * job at a time (so a worker never holds more jobs than it can run), heartbeats it while the
 * handler runs, and settles it:
 *   success                         → ack (confirmed), event 'done'
 *   transient error                 → nak with backoff, event 'failed'
 *   permanent error / bad message   → term, dead letter, event 'dead'
 *   transient error, last delivery  → term, dead letter, event 'dead'
 * Nothing a message contains can crash the loop.
 */
import type { JsMsg } from '@nats-io/jetstream';
import { z } from 'zod';
import { BusMessageError, isPermanentJobError, PermanentJobError } from './errors.js';
import { type BusLogger, defaultBusLogger } from './logger.js';
import {
  type ArtefactRef,
  ArtefactRefSchema,
  type DeadLetter,
  type DeadLetterCause,
  DeadLetterSchema,
  type JobMessage,
  type JobOutcome,
  MESSAGE_VERSION,
  parseJob,
} from './schemas.js';
import type { StateStore } from './state.js';
import { stateKey } from './state.js';
import { consumerName, eventSubject } from './subjects.js';
import { type ConsumerPolicy, resolvePolicy, type WorkQueue } from './work-queue.js';

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

export interface ConsumeOptions {
  /** Jobs this worker runs at once (default 1). */
  slots?: number;
  /** Consumer policy; applied to the shared consumer when this worker starts. */
  policy?: Partial<ConsumerPolicy>;
  /** Heartbeat interval while a handler runs (default ackWait / 3). */
  heartbeatMs?: number;
  /** How long one pull waits for a job, ≥ 1000 (default 5000); bounds how long drain() waits. */
  pullExpiresMs?: number;
  /** Where dead letters are recorded (key `dead.<stage>.<jobId or seq-N>`); without it they are only logged. */
  state?: StateStore;
  logger?: BusLogger;
}

export interface WorkerStats {
  done: number;
  failed: number;
  dead: number;
}

export interface JobWorker {
  readonly stage: string;
  readonly stats: Readonly<WorkerStats>;
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

/** Starts `slots` job loops for `stage`; returns at once with a handle to drain them. */
export async function consumeJobs(
  queue: WorkQueue,
  stage: string,
  handler: JobHandler,
  options: ConsumeOptions = {},
): Promise<JobWorker> {
  const slots = options.slots ?? 1;
  if (!Number.isInteger(slots) || slots < 1)
    throw new Error(`consumeJobs: slots must be an integer ≥ 1, got ${slots}`);
  const policy = await queue.ensureConsumer(stage, resolvePolicy(options.policy ?? {}));
  const heartbeatMs = options.heartbeatMs ?? Math.max(50, Math.floor(policy.ackWaitMs / 3));
  const pullExpiresMs = Math.max(1000, options.pullExpiresMs ?? 5000);
  const log = (options.logger ?? defaultBusLogger()).child({ stage });
  const consumer = await queue.js.consumers.get(queue.stream, consumerName(stage));
  const stats: WorkerStats = { done: 0, failed: 0, dead: 0 };
  const inFlight = new Set<InFlight>();
  let stopping = false;

  const publishEvent = (job: JobMessage, outcome: JobOutcome, outputs: ArtefactRef[], reason?: string) => {
    const event = {
      v: MESSAGE_VERSION,
      kind: 'event',
      stage,
      outcome,
      jobId: job.id,
      runId: job.runId,
      outputs,
    };
    try {
      queue.nc.publish(
        eventSubject(stage, outcome),
        queue.codec.encode(reason === undefined ? event : { ...event, reason }),
      );
    } catch (error) {
      log.warn({ jobId: job.id, err: error }, 'could not publish job event');
    }
  };

  const deadLetter = async (msg: JsMsg, job: JobMessage | null, cause: DeadLetterCause, reason: string) => {
    msg.term(reason);
    stats.dead++;
    log.error(
      { jobId: job?.id ?? null, runId: job?.runId ?? null, seq: msg.seq, cause, reason },
      'job dead-lettered',
    );
    const record: DeadLetter = {
      v: MESSAGE_VERSION,
      kind: 'dead-letter',
      stage,
      jobId: job?.id ?? null,
      runId: job?.runId ?? null,
      cause,
      reason,
      deliveries: msg.info.deliveryCount,
      streamSeq: msg.seq,
      at: new Date().toISOString(),
    };
    if (job) publishEvent(job, 'dead', [], reason);
    try {
      await options.state?.put(
        stateKey('dead', stage, job?.id ?? `seq-${msg.seq}`),
        DeadLetterSchema,
        record,
      );
      // The 2.9 server keeps termed messages in a work-queue stream; the dead letter now holds the
      // facts, so remove the message rather than let it be redelivered to a recreated consumer.
      await queue.jsm.streams.deleteMessage(queue.stream, msg.seq, false);
    } catch (error) {
      log.warn({ seq: msg.seq, err: error }, 'could not record or clear dead letter');
    }
  };

  const runJob = async (msg: JsMsg) => {
    let job: JobMessage;
    try {
      job = parseJob(queue.codec.decode(msg.data));
      if (job.stage !== stage) {
        throw new BusMessageError(
          'invalid',
          `job for stage "${job.stage}" arrived on ${msg.subject}`,
          'stage',
        );
      }
    } catch (error) {
      const problem = error instanceof BusMessageError ? error.problem : 'malformed';
      const reason = error instanceof Error ? error.message : String(error);
      log.warn({ seq: msg.seq, subject: msg.subject, problem, reason }, 'rejected job message');
      await deadLetter(msg, null, problem, reason);
      return;
    }
    const jobLog = log.child({ jobId: job.id, runId: job.runId });
    const entry: InFlight = { msg, settled: false, abort: new AbortController() };
    inFlight.add(entry);
    const heartbeat = setInterval(() => {
      if (!entry.settled) msg.working();
    }, heartbeatMs);
    const deliveryCount = msg.info.deliveryCount;
    jobLog.info({ deliveryCount }, 'job started');
    try {
      const result = await handler(job, { deliveryCount, signal: entry.abort.signal, log: jobLog });
      const outputs = checkOutputs(result ?? undefined);
      if (entry.settled) return;
      entry.settled = true;
      await confirmAck(msg, jobLog);
      stats.done++;
      jobLog.info({ outputs: outputs.length }, 'job done');
      publishEvent(job, 'done', outputs);
    } catch (error) {
      if (entry.settled) return;
      entry.settled = true;
      const reason = error instanceof Error ? error.message : String(error);
      if (isPermanentJobError(error)) {
        await deadLetter(msg, job, 'permanent', reason);
      } else if (deliveryCount >= policy.maxDeliver) {
        await deadLetter(msg, job, 'max-deliver', `gave up after ${deliveryCount} deliveries: ${reason}`);
      } else {
        const delay = policy.backoffMs[Math.min(deliveryCount, policy.backoffMs.length) - 1]!;
        msg.nak(delay);
        stats.failed++;
        jobLog.warn({ deliveryCount, retryInMs: delay, reason }, 'job failed, will retry');
        publishEvent(job, 'failed', [], reason);
      }
    } finally {
      clearInterval(heartbeat);
      inFlight.delete(entry);
    }
  };

  const loop = async () => {
    let pullFailures = 0;
    while (!stopping) {
      let msg: JsMsg | null;
      try {
        msg = await consumer.next({ expires: pullExpiresMs });
        pullFailures = 0;
      } catch (error) {
        if (stopping) break;
        // Typically a server restart: the client reconnects by itself, so back off and pull again.
        const pauseMs = Math.min(2000, 100 * 2 ** pullFailures++);
        log.warn({ err: error, retryInMs: pauseMs }, 'pull failed, retrying');
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
        continue;
      }
      if (msg === null) continue;
      if (stopping) {
        msg.nak();
        break;
      }
      await runJob(msg);
    }
  };

  const loops = Promise.all(Array.from({ length: slots }, loop));
  log.info({ slots, ...policy }, 'worker consuming');

  return {
    stage,
    stats,
    async drain({ graceMs = 30_000 } = {}) {
      stopping = true;
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'grace-over'>((resolve) => {
        timer = setTimeout(() => resolve('grace-over'), graceMs);
      });
      const first = await Promise.race([loops.then(() => 'finished' as const), graceOver]);
      clearTimeout(timer);
      if (first === 'finished') return;
      for (const entry of inFlight) {
        if (entry.settled) continue;
        entry.settled = true;
        entry.msg.nak();
        entry.abort.abort(new Error('worker draining'));
        log.warn({ seq: entry.msg.seq }, 'handed job back on drain');
      }
    },
  };
}

const OutputsSchema = z.array(ArtefactRefSchema);

/** A handler returning malformed outputs is a bug that a retry would repeat: permanent. */
function checkOutputs(result: JobResult | undefined): ArtefactRef[] {
  const parsed = OutputsSchema.safeParse(result?.outputs ?? []);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new PermanentJobError(
    `handler returned invalid outputs: outputs.${issue.path.join('.')}: ${issue.message}`,
  );
}

/** Acks and waits for the server's confirmation; a lost ack only means a harmless redelivery. */
async function confirmAck(msg: JsMsg, log: BusLogger): Promise<void> {
  try {
    await msg.ackAck({ timeout: 5_000 });
  } catch (error) {
    log.warn({ err: error }, 'ack not confirmed; the job may be redelivered (it is idempotent)');
  }
}

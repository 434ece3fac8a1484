/**
 * How one delivered job message ends. The four endings, and nothing else:
 *   success                         → ack (confirmed), event 'done'
 *   transient error                 → nak with backoff, event 'failed'
 *   permanent error / bad message   → dead letter, ack, event 'dead'
 *   transient error, last delivery  → dead letter, ack, event 'dead'
 * A dead-lettered message is acked rather than termed: a work-queue stream removes an acked
 * message, while a 2.9 server keeps a termed one (to be redelivered to a recreated consumer), and
 * removing it otherwise would take the right to delete stream messages, which workers lack.
 */
import { parseWith } from '@memgen/common';
import type { JsMsg } from '@nats-io/jetstream';
import { z } from 'zod';
import type { BusCodec } from '../codec.js';
import { BusMessageError, errorText, isPermanentJobError, PermanentJobError } from '../errors.js';
import type { BusLogger } from '../logger.js';
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
} from '../schemas.js';
import { type StateStore, stateKey } from '../state.js';
import { eventSubject } from '../subjects.js';
import type { ConsumerPolicy, WorkQueue } from '../work-queue.js';

export interface WorkerStats {
  done: number;
  failed: number;
  dead: number;
}

/** What settling needs: where to publish, where dead letters go, and the counters to bump. */
export interface Settlement {
  queue: WorkQueue;
  group: string;
  policy: ConsumerPolicy;
  state: StateStore | undefined;
  /** Dead-letter records kept for the group; older ones are purged as new ones arrive. */
  maxDeadLetters: number;
  log: BusLogger;
  stats: WorkerStats;
}

/**
 * Decodes and validates a delivered job, and checks it belongs to the group it arrived for.
 * @throws BusMessageError: 'oversize' above the codec's limit, 'malformed' bytes, 'invalid' content
 */
export function readJob(msg: JsMsg, codec: BusCodec, group: string): JobMessage {
  const job = parseJob(codec.decode(msg.data));
  if (job.stage !== group) {
    throw new BusMessageError('invalid', `job for stage "${job.stage}" arrived on ${msg.subject}`, 'stage');
  }
  return job;
}

/** Publishes `memgen.events.<group>.<outcome>`; a lost event is logged, never fatal. */
export function publishEvent(
  s: Settlement,
  job: JobMessage,
  outcome: JobOutcome,
  outputs: ArtefactRef[],
  reason?: string,
): void {
  const event = {
    v: MESSAGE_VERSION,
    kind: 'event',
    stage: s.group,
    outcome,
    jobId: job.id,
    runId: job.runId,
    outputs,
    ...(reason === undefined ? {} : { reason }),
  };
  try {
    s.queue.nc.publish(eventSubject(s.group, outcome), s.queue.codec.encode(event));
  } catch (error) {
    s.log.warn({ jobId: job.id, err: error }, 'could not publish job event');
  }
}

/**
 * Records why in KV (`dead.<group>.<jobId or seq-N>`), acks the message (removing it from the work
 * queue) and keeps the group's newest maxDeadLetters records. The ack follows the record, so a
 * coordinator that finds the message gone also finds the dead letter; should the record fail, the
 * coordinator sees the job vanish and submits it again.
 */
export async function deadLetter(
  s: Settlement,
  msg: JsMsg,
  job: JobMessage | null,
  cause: DeadLetterCause,
  reason: string,
): Promise<void> {
  s.stats.dead++;
  s.log.error(
    { jobId: job?.id ?? null, runId: job?.runId ?? null, seq: msg.seq, cause, reason },
    'job dead-lettered',
  );
  const record: DeadLetter = {
    v: MESSAGE_VERSION,
    kind: 'dead-letter',
    stage: s.group,
    jobId: job?.id ?? null,
    runId: job?.runId ?? null,
    cause,
    reason,
    deliveries: msg.info.deliveryCount,
    streamSeq: msg.seq,
    at: new Date().toISOString(),
  };
  if (job) publishEvent(s, job, 'dead', [], reason);
  try {
    await s.state?.put(stateKey('dead', s.group, job?.id ?? `seq-${msg.seq}`), DeadLetterSchema, record);
  } catch (error) {
    s.log.warn({ seq: msg.seq, err: error }, 'could not record the dead letter');
  }
  try {
    await msg.ackAck({ timeout: 5_000 });
  } catch (error) {
    s.log.warn({ seq: msg.seq, err: error }, 'dead letter ack not confirmed; it may be redelivered');
  }
  try {
    // A flood of bad messages must not grow the bucket without end: the oldest records go first.
    await s.state?.keepNewest(`${stateKey('dead', s.group)}.>`, s.maxDeadLetters);
  } catch (error) {
    s.log.warn({ err: error }, 'could not trim old dead letters');
  }
}

/** A message that never became a job: dead-lettered under its stream sequence with the problem. */
export async function rejectMessage(s: Settlement, msg: JsMsg, error: unknown): Promise<void> {
  const problem = error instanceof BusMessageError ? error.problem : 'malformed';
  const reason = errorText(error);
  s.log.warn({ seq: msg.seq, subject: msg.subject, problem, reason }, 'rejected job message');
  await deadLetter(s, msg, null, problem, reason);
}

const OutputsSchema = z.array(ArtefactRefSchema);

/** The handler's outputs; malformed ones are a bug a retry would repeat, so permanent. */
export function checkOutputs(result: { outputs?: unknown } | undefined): ArtefactRef[] {
  return parseWith(
    OutputsSchema,
    result?.outputs ?? [],
    'handler returned invalid outputs',
    (message) => new PermanentJobError(message),
  );
}

/** Acks (waiting for the server's confirmation) and publishes 'done'. */
export async function settleDone(
  s: Settlement,
  msg: JsMsg,
  job: JobMessage,
  outputs: ArtefactRef[],
  log: BusLogger,
): Promise<void> {
  try {
    await msg.ackAck({ timeout: 5_000 });
  } catch (error) {
    // A lost ack only means a harmless redelivery: jobs are idempotent.
    log.warn({ err: error }, 'ack not confirmed; the job may be redelivered (it is idempotent)');
  }
  s.stats.done++;
  log.info({ outputs: outputs.length }, 'job done');
  publishEvent(s, job, 'done', outputs);
}

/** Naks a transient failure with the policy's backoff, or dead-letters a permanent or final one. */
export async function settleFailure(
  s: Settlement,
  msg: JsMsg,
  job: JobMessage,
  error: unknown,
  log: BusLogger,
): Promise<JobOutcome> {
  const reason = errorText(error);
  const deliveryCount = msg.info.deliveryCount;
  if (isPermanentJobError(error)) {
    await deadLetter(s, msg, job, 'permanent', reason);
    return 'dead';
  }
  if (deliveryCount >= s.policy.maxDeliver) {
    await deadLetter(s, msg, job, 'max-deliver', `gave up after ${deliveryCount} deliveries: ${reason}`);
    return 'dead';
  }
  const backoff = s.policy.backoffMs;
  const delay = backoff[Math.min(deliveryCount, backoff.length) - 1]!;
  msg.nak(delay);
  s.stats.failed++;
  log.warn({ deliveryCount, retryInMs: delay, reason }, 'job failed, will retry');
  publishEvent(s, job, 'failed', [], reason);
  return 'failed';
}

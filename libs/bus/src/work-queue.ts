/**
 * The jobs stream: one JetStream stream (work-queue retention) over `memgen.jobs.<stage>`, one
 * durable pull consumer per stage shared by every worker of that stage. Submitting is idempotent:
 * the job id is the JetStream message id, so a job submitted twice inside the duplicate window is
 * stored once.
 */
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/nats-core';
import { type BusCodec, createBusCodec } from './codec.js';
import { type JobMessage, parseJob } from './schemas.js';
import { consumerName, JOBS_STREAM, JOBS_SUBJECTS, jobSubject } from './subjects.js';

/** How the server treats a stage's deliveries. */
export interface ConsumerPolicy {
  /** Redeliver a job whose worker sent neither ack nor heartbeat for this long (default 30 s). */
  ackWaitMs: number;
  /** Deliveries before a job is dead-lettered (default 5). */
  maxDeliver: number;
  /**
   * Nak delays after the 1st, 2nd, … transient failure; the last repeats (default 1 s, 5 s, 30 s).
   * Applied by the worker's nak rather than the consumer's `backoff` field, because on the server
   * that field replaces ack_wait and would fight with heartbeats.
   */
  backoffMs: number[];
  /**
   * Cap on jobs in flight across ALL workers of the stage (the consumer's max_ack_pending). A
   * worker's own concurrency is its `slots`, enforced by pulling only into free slots: the consumer
   * is shared, so setting max_ack_pending to one worker's slots would throttle the whole fleet.
   */
  maxAckPending: number;
}

export const DEFAULT_CONSUMER_POLICY: ConsumerPolicy = {
  ackWaitMs: 30_000,
  maxDeliver: 5,
  backoffMs: [1_000, 5_000, 30_000],
  maxAckPending: 1_000,
};

export interface WorkQueueOptions {
  /** Stream name (default JOBS_STREAM); subjects are always `memgen.jobs.>`. */
  stream?: string;
  /** Message codec (default createBusCodec()). */
  codec?: BusCodec;
  /** Largest message the stream stores (default: the codec's maxBytes). Only set on creation. */
  maxMessageBytes?: number;
  /** How long a job id is remembered for dedupe (default 10 min). Only set on creation. */
  duplicateWindowMs?: number;
  /** Copies the server cluster keeps (3 in a 3-node JetStream cluster; default 1). Only set on creation. */
  replicas?: number;
}

export interface SubmitResult {
  /** Stream sequence of the stored job (of the original, for a duplicate). */
  seq: number;
  /** True when the stream already had this job id inside the duplicate window. */
  duplicate: boolean;
}

/**
 * Where a submitted job's message stands: gone from the stream (taken and settled, or removed),
 * queued (no worker has taken it yet: `served` says whether any worker consumes the stage, `busy`
 * how many of the stage's jobs are in flight), or started (delivered to a worker at least once).
 */
export type JobWhereabouts =
  | { where: 'gone' }
  | { where: 'queued'; served: boolean; busy: number }
  | { where: 'started' };

export class WorkQueue {
  readonly nc: NatsConnection;
  readonly stream: string;
  readonly codec: BusCodec;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;

  private constructor(nc: NatsConnection, stream: string, codec: BusCodec, jsm: JetStreamManager) {
    this.nc = nc;
    this.stream = stream;
    this.codec = codec;
    this.jsm = jsm;
    this.js = jetstream(nc);
  }

  /** Opens the jobs stream, creating it when absent (concurrent creators are fine). */
  static async open(nc: NatsConnection, options: WorkQueueOptions = {}): Promise<WorkQueue> {
    const stream = options.stream ?? JOBS_STREAM;
    const codec = options.codec ?? createBusCodec();
    const jsm = await jetstreamManager(nc);
    const existing = await jsm.streams.info(stream).catch(() => null);
    if (existing === null) {
      try {
        await jsm.streams.add({
          name: stream,
          subjects: [JOBS_SUBJECTS],
          retention: RetentionPolicy.Workqueue,
          storage: StorageType.File,
          max_msg_size: options.maxMessageBytes ?? codec.maxBytes,
          duplicate_window: nanos(options.duplicateWindowMs ?? 10 * 60_000),
          num_replicas: options.replicas ?? 1,
        });
      } catch (error) {
        // Another process may have created it between our info and add.
        if ((await jsm.streams.info(stream).catch(() => null)) === null) throw error;
      }
    }
    return new WorkQueue(nc, stream, codec, jsm);
  }

  /**
   * Validates, encodes and stores a job. Its id is the dedupe key, so the same job submitted again
   * inside the duplicate window is recognised and not stored twice; pass `dedupeKey` (e.g.
   * `${job.id}.${job.attempt}`) to deliberately run a job again inside the window.
   */
  async submit(job: JobMessage, options: { dedupeKey?: string } = {}): Promise<SubmitResult> {
    const checked = parseJob(job);
    const bytes = this.codec.encode(checked);
    const msgID = options.dedupeKey ?? checked.id;
    const ack = await this.js.publish(jobSubject(checked.stage), bytes, { msgID });
    return { seq: ack.seq, duplicate: ack.duplicate };
  }

  /** Creates the stage's durable pull consumer, or updates its policy when it exists. */
  async ensureConsumer(stage: string, policy: Partial<ConsumerPolicy> = {}): Promise<ConsumerPolicy> {
    const full = resolvePolicy(policy);
    const name = consumerName(stage);
    const settings = {
      ack_wait: nanos(full.ackWaitMs),
      max_deliver: full.maxDeliver,
      max_ack_pending: full.maxAckPending,
    };
    const existing = await this.jsm.consumers.info(this.stream, name).catch(() => null);
    if (existing === null) {
      try {
        await this.jsm.consumers.add(this.stream, {
          durable_name: name,
          filter_subject: jobSubject(stage),
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ...settings,
        });
        return full;
      } catch (error) {
        if ((await this.jsm.consumers.info(this.stream, name).catch(() => null)) === null) throw error;
      }
    }
    await this.jsm.consumers.update(this.stream, name, settings);
    return full;
  }

  /**
   * Where the job message at stream sequence `seq` of `stage` stands. A consumer delivers a stage's
   * messages in stream order, so one it has delivered up to `seq` has started this one.
   */
  async locate(stage: string, seq: number): Promise<JobWhereabouts> {
    if ((await this.jsm.streams.getMessage(this.stream, { seq })) === null) return { where: 'gone' };
    const info = await this.jsm.consumers.info(this.stream, consumerName(stage)).catch((error: unknown) => {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)
        return null;
      throw error;
    });
    if (info === null) return { where: 'queued', served: false, busy: 0 };
    if (info.delivered.stream_seq >= seq) return { where: 'started' };
    return { where: 'queued', served: true, busy: info.num_ack_pending };
  }

  /** Removes the message at `seq` (false when it was already gone). */
  async remove(seq: number): Promise<boolean> {
    try {
      return await this.jsm.streams.deleteMessage(this.stream, seq, false);
    } catch (error) {
      // The server's code for a missing message depends on where in the stream it was.
      if ((await this.jsm.streams.getMessage(this.stream, { seq })) === null) return false;
      throw error;
    }
  }

  /** Jobs of `stage` stored and not yet acknowledged (waiting plus in flight). */
  async outstanding(stage: string): Promise<number> {
    const info = await this.jsm.consumers.info(this.stream, consumerName(stage));
    return info.num_pending + info.num_ack_pending;
  }
}

/** Fills in defaults and rejects nonsense policies with an Error naming the field. */
export function resolvePolicy(policy: Partial<ConsumerPolicy>): ConsumerPolicy {
  const full = { ...DEFAULT_CONSUMER_POLICY, ...policy };
  if (!(full.ackWaitMs >= 1))
    throw new Error(`consumer policy: ackWaitMs must be ≥ 1, got ${full.ackWaitMs}`);
  if (!Number.isInteger(full.maxDeliver) || full.maxDeliver < 1) {
    throw new Error(`consumer policy: maxDeliver must be an integer ≥ 1, got ${full.maxDeliver}`);
  }
  if (!Number.isInteger(full.maxAckPending) || full.maxAckPending < 1) {
    throw new Error(`consumer policy: maxAckPending must be an integer ≥ 1, got ${full.maxAckPending}`);
  }
  if (full.backoffMs.length === 0 || full.backoffMs.some((ms) => !(ms >= 0))) {
    throw new Error(
      `consumer policy: backoffMs must be non-empty and ≥ 0, got [${full.backoffMs.join(', ')}]`,
    );
  }
  return full;
}

/**
 * The client side of the JetStream transport. `send(pattern, data)` is a control-plane request
 * (core NATS request-reply, msgpack) that always ends: with the reply, with BusRequestError
 * 'no-responders' at once when nobody serves the subject, or 'timeout' after `timeoutMs` when the
 * server never answers. `emit(jobSubject(group), job)` submits a job to the work queue, deduplicated
 * by its id.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { type BusCodec, createBusCodec } from '../codec.js';
import { type BusConnectionOptions, connectBus, requestReply } from '../connection.js';
import { BusMessageError } from '../errors.js';
import { parseJob } from '../schemas.js';
import { jobSubject } from '../subjects.js';
import { WorkQueue } from '../work-queue.js';
import { decodeReply } from './control-plane.js';

export interface JetStreamClientOptions {
  /** Connection options (the client opens and closes its own connection), or a connection to share. */
  connection: BusConnectionOptions | NatsConnection;
  /** Milliseconds a request waits for its reply (default 5000). */
  timeoutMs?: number;
  codec?: BusCodec;
}

export class JetStreamClientProxy extends ClientProxy {
  private readonly codec: BusCodec;
  private readonly timeoutMs: number;
  private nc: NatsConnection | undefined;
  private connecting: Promise<NatsConnection> | undefined;
  private queue: Promise<WorkQueue> | undefined;

  constructor(private readonly options: JetStreamClientOptions) {
    super();
    this.codec = options.codec ?? createBusCodec();
    this.timeoutMs = options.timeoutMs ?? 5_000;
    if (!(this.timeoutMs > 0))
      throw new Error(`JetStream client: timeoutMs must be > 0, got ${this.timeoutMs}`);
  }

  connect(): Promise<NatsConnection> {
    this.connecting ??= this.open().catch((err: unknown) => {
      this.connecting = undefined;
      throw err;
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    const owned = !isConnection(this.options.connection);
    const nc = this.nc;
    this.nc = undefined;
    this.connecting = undefined;
    this.queue = undefined;
    if (owned && nc && !nc.isClosed()) await nc.close();
  }

  unwrap<T>(): T {
    if (!this.nc) throw new Error('the JetStream client is not connected (connect() first)');
    return this.nc as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const subject = this.normalizePattern(packet.pattern);
    this.request(subject, packet.data).then(callback, (err: unknown) => callback({ err }));
    // A core NATS request cannot be withdrawn; its timeout ends it.
    return () => {};
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const subject = this.normalizePattern(packet.pattern);
    const job = parseJob(packet.data);
    if (subject !== jobSubject(job.stage)) {
      throw new BusMessageError('invalid', `job for stage "${job.stage}" emitted on ${subject}`, 'stage');
    }
    const { connection } = this.options;
    const replicas = isConnection(connection) ? 1 : (connection.replicas ?? 1);
    this.queue ??= this.connect().then((nc) => WorkQueue.open(nc, { codec: this.codec, replicas }));
    const queue = await this.queue;
    return (await queue.submit(job)) as T;
  }

  private async request(subject: string, data: unknown): Promise<WritePacket> {
    const nc = await this.connect();
    const reply = decodeReply(
      await requestReply(nc, this.codec, subject, data ?? null, { timeoutMs: this.timeoutMs }),
      subject,
    );
    if ('err' in reply) return { err: new Error(`${subject}: ${reply.err}`), isDisposed: true };
    return { response: reply.response, isDisposed: true };
  }

  private async open(): Promise<NatsConnection> {
    const { connection } = this.options;
    this.nc = isConnection(connection) ? connection : await connectBus(connection);
    return this.nc;
  }
}

function isConnection(value: BusConnectionOptions | NatsConnection): value is NatsConnection {
  return typeof (value as NatsConnection).request === 'function';
}

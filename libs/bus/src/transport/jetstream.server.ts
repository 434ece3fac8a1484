/**
 * A NestJS transport strategy over JetStream. `@EventPattern(jobSubject(group))` handlers run the
 * group's jobs from its durable pull consumer (job-loop.ts: explicit ack, working() heartbeats, nak
 * with backoff, term + dead letter, size guard); `@MessagePattern('memgen.control.<group>.<action>')`
 * handlers answer core NATS requests (control-plane.ts). Both ride ONE NATS connection, which the
 * strategy opens in listen() and closes in close(), after draining: stop pulling, let running jobs
 * finish for the grace period, hand the rest back.
 */
import { retryWithBackoff } from '@memgen/common';
import type { Subscription } from '@nats-io/nats-core';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { BusConnectionOptions } from '../connection.js';
import { type BusLogger, defaultBusLogger } from '../logger.js';
import { stageOfSubject } from '../subjects.js';
import { type ConsumerPolicy, resolvePolicy } from '../work-queue.js';
import { type BusSession, openBusSession } from './bus-session.js';
import { CONTROL_SUBJECT, serveControl } from './control-plane.js';
import { JetStreamJobContext } from './jetstream.context.js';
import { consumeJobs, type JobHandler, type JobResult, type JobSettled, type JobWorker } from './job-loop.js';

export interface JetStreamServerOptions {
  /** Where and as whom to connect (credentials included); the only connection the process opens. */
  connection: BusConnectionOptions;
  /** Jobs each group runs at once (default 1). */
  slots?: number;
  policy?: Partial<ConsumerPolicy>;
  pullExpiresMs?: number;
  /** Largest job message accepted (default 1 MiB); bigger ones are dead-lettered as 'oversize'. */
  maxMessageBytes?: number;
  /** How long running jobs may take to finish on shutdown before they are handed back (default 30 s). */
  graceMs?: number;
  logger?: BusLogger;
}

/** One group's worker as the control plane reports it. */
export interface GroupStatus {
  stage: string;
  slots: number;
  busy: number;
  draining: boolean;
  done: number;
  failed: number;
  dead: number;
}

type StatusListener = (data: unknown) => void;

export class JetStreamServer extends Server implements CustomTransportStrategy {
  // Job handlers' errors decide ack, nak or term, so they must reach the transport.
  override readonly propagatesEventHandlerErrors = true;
  readonly slots: number;
  private readonly log: BusLogger;
  private session: BusSession | undefined;
  private readonly workers = new Map<string, JobWorker>();
  private readonly subscriptions: Subscription[] = [];
  private readonly settledListeners: ((event: JobSettled) => void)[] = [];
  private readonly statusListeners: [string, StatusListener][] = [];
  private closed: Promise<void> | undefined;

  constructor(private readonly options: JetStreamServerOptions) {
    super();
    this.slots = options.slots ?? 1;
    // Refuse a bad policy or slot count now, not after half a minute of start-up retries.
    if (!Number.isInteger(this.slots) || this.slots < 1)
      throw new Error(`JetStream transport: slots must be an integer ≥ 1, got ${this.slots}`);
    resolvePolicy(options.policy ?? {});
    this.log = options.logger ?? defaultBusLogger('memgen-transport');
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /** The connection and stores this transport holds. @throws Error before listen() has connected */
  bus(): BusSession {
    if (!this.session) throw new Error('the JetStream transport is not connected (listen() first)');
    return this.session;
  }

  /** The job groups served (one per `@EventPattern`), in registration order. */
  groups(): string[] {
    return [...this.workers.keys()];
  }

  groupStatus(group: string): GroupStatus {
    const worker = this.workerOf(group);
    return { stage: group, slots: this.slots, busy: worker.busy, draining: worker.draining, ...worker.stats };
  }

  /** Stops pulling jobs of `group` (default every group); resolves once running ones finished or were handed back. */
  async drain(group?: string): Promise<void> {
    const workers = group === undefined ? [...this.workers.values()] : [this.workerOf(group)];
    await Promise.all(workers.map((w) => w.drain({ graceMs: this.options.graceMs ?? 30_000 })));
  }

  /** A NATS round trip in milliseconds. @throws Error when the connection is closed */
  async ping(): Promise<number> {
    const nc = this.bus().nc;
    if (nc.isClosed()) throw new Error('NATS connection closed');
    return nc.rtt();
  }

  /** Tells `listener` about every settled job handler run (metrics). */
  onSettled(listener: (event: JobSettled) => void): void {
    this.settledListeners.push(listener);
  }

  /** Listens for a NATS connection status event ('disconnect', 'reconnect', 'error', …). */
  // biome-ignore lint/complexity/noBannedTypes: Server.on's signature types callbacks as Function
  on<EventKey extends string = string, EventCallback extends Function = StatusListener>(
    event: EventKey,
    callback: EventCallback,
  ): void {
    this.statusListeners.push([event, callback as unknown as StatusListener]);
  }

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  unwrap<T>(): T {
    return this.bus().nc as T;
  }

  private async start(): Promise<void> {
    const { jobs, control } = this.routes();
    const session = await openBusSession({
      connection: this.options.connection,
      logger: this.log,
      ...(this.options.maxMessageBytes === undefined
        ? {}
        : { maxMessageBytes: this.options.maxMessageBytes }),
    });
    this.session = session;
    void this.forwardStatus(session);
    const serving = {
      nc: session.nc,
      codec: session.queue.codec,
      log: this.log,
      toObservable: (result: unknown) => this.transformToObservable(result),
    };
    for (const [subject, handler] of control)
      this.subscriptions.push(serveControl(serving, subject, handler));
    for (const [group, subject, handler] of jobs) {
      this.workers.set(group, await this.startWorker(session, group, this.jobHandler(subject, handler)));
    }
    this.log.info(
      { groups: this.groups(), control: control.map(([s]) => s) },
      'JetStream transport listening',
    );
  }

  /** Splits the registered handlers into job groups and control subjects, refusing any other pattern. */
  private routes() {
    const jobs: [string, string, MessageHandler][] = [];
    const control: [string, MessageHandler][] = [];
    for (const [pattern, handler] of this.messageHandlers) {
      if (handler.isEventHandler) {
        const group = stageOfSubject(pattern);
        if (group === undefined) {
          throw new Error(
            `@EventPattern(${JSON.stringify(pattern)}): the JetStream transport serves memgen.jobs.<group> only`,
          );
        }
        jobs.push([group, pattern, handler]);
      } else {
        if (!CONTROL_SUBJECT.test(pattern)) {
          throw new Error(
            `@MessagePattern(${JSON.stringify(pattern)}): expected memgen.control.<group>.<action>`,
          );
        }
        control.push([pattern, handler]);
      }
    }
    return { jobs, control };
  }

  private startWorker(session: BusSession, group: string, handler: JobHandler): Promise<JobWorker> {
    const { slots, policy, pullExpiresMs } = this.options;
    const start = () =>
      consumeJobs(session.queue, group, handler, {
        state: session.state,
        logger: this.log,
        onSettled: (event) => {
          for (const listener of this.settledListeners) listener(event);
        },
        ...(slots === undefined ? {} : { slots }),
        ...(policy === undefined ? {} : { policy }),
        ...(pullExpiresMs === undefined ? {} : { pullExpiresMs }),
      });
    // Creating the consumer is a JetStream call: ride out a server that is still restarting.
    return retryWithBackoff(start, {
      attempts: 60,
      delaysMs: [500],
      onRetry: (err, attempt) =>
        this.log.warn({ err, attempt, group }, 'start the consumer failed; retrying'),
    });
  }

  /** Runs a Nest event handler for one job and unwraps what it returns (value, promise or observable). */
  private jobHandler(subject: string, handler: MessageHandler): JobHandler {
    return async (job, context) => {
      const result = await handler(job, new JetStreamJobContext([subject, context]));
      const value = await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
      return value as JobResult | undefined;
    };
  }

  private workerOf(group: string): JobWorker {
    const worker = this.workers.get(group);
    if (!worker)
      throw new Error(
        `no jobs of group ${JSON.stringify(group)} are served here (serving: ${this.groups().join(', ') || 'none'})`,
      );
    return worker;
  }

  private async forwardStatus(session: BusSession): Promise<void> {
    for await (const status of session.nc.status()) {
      for (const [event, callback] of this.statusListeners) if (event === status.type) callback(status);
    }
  }

  private async shutdown(): Promise<void> {
    if (!this.session) return;
    await this.drain();
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    const nc = this.session.nc;
    await nc.drain().catch(() => nc.close());
    this.log.info('JetStream transport closed');
  }
}

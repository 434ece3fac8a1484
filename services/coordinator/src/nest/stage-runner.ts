/**
 * The provider that runs one stage's bus consumer inside a Nest app: starts on bootstrap, drains on
 * shutdown (enableShutdownHooks turns SIGTERM into that: running jobs finish within the grace
 * period or are handed back), and answers status / health for the control plane.
 */
import type { BusConnectionOptions, BusLogger, ConsumerPolicy } from '@memgen/bus';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { StageWorkerOptions } from '../nats-worker.js';
import type { SweepWorkers, startSweepWorkers } from '../worker-runtime.js';
import type { StageRegistry } from './stage-registry.js';
import { STAGE_OPTIONS, STAGE_REGISTRY, START_WORKERS } from './tokens.js';

export interface StageServiceOptions {
  stage: string;
  connection: BusConnectionOptions;
  slots: number;
  logger: BusLogger;
  policy?: Partial<ConsumerPolicy>;
  /** Largest job message accepted (default 1 MiB); bigger ones are dead-lettered as oversize. */
  maxMessageBytes?: number;
  /** Seconds running jobs may take to finish on shutdown (default 30). */
  graceSeconds?: number;
}

/** How a stage runner starts its workers (provided under START_WORKERS; tests provide another). */
export type StartWorkers = (options: Parameters<typeof startSweepWorkers>[0]) => Promise<SweepWorkers>;

export interface StageStatus {
  stage: string;
  slots: number;
  busy: number;
  draining: boolean;
  done: number;
  failed: number;
  dead: number;
}

@Injectable()
export class StageRunner implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private running: SweepWorkers | null = null;
  private drained: Promise<void> | null = null;
  private busy = 0;

  constructor(
    @Inject(STAGE_OPTIONS) readonly options: StageServiceOptions,
    @Inject(STAGE_REGISTRY) private readonly registry: StageRegistry,
    @Inject(START_WORKERS) private readonly start: StartWorkers,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const onJob: StageWorkerOptions['onJob'] = (event) => {
      this.busy += event.phase === 'start' ? 1 : -1;
      this.registry.observe(event);
    };
    this.running = await this.start({
      connection: this.options.connection,
      stages: [this.options.stage],
      slots: this.options.slots,
      logger: this.options.logger.child({ service: this.options.stage }),
      ...(this.options.policy ? { policy: this.options.policy } : {}),
      ...(this.options.maxMessageBytes ? { maxMessageBytes: this.options.maxMessageBytes } : {}),
      onJob,
    });
    this.registry.add(this);
  }

  /** Nest runs shutdown hooks one module at a time: start every stage's drain here, together. */
  beforeApplicationShutdown(signal?: string): void {
    this.options.logger.info({ stage: this.options.stage, signal }, 'shutting down: draining');
    void this.drain();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.drain();
  }

  /** Stops taking jobs; resolves when running ones finished or were handed back. */
  drain(): Promise<void> {
    if (!this.running) return Promise.resolve();
    this.drained ??= this.running.drain((this.options.graceSeconds ?? 30) * 1000);
    return this.drained;
  }

  status(): StageStatus {
    const stats = this.running?.workers[0]?.stats ?? { done: 0, failed: 0, dead: 0 };
    return {
      stage: this.options.stage,
      slots: this.options.slots,
      busy: this.busy,
      draining: this.drained !== null,
      ...stats,
    };
  }

  /** A NATS round trip (PING/PONG), in milliseconds. @throws when the connection is down. */
  async ping(): Promise<number> {
    if (!this.running || this.running.nc.isClosed())
      throw new Error(`${this.options.stage}: NATS connection closed`);
    return this.running.nc.rtt();
  }
}

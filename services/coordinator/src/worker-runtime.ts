/**
 * Everything a stage worker process holds: one NATS connection, the work queue, artefact and state
 * stores, and one consumer per stage. Shared by `memgen worker` and the NestJS stage services.
 */
import {
  ArtefactStore,
  type BusConnectionOptions,
  type BusLogger,
  type ConsumerPolicy,
  connectBus,
  createBusCodec,
  type JobWorker,
  StateStore,
  WorkQueue,
} from '@memgen/bus';
import { initBackend } from '@memgen/tensor';
import type { NatsConnection } from '@nats-io/nats-core';
import { type StageWorkerOptions, startStageWorker } from './nats-worker.js';
import { SWEEP_STAGES } from './plan.js';

export interface SweepWorkersOptions {
  connection: BusConnectionOptions;
  stages: readonly string[];
  slots: number;
  logger: BusLogger;
  policy?: Partial<ConsumerPolicy>;
  pullExpiresMs?: number;
  onJob?: StageWorkerOptions['onJob'];
  /** Largest job message accepted (default the bus codec's 1 MiB); bigger ones are dead-lettered. */
  maxMessageBytes?: number;
}

export interface SweepWorkers {
  nc: NatsConnection;
  workers: JobWorker[];
  /** Stops pulling, lets running jobs finish for graceMs (then hands them back), closes the connection. */
  drain(graceMs?: number): Promise<void>;
}

/**
 * Parses a `--stages` list (comma-separated).
 * @throws Error naming the unknown stage.
 */
export function parseStages(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [...SWEEP_STAGES];
  const stages = value.split(',').map((s) => s.trim());
  for (const stage of stages) {
    if (!(SWEEP_STAGES as readonly string[]).includes(stage)) {
      throw new Error(`--stages: unknown stage ${JSON.stringify(stage)}; known: ${SWEEP_STAGES.join(', ')}`);
    }
  }
  return [...new Set(stages)];
}

/**
 * Retries a start-up call while the server is unreachable (a restart takes seconds; the connection
 * reconnects by itself), so a worker started during an outage waits instead of exiting.
 */
async function duringOutage<T>(what: string, logger: BusLogger, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= 60) throw err;
      logger.warn({ err, attempt }, `${what} failed; retrying`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** Connects and starts one consumer per stage, each with `slots` slots. */
export async function startSweepWorkers(options: SweepWorkersOptions): Promise<SweepWorkers> {
  await initBackend({ log: false });
  const nc = await connectBus(options.connection);
  try {
    const log = options.logger;
    const queue = await duringOutage('open the work queue', log, () =>
      WorkQueue.open(
        nc,
        options.maxMessageBytes ? { codec: createBusCodec({ maxBytes: options.maxMessageBytes }) } : {},
      ),
    );
    const store = await duringOutage('open the artefact store', log, () => ArtefactStore.open(nc));
    const state = await duringOutage('open the state store', log, () => StateStore.open(nc));
    const deps = { queue, store, state, logger: options.logger };
    const workers: JobWorker[] = [];
    for (const stage of options.stages) {
      workers.push(
        await duringOutage(`start the ${stage} consumer`, log, () =>
          startStageWorker(deps, stage, {
            slots: options.slots,
            ...(options.policy ? { policy: options.policy } : {}),
            ...(options.pullExpiresMs ? { pullExpiresMs: options.pullExpiresMs } : {}),
            ...(options.onJob ? { onJob: options.onJob } : {}),
          }),
        ),
      );
    }
    options.logger.info({ stages: options.stages, slots: options.slots }, 'sweep workers started');
    return {
      nc,
      workers,
      async drain(graceMs = 30_000) {
        await Promise.all(workers.map((w) => w.drain({ graceMs })));
        await nc.drain().catch(() => nc.close());
      },
    };
  } catch (err) {
    await nc.close();
    throw err;
  }
}

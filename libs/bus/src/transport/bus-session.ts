/**
 * Everything a worker process holds on the bus, over ONE NATS connection: the jobs stream, the
 * state bucket, the coordinator's ledger (which a worker only reads) and the artefact bucket. Opening retries while the server is unreachable (a restart
 * takes seconds and the connection reconnects by itself), so a worker started during an outage
 * waits instead of exiting.
 */
import { retryWithBackoff } from '@memgen/common';
import type { NatsConnection } from '@nats-io/nats-core';
import { ArtefactStore } from '../artefacts.js';
import { createBusCodec } from '../codec.js';
import { type BusConnectionOptions, connectBus } from '../connection.js';
import type { BusLogger } from '../logger.js';
import { StateStore } from '../state.js';
import { LEDGER_BUCKET } from '../subjects.js';
import { WorkQueue } from '../work-queue.js';

export interface BusSession {
  nc: NatsConnection;
  queue: WorkQueue;
  state: StateStore;
  /** The coordinator's ledger (LEDGER_BUCKET): what it accepted as each job's outputs. */
  ledger: StateStore;
  store: ArtefactStore;
}

export interface BusSessionOptions {
  connection: BusConnectionOptions;
  /** Largest job message accepted (default the bus codec's 1 MiB); bigger ones are dead-lettered. */
  maxMessageBytes?: number;
  logger: BusLogger;
}

/** Calls during an outage: every 500 ms for half a minute. */
const OUTAGE_RETRY = { attempts: 60, delaysMs: [500] };

/** Connects and opens the stream and the buckets; closes the connection if any of them fails. */
export async function openBusSession(options: BusSessionOptions): Promise<BusSession> {
  const nc = await connectBus(options.connection);
  const duringOutage = <T>(what: string, call: () => Promise<T>) =>
    retryWithBackoff(call, {
      ...OUTAGE_RETRY,
      onRetry: (err, attempt) => options.logger.warn({ err, attempt }, `${what} failed; retrying`),
    });
  try {
    const codec = createBusCodec(
      options.maxMessageBytes === undefined ? {} : { maxBytes: options.maxMessageBytes },
    );
    const replicas = options.connection.replicas ?? 1;
    const queue = await duringOutage('open the work queue', () => WorkQueue.open(nc, { codec, replicas }));
    const store = await duringOutage('open the artefact store', () => ArtefactStore.open(nc, { replicas }));
    const state = await duringOutage('open the state store', () => StateStore.open(nc, { replicas }));
    const ledger = await duringOutage('open the ledger', () =>
      StateStore.open(nc, { bucket: LEDGER_BUCKET, replicas }),
    );
    return { nc, queue, state, ledger, store };
  } catch (err) {
    await nc.close();
    throw err;
  }
}

/**
 * The connection (and work queue and state store) a bus integration test opens before its tests and
 * closes after them. Called inside a describe block; the returned object is filled in by beforeAll.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll } from 'vitest';
import { connectBus } from '../connection.js';
import { StateStore } from '../state.js';
import type { JobWorker } from '../transport/job-loop.js';
import { WorkQueue } from '../work-queue.js';

export interface ConnectionFixture {
  nc: NatsConnection;
}

export interface BusFixture extends ConnectionFixture {
  queue: WorkQueue;
  state: StateStore;
  /** Workers the tests started: drained (100 ms grace) before the connection closes. */
  workers: JobWorker[];
}

/** A connection named `name` to the server at `url()`, closed after the tests. */
export function useConnection(url: () => string, name: string): ConnectionFixture {
  const fixture = {} as ConnectionFixture;
  beforeAll(async () => {
    fixture.nc = await connectBus({ url: url(), name });
  });
  afterAll(async () => {
    await fixture.nc?.close();
  });
  return fixture;
}

/** A connection with the work queue and state store opened on it; workers drained, then it closes. */
export function useBus(url: () => string, name: string): BusFixture {
  const bus = { workers: [] as JobWorker[] } as BusFixture;
  beforeAll(async () => {
    bus.nc = await connectBus({ url: url(), name });
    bus.queue = await WorkQueue.open(bus.nc);
    bus.state = await StateStore.open(bus.nc);
  });
  afterAll(async () => {
    await Promise.all(bus.workers.map((w) => w.drain({ graceMs: 100 })));
    await bus.nc?.close();
  });
  return bus;
}

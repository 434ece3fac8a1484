import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithNats } from '../../../test/support/nats-server.js';
import { connectBus } from './connection.js';
import { makeJob } from './schemas.js';
import { memoryLogger, sleep, waitFor } from './testing/bus-test-kit.js';
import { consumeJobs, type JobWorker } from './transport/job-loop.js';
import { WorkQueue } from './work-queue.js';

describeWithNats('nats-server restart mid-stream', (server) => {
  let nc: NatsConnection;
  let queue: WorkQueue;
  let worker: JobWorker | undefined;
  let reconnects = 0;

  beforeAll(async () => {
    nc = await connectBus({ url: server().url, name: 'reconnect-test', reconnectWaitMs: 200 });
    (async () => {
      for await (const status of nc.status()) if (status.type === 'reconnect') reconnects++;
    })();
    queue = await WorkQueue.open(nc);
  });
  afterAll(async () => {
    await worker?.drain({ graceMs: 100 });
    await nc?.close();
  });

  /** Submits, retrying while the client is still reconnecting. */
  async function submitEventually(stage: string, spec: unknown) {
    const job = makeJob({ stage, runId: 'run-restart', spec });
    await waitFor(
      `submitting ${JSON.stringify(spec)}`,
      () =>
        queue.submit(job).then(
          () => true,
          () => false,
        ),
      15_000,
    );
    return job;
  }

  it('reconnects and keeps working through a graceful and a hard restart, losing no job', async () => {
    const handled = new Map<string, number>();
    let slowRunning = false;
    worker = await consumeJobs(
      queue,
      'restart',
      async (job) => {
        if ((job.spec as { slow?: boolean }).slow) {
          slowRunning = true;
          await sleep(1500); // the server goes down and comes back while this "trains"
        }
        handled.set(job.id, (handled.get(job.id) ?? 0) + 1);
      },
      {
        pullExpiresMs: 1000,
        policy: { ackWaitMs: 3000, maxDeliver: 5, backoffMs: [100] },
        logger: memoryLogger().logger,
      },
    );
    const before = await submitEventually('restart', { n: 1 });
    await waitFor('the first job', () => handled.has(before.id));
    // Restart only once its ack has reached the server: a restart racing the ack redelivers the job
    // (at-least-once), which is correct behaviour but not what this test checks.
    await waitFor('the first ack', () =>
      queue.outstanding('restart').then(
        (n) => n === 0,
        () => false,
      ),
    );

    await server().restart();
    await waitFor('the client to reconnect', () => reconnects >= 1, 15_000);
    const afterGraceful = await submitEventually('restart', { n: 2 });
    await waitFor('a job after the graceful restart', () => handled.has(afterGraceful.id), 15_000);
    await waitFor('its ack', () =>
      queue.outstanding('restart').then(
        (n) => n === 0,
        () => false,
      ),
    );

    // Hard restart (SIGKILL) while a job is in flight and another waits in the stream.
    const inFlight = await submitEventually('restart', { n: 3, slow: true });
    await waitFor('the slow job to start', () => slowRunning);
    const queued = await submitEventually('restart', { n: 4 });
    await server().restart({ hard: true });
    await waitFor('the client to reconnect again', () => reconnects >= 2, 15_000);
    await waitFor('both jobs', () => handled.has(inFlight.id) && handled.has(queued.id), 20_000);
    await waitFor('the queue to empty', () =>
      queue.outstanding('restart').then(
        (n) => n === 0,
        () => false,
      ),
    );
    expect([...handled.keys()].sort()).toEqual([before.id, afterGraceful.id, inFlight.id, queued.id].sort());
    // Jobs that finished before a restart are never run again; the in-flight one at most twice.
    expect(handled.get(before.id)).toBe(1);
    expect(handled.get(afterGraceful.id)).toBe(1);
    expect(handled.get(inFlight.id)).toBeLessThanOrEqual(2);
  });
});

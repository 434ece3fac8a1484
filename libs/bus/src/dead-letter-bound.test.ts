/**
 * Dead-letter records are bounded by count: a group keeps its newest maxDeadLetters, the oldest
 * (by write, not by name) are purged, and nothing else in the bucket — live job state, other
 * groups' dead letters — is touched.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeWithNats } from '../../../test/support/nats-server.js';
import { connectBus } from './connection.js';
import { PermanentJobError } from './errors.js';
import { DeadLetterSchema, makeJob } from './schemas.js';
import { StateStore } from './state.js';
import { memoryLogger, waitFor } from './testing/bus-test-kit.js';
import { consumeJobs, type JobWorker } from './transport/job-loop.js';
import { WorkQueue } from './work-queue.js';

const Note = z.object({ n: z.number() });

describeWithNats('bounded dead letters', (server) => {
  let nc: NatsConnection;
  let queue: WorkQueue;
  let state: StateStore;
  const workers: JobWorker[] = [];

  beforeAll(async () => {
    nc = await connectBus({ url: server().url, name: 'dead-letter-bound-test' });
    queue = await WorkQueue.open(nc);
    state = await StateStore.open(nc);
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.drain({ graceMs: 100 })));
    await nc?.close();
  });

  describe('StateStore.keepNewest', () => {
    it('purges the oldest writes first, whatever their names, and only under the filter', async () => {
      for (const [i, name] of ['e', 'b', 'd', 'a', 'c'].entries())
        await state.put(`trim.${name}`, Note, { n: i });
      await state.put('keep.z', Note, { n: 0 });
      expect(await state.keepNewest('trim.>', 3)).toEqual(['trim.e', 'trim.b']);
      expect(await state.keys('trim.>')).toEqual(['trim.a', 'trim.c', 'trim.d']);
      expect((await state.get('keep.z', Note))?.value).toEqual({ n: 0 });
      expect(await state.keepNewest('trim.>', 3)).toEqual([]);
    });
  });

  it('a worker keeps its newest maxDeadLetters records; job state and other groups stay', async () => {
    await state.put('job.live', Note, { n: 7 });
    await state.put('dead.other.kept', DeadLetterSchema, {
      v: 1,
      kind: 'dead-letter',
      stage: 'other',
      jobId: null,
      runId: null,
      cause: 'permanent',
      reason: 'another group',
      deliveries: 1,
      streamSeq: 1,
      at: new Date(0).toISOString(),
    });
    const jobs = [0, 1, 2, 3, 4].map((n) => makeJob({ stage: 'bounded', runId: `run-${n}`, spec: { n } }));
    for (const job of jobs) await queue.submit(job);
    const worker = await consumeJobs(
      queue,
      'bounded',
      async (job) => {
        throw new PermanentJobError(`job ${job.runId} cannot run`);
      },
      { pullExpiresMs: 1000, state, maxDeadLetters: 2, logger: memoryLogger().logger },
    );
    workers.push(worker);
    await waitFor('all five dead', () => worker.stats.dead === 5);
    await waitFor('the oldest purged', async () => (await state.keys('dead.bounded.>')).length === 2);
    const kept = await Promise.all(
      (await state.keys('dead.bounded.>')).map(
        async (key) => (await state.get(key, DeadLetterSchema))?.value.runId,
      ),
    );
    expect(kept.sort()).toEqual(['run-3', 'run-4']);
    expect((await state.get('job.live', Note))?.value).toEqual({ n: 7 });
    expect(await state.keys('dead.other.>')).toEqual(['dead.other.kept']);
  });
});

/**
 * Dead-letter records are bounded by count: a group keeps its newest maxDeadLetters, the oldest
 * (by write, not by name) are purged, and nothing else in the bucket — live job state, other
 * groups' dead letters — is touched.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeWithNats } from '../../../test/support/nats-server.js';
import { PermanentJobError } from './errors.js';
import { DeadLetterSchema, makeJob } from './schemas.js';
import { useBus } from './testing/bus-fixture.js';
import { memoryLogger, waitFor } from './testing/bus-test-kit.js';
import { consumeJobs } from './transport/job-loop.js';

const Note = z.object({ n: z.number() });

describeWithNats('bounded dead letters', (server) => {
  const bus = useBus(() => server().url, 'dead-letter-bound-test');

  describe('StateStore.keepNewest', () => {
    it('purges the oldest writes first, whatever their names, and only under the filter', async () => {
      for (const [i, name] of ['e', 'b', 'd', 'a', 'c'].entries())
        await bus.state.put(`trim.${name}`, Note, { n: i });
      await bus.state.put('keep.z', Note, { n: 0 });
      expect(await bus.state.keepNewest('trim.>', 3)).toEqual(['trim.e', 'trim.b']);
      expect(await bus.state.keys('trim.>')).toEqual(['trim.a', 'trim.c', 'trim.d']);
      expect((await bus.state.get('keep.z', Note))?.value).toEqual({ n: 0 });
      expect(await bus.state.keepNewest('trim.>', 3)).toEqual([]);
    });
  });

  it('a worker keeps its newest maxDeadLetters records; job state and other groups stay', async () => {
    await bus.state.put('job.live', Note, { n: 7 });
    await bus.state.put('dead.other.kept', DeadLetterSchema, {
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
    for (const job of jobs) await bus.queue.submit(job);
    const worker = await consumeJobs(
      bus.queue,
      'bounded',
      async (job) => {
        throw new PermanentJobError(`job ${job.runId} cannot run`);
      },
      { pullExpiresMs: 1000, state: bus.state, maxDeadLetters: 2, logger: memoryLogger().logger },
    );
    bus.workers.push(worker);
    await waitFor('all five dead', () => worker.stats.dead === 5);
    await waitFor('the oldest purged', async () => (await bus.state.keys('dead.bounded.>')).length === 2);
    const kept = await Promise.all(
      (await bus.state.keys('dead.bounded.>')).map(
        async (key) => (await bus.state.get(key, DeadLetterSchema))?.value.runId,
      ),
    );
    expect(kept.sort()).toEqual(['run-3', 'run-4']);
    expect((await bus.state.get('job.live', Note))?.value).toEqual({ n: 7 });
    expect(await bus.state.keys('dead.other.>')).toEqual(['dead.other.kept']);
  });
});

/**
 * Deterministic spec errors on a real nats-server, through the sweep stage handler: each is
 * dead-lettered on its FIRST delivery with its reason (never retried as transient), a message
 * naming a stage that is not the one it arrived for is termed, and a good job behind them still
 * completes with its outputs stored.
 */
import {
  ArtefactStore,
  connectBus,
  consumeJobs,
  DeadLetterSchema,
  type JobMessage,
  type JobWorker,
  jobSubject,
  makeJob,
  StateStore,
  stateKey,
  WorkQueue,
} from '@memgen/bus';
import { useTestBackend } from '@memgen/tensor';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { memoryLogger, waitFor } from '../../../libs/bus/src/testing/bus-test-kit.js';
import { describeWithNats } from '../../../test/support/nats-server.js';
import { JobStateSchema, jobStateKey } from './job-state.js';
import { sweepJobHandler } from './nats-worker.js';
import { expandSweep, unitJob } from './plan.js';
import { parseSweepSpec, type SweepSpec } from './sweep-spec.js';
import { tinySweepSpec } from './testing/tiny-sweep.js';

/** Retries would show: three deliveries allowed, 100 ms apart. */
const POLICY = { ackWaitMs: 10_000, maxDeliver: 3, backoffMs: [100] };

function trainingJob(model: Record<string, unknown>, seed = 0): JobMessage {
  const base = tinySweepSpec([seed]);
  const train: Record<string, unknown> = {
    ...base.train,
    phases: [{ name: 'rule', steps: 4, mix: { any: 1 }, lr: 0.003, warmupSteps: 0 }],
  };
  const spec: SweepSpec = { ...base, train: { ...train, model: { ...(train.model as object), ...model } } };
  const [unit] = expandSweep(parseSweepSpec(spec));
  return unitJob(unit!, 'training', []);
}

describeWithNats('spec errors are permanent on NATS workers', (server) => {
  let nc: NatsConnection;
  let queue: WorkQueue;
  let state: StateStore;
  let store: ArtefactStore;
  let worker: JobWorker | undefined;

  beforeAll(async () => {
    await useTestBackend();
    nc = await connectBus({ url: server().url, name: 'spec-errors-test' });
    queue = await WorkQueue.open(nc);
    state = await StateStore.open(nc);
    store = await ArtefactStore.open(nc);
  });
  afterAll(async () => {
    await worker?.drain({ graceMs: 100 });
    await nc?.close();
  });

  it('dead-letters nCtx 1, model.init /etc and an out-of-range seed on delivery 1, terms a wrong-stage message, and completes the good job', async () => {
    const shortContext = trainingJob({ nCtx: 1 });
    const foreignInit = trainingJob({ init: '/etc' }, 1);
    const good = trainingJob({}, 2);
    const hugeSeed = makeJob({
      stage: 'training',
      runId: 'color-smoke-s4294967296',
      spec: { train: { ...(good.spec as { train: object }).train, seed: 2 ** 32 } },
    });
    const stray = makeJob({ stage: 'nosuch', runId: 'stray', spec: {} });
    for (const job of [shortContext, foreignInit, hugeSeed]) await queue.submit(job);
    const strayAck = await queue.js.publish(jobSubject('training'), queue.codec.encode(stray));
    await queue.submit(good);

    worker = await consumeJobs(queue, 'training', sweepJobHandler({ store, state }), {
      policy: POLICY,
      pullExpiresMs: 1000,
      state,
      logger: memoryLogger().logger,
    });
    const deadOf = async (id: string) =>
      (await state.get(stateKey('dead', 'training', id), DeadLetterSchema))?.value;
    await waitFor(
      'the good job to be recorded done',
      async () => (await state.get(jobStateKey(good.id), JobStateSchema)) !== null,
      60_000,
    );
    await waitFor('four dead letters', async () => (await state.keys('dead.training.>')).length === 4);

    const expected: [JobMessage, RegExp][] = [
      [shortContext, /^model\.nCtx 1 is shorter than the longest item \(\d+ tokens\)$/],
      [
        foreignInit,
        /^model\.init "\/etc": on a distributed worker model\.init must be a relative path inside the job's run directory/,
      ],
      [hugeSeed, /: train spec: field "seed": expected an integer from 0 to 4294967295/],
    ];
    for (const [job, reason] of expected) {
      const dead = await deadOf(job.id);
      expect(dead).toMatchObject({ cause: 'permanent', deliveries: 1, jobId: job.id, runId: job.runId });
      expect(dead?.reason).toMatch(reason);
    }
    expect(await deadOf(`seq-${strayAck.seq}`)).toMatchObject({
      cause: 'invalid',
      deliveries: 1,
      reason: 'job for stage "nosuch" arrived on memgen.jobs.training',
    });
    // Nothing retried, nothing lost: the good job ran once and its outputs are in the store.
    expect(worker.stats).toEqual({ done: 1, failed: 0, dead: 4 });
    const done = (await state.get(jobStateKey(good.id), JobStateSchema))?.value;
    expect(done).toMatchObject({ state: 'done', attempts: 1 });
    expect(done?.outputs.map((o) => o.name)).toContain(`jobs/${good.id}/checkpoint/model.safetensors`);
    for (const ref of done?.outputs ?? []) expect(await store.holds(ref)).toBe(true);
    await waitFor('the queue to empty', async () => (await queue.outstanding('training')) === 0);
  });
});

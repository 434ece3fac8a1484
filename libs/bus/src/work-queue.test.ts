import { expect, it } from 'vitest';
import { describeWithNats } from '../../../test/support/nats-server.js';
import { createBusCodec } from './codec.js';
import { BusMessageError, PermanentJobError } from './errors.js';
import { DeadLetterSchema, makeJob } from './schemas.js';
import { jobSubject } from './subjects.js';
import { useBus } from './testing/bus-fixture.js';
import { collectEvents, memoryLogger, noteJobs, waitFor } from './testing/bus-test-kit.js';
import { consumeJobs } from './transport/job-loop.js';
import { WorkQueue } from './work-queue.js';

const FAST = { pullExpiresMs: 1000, policy: { ackWaitMs: 2000, maxDeliver: 3, backoffMs: [100] } };

describeWithNats('work queue', (server) => {
  const bus = useBus(() => server().url, 'work-queue-test');

  const job = (stage: string, spec: unknown) => makeJob({ stage, runId: 'run-1', spec });

  it('stores a job submitted twice with the same id once, and delivers it once', async () => {
    const first = await bus.queue.submit(job('dedupe', { n: 1 }));
    const again = await bus.queue.submit(job('dedupe', { n: 1 }));
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ seq: first.seq, duplicate: true });
    const { worker, noted: handled } = await noteJobs(bus.queue, 'dedupe', (j) => j.id, {
      ...FAST,
      logger: memoryLogger().logger,
    });
    bus.workers.push(worker);
    await waitFor('the job to be handled', () => handled.length === 1);
    await waitFor('the queue to empty', async () => (await bus.queue.outstanding('dedupe')) === 0);
    // A resubmission after completion (inside the duplicate window) is still recognised.
    expect((await bus.queue.submit(job('dedupe', { n: 1 }))).duplicate).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(handled).toEqual([job('dedupe', { n: 1 }).id]);
    // A deliberate re-run uses its own dedupe key.
    const rerun = await bus.queue.submit(
      makeJob({ stage: 'dedupe', runId: 'run-1', spec: { n: 1 }, attempt: 2 }),
      {
        dedupeKey: `${job('dedupe', { n: 1 }).id}.2`,
      },
    );
    expect(rerun.duplicate).toBe(false);
    await waitFor('the re-run', () => handled.length === 2);
  });

  it('redelivers a job whose handler failed transiently, then completes it', async () => {
    await bus.nc.flush();
    const events = collectEvents(bus.nc, bus.queue.codec, 'retry');
    await bus.nc.flush();
    const deliveries: number[] = [];
    const { logger, lines } = memoryLogger();
    const worker = await consumeJobs(
      bus.queue,
      'retry',
      async (_j, ctx) => {
        deliveries.push(ctx.deliveryCount);
        if (ctx.deliveryCount === 1) throw new Error('GPU out of memory (transient)');
        return { outputs: [{ name: 'runs/run-1/out.bin', digest: 'c'.repeat(64), size: 5 }] };
      },
      { ...FAST, logger },
    );
    bus.workers.push(worker);
    const submitted = job('retry', { n: 2 });
    await bus.queue.submit(submitted);
    await waitFor('the retry to succeed', () => worker.stats.done === 1);
    expect(deliveries).toEqual([1, 2]);
    expect(worker.stats).toEqual({ done: 1, failed: 1, dead: 0 });
    await waitFor('both events', () => events.events.length === 2);
    expect(events.events.map((e) => [e.outcome, e.jobId, e.reason])).toEqual([
      ['failed', submitted.id, 'GPU out of memory (transient)'],
      ['done', submitted.id, undefined],
    ]);
    expect(events.events[1]?.outputs).toEqual([
      { name: 'runs/run-1/out.bin', digest: 'c'.repeat(64), size: 5 },
    ]);
    const retryLine = lines.find((l) => l.msg === 'job failed, will retry');
    expect(retryLine).toMatchObject({ jobId: submitted.id, runId: 'run-1', stage: 'retry', retryInMs: 100 });
    events.stop();
  });

  it('dead-letters a permanent failure at once and keeps serving the next job', async () => {
    const bad = job('perm', { input: 'unreadable' });
    const good = job('perm', { input: 'fine' });
    const handled: string[] = [];
    const worker = await consumeJobs(
      bus.queue,
      'perm',
      async (j) => {
        if (j.id === bad.id) throw new PermanentJobError('input file is not a valid safetensors file');
        handled.push(j.id);
      },
      { ...FAST, state: bus.state, logger: memoryLogger().logger },
    );
    bus.workers.push(worker);
    await bus.queue.submit(bad);
    await bus.queue.submit(good);
    await waitFor('the good job', () => handled.length === 1);
    expect(handled).toEqual([good.id]);
    const dead = await bus.state.get(`dead.perm.${bad.id}`, DeadLetterSchema);
    expect(dead?.value).toMatchObject({
      jobId: bad.id,
      runId: 'run-1',
      stage: 'perm',
      cause: 'permanent',
      reason: 'input file is not a valid safetensors file',
      deliveries: 1,
    });
    expect(worker.stats).toEqual({ done: 1, failed: 0, dead: 1 });
    await waitFor('the queue to empty', async () => (await bus.queue.outstanding('perm')) === 0);
  });

  it('dead-letters a job that keeps failing once max_deliver is reached', async () => {
    const doomed = job('flaky', { n: 3 });
    const deliveries: number[] = [];
    const worker = await consumeJobs(
      bus.queue,
      'flaky',
      async (_j, ctx) => {
        deliveries.push(ctx.deliveryCount);
        throw new Error('network blip');
      },
      { ...FAST, state: bus.state, logger: memoryLogger().logger },
    );
    bus.workers.push(worker);
    await bus.queue.submit(doomed);
    await waitFor(
      'the dead letter',
      async () => (await bus.state.get(`dead.flaky.${doomed.id}`, DeadLetterSchema)) !== null,
    );
    expect(deliveries).toEqual([1, 2, 3]);
    const dead = await bus.state.get(`dead.flaky.${doomed.id}`, DeadLetterSchema);
    expect(dead?.value).toMatchObject({
      cause: 'max-deliver',
      deliveries: 3,
      reason: 'gave up after 3 deliveries: network blip',
    });
  });

  it('rejects malformed and invalid messages with a logged reason and stays up', async () => {
    const { logger, lines } = memoryLogger();
    const options = { ...FAST, state: bus.state, logger };
    const { worker, noted: handled } = await noteJobs(bus.queue, 'bad', (j) => j, options);
    bus.workers.push(worker);
    const garbage = await bus.queue.js.publish(jobSubject('bad'), new Uint8Array([0x92, 0x01]));
    const forged = { ...job('bad', { n: 1 }), spec: { n: 666 } }; // id no longer matches
    const invalid = await bus.queue.js.publish(jobSubject('bad'), bus.queue.codec.encode(forged));
    const wrongStage = await bus.queue.js.publish(
      jobSubject('bad'),
      bus.queue.codec.encode(job('train', { n: 1 })),
    );
    const fine = job('bad', { n: 2 });
    await bus.queue.submit(fine);
    await waitFor('the valid job', () => handled.length === 1);
    expect(handled[0]?.id).toBe(fine.id);
    const rejected = lines.filter((l) => l.msg === 'rejected job message');
    expect(rejected.map((l) => [l.seq, l.problem])).toEqual([
      [garbage.seq, 'malformed'],
      [invalid.seq, 'invalid'],
      [wrongStage.seq, 'invalid'],
    ]);
    expect(rejected[0]?.reason).toMatch(/^undecodable msgpack message: /);
    expect(rejected[1]?.reason).toMatch(/^invalid message: field "id": /);
    expect(rejected[2]?.reason).toBe('job for stage "train" arrived on memgen.jobs.bad');
    const dead = await bus.state.get(`dead.bad.seq-${garbage.seq}`, DeadLetterSchema);
    expect(dead?.value).toMatchObject({ jobId: null, cause: 'malformed', streamSeq: garbage.seq });
    expect(worker.stats).toEqual({ done: 1, failed: 0, dead: 3 });
    // Rejected messages are gone from the stream, not parked for a future consumer.
    await waitFor('the queue to empty', async () => (await bus.queue.outstanding('bad')) === 0);
  });

  it('refuses oversize jobs at submit, at the stream, and at a worker with a smaller limit', async () => {
    const huge = job('big', { blob: 'x'.repeat(1_100_000) });
    const before = (await bus.queue.jsm.streams.info(bus.queue.stream)).state.last_seq;
    const error = await bus.queue.submit(huge).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusMessageError);
    expect((error as BusMessageError).problem).toBe('oversize');
    await expect(bus.queue.js.publish(jobSubject('big'), new Uint8Array(1_100_000))).rejects.toThrow(
      /message size exceeds maximum allowed/,
    );
    expect((await bus.queue.jsm.streams.info(bus.queue.stream)).state.last_seq).toBe(before);

    // A worker configured for 64 KiB messages meets a 100 KiB job the stream accepted.
    const strictQueue = await WorkQueue.open(bus.nc, { codec: createBusCodec({ maxBytes: 64 * 1024 }) });
    const { logger, lines } = memoryLogger();
    const options = { ...FAST, state: bus.state, logger };
    const { worker, noted: handled } = await noteJobs(strictQueue, 'big', (j) => j.id, options);
    bus.workers.push(worker);
    const tooBig = await bus.queue.submit(job('big', { blob: 'y'.repeat(100_000) }));
    const small = job('big', { blob: 'small' });
    await bus.queue.submit(small);
    await waitFor('the small job', () => handled.length === 1);
    expect(handled).toEqual([small.id]);
    const line = lines.find((l) => l.msg === 'rejected job message');
    expect(line).toMatchObject({ seq: tooBig.seq, problem: 'oversize' });
    expect(line?.reason).toMatch(/^message of 100\d{3} bytes exceeds the 65536-byte limit$/);
  });
});

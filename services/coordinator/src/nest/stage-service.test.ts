/**
 * A stage service's jobs through Nest: StageAppModule on the JetStream transport against a real
 * nats-server, the job runner swapped with overrideProvider. Good jobs are acked with their event,
 * transient failures nak'd and retried, permanent ones and bad messages (malformed, oversize, on the
 * wrong subject) dead-lettered with their reasons, and a drain hands a running job back.
 */
import {
  connectBus,
  DeadLetterSchema,
  JetStreamClientProxy,
  type JetStreamServerOptions,
  jobSubject,
  makeJob,
  StateStore,
  WorkQueue,
} from '@memgen/bus';
import type { JobGroupName } from '@memgen/pipeline';
import type { NatsConnection } from '@nats-io/nats-core';
import { lastValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { collectEvents, waitFor } from '../../../../libs/bus/src/testing/bus-test-kit.js';
import { describeWithNats } from '../../../../test/support/nats-server.js';
import {
  BlockingJobRunner,
  FakeJobRunner,
  permanentRunner,
  type StageUnderTest,
  startStageUnderTest,
  transientRunner,
} from '../testing/stage-test-kit.js';
import type { JobRunner } from './job-runner.js';

describeWithNats('stage service jobs over the JetStream transport', (server) => {
  let nc: NatsConnection;
  let queue: WorkQueue;
  let state: StateStore;
  let client: JetStreamClientProxy;
  const running: StageUnderTest[] = [];

  beforeAll(async () => {
    nc = await connectBus({ url: server().url, name: 'stage-service-test' });
    // The stream takes 1 MiB messages, so a job can reach a worker configured for less.
    queue = await WorkQueue.open(nc);
    state = await StateStore.open(nc);
    client = new JetStreamClientProxy({ connection: nc });
  });
  afterEach(async () => {
    for (const stage of running.splice(0)) await stage.app.close();
  });
  afterAll(async () => {
    await client?.close();
    await nc?.close();
  });

  const start = async (
    groups: readonly JobGroupName[],
    runner: JobRunner,
    options: Partial<JetStreamServerOptions> = {},
  ) => {
    const stage = await startStageUnderTest(server().url, groups, runner, options);
    running.push(stage);
    return stage;
  };
  const job = (group: JobGroupName, spec: unknown) => makeJob({ stage: group, runId: 'run-1', spec });
  const emptied = (group: JobGroupName) => async () => (await queue.outstanding(group)) === 0;

  it('acks a good job emitted through the client and publishes its done event', async () => {
    const runner = new FakeJobRunner();
    const { transport } = await start(['training'], runner);
    const events = collectEvents(nc, queue.codec, 'training');
    await nc.flush();
    const submitted = job('training', { n: 1 });
    await lastValueFrom(client.emit(jobSubject('training'), submitted), { defaultValue: undefined });
    await waitFor('the done event', () => events.events.length === 1);
    expect(runner.calls.map((c) => [c.job.id, c.deliveryCount])).toEqual([[submitted.id, 1]]);
    expect(events.events[0]).toMatchObject({ outcome: 'done', jobId: submitted.id, runId: 'run-1' });
    expect(events.events[0]?.outputs).toEqual([
      { name: `jobs/${submitted.id}/out.bin`, digest: 'c'.repeat(64), size: 5 },
    ]);
    await waitFor('the ack', emptied('training'));
    expect(transport.groupStatus('training')).toMatchObject({ done: 1, failed: 0, dead: 0, busy: 0 });
    events.stop();
  });

  it("refuses to emit a job on another group's subject", async () => {
    await expect(
      lastValueFrom(client.emit(jobSubject('fitting'), job('training', { n: 9 })), {
        defaultValue: undefined,
      }),
    ).rejects.toThrow('job for stage "training" emitted on memgen.jobs.fitting');
  });

  it("naks a transient failure, retries it after the policy's backoff, then acks it", async () => {
    const runner = transientRunner();
    const { transport, lines } = await start(['recording'], runner);
    const events = collectEvents(nc, queue.codec, 'recording');
    await nc.flush();
    const submitted = job('recording', { n: 2 });
    await queue.submit(submitted);
    await waitFor('both events', () => events.events.length === 2);
    expect(runner.calls.map((c) => c.deliveryCount)).toEqual([1, 2]);
    expect(events.events.map((e) => [e.outcome, e.reason])).toEqual([
      ['failed', 'GPU out of memory (transient)'],
      ['done', undefined],
    ]);
    expect(lines.find((l) => l.msg === 'job failed, will retry')).toMatchObject({
      jobId: submitted.id,
      stage: 'recording',
      retryInMs: 100,
    });
    await waitFor('the ack', emptied('recording'));
    expect(transport.groupStatus('recording')).toMatchObject({ done: 1, failed: 1, dead: 0 });
    events.stop();
  });

  it('dead-letters a permanent failure at once with its reason', async () => {
    const runner = permanentRunner();
    await start(['fitting'], runner);
    const events = collectEvents(nc, queue.codec, 'fitting');
    await nc.flush();
    const submitted = job('fitting', { n: 3 });
    await queue.submit(submitted);
    const key = `dead.fitting.${submitted.id}`;
    await waitFor('the dead letter', async () => (await state.get(key, DeadLetterSchema)) !== null);
    expect((await state.get(key, DeadLetterSchema))?.value).toMatchObject({
      cause: 'permanent',
      reason: 'input is not a valid safetensors file',
      deliveries: 1,
      jobId: submitted.id,
    });
    await waitFor('the dead event', () => events.events.length === 1);
    expect(events.events[0]).toMatchObject({
      outcome: 'dead',
      reason: 'input is not a valid safetensors file',
    });
    expect(runner.calls).toHaveLength(1);
    await waitFor('the stream to drop it', emptied('fitting'));
    events.stop();
  });

  it('dead-letters malformed, oversize and wrong-subject messages and serves the next job', async () => {
    const runner = new FakeJobRunner();
    const { transport, lines } = await start(['steering'], runner, { maxMessageBytes: 64 * 1024 });
    const garbage = await queue.js.publish(jobSubject('steering'), new Uint8Array([0xc1, 0x00, 0x13]));
    const oversize = await queue.submit(job('steering', { blob: 'x'.repeat(100_000) }));
    const misrouted = await queue.js.publish(
      jobSubject('steering'),
      queue.codec.encode(job('training', { n: 4 })),
    );
    const good = job('steering', { n: 5 });
    await queue.submit(good);
    await waitFor('the good job', () => runner.calls.length === 1);
    expect(runner.calls[0]?.job.id).toBe(good.id);
    const dead = async (seq: number) =>
      (await state.get(`dead.steering.seq-${seq}`, DeadLetterSchema))?.value;
    await waitFor('three dead letters', async () => (await state.keys('dead.steering.>')).length === 3);
    expect(await dead(garbage.seq)).toMatchObject({ cause: 'malformed', jobId: null });
    expect((await dead(garbage.seq))?.reason).toMatch(/^undecodable msgpack message: /);
    expect(await dead(oversize.seq)).toMatchObject({ cause: 'oversize' });
    expect((await dead(oversize.seq))?.reason).toMatch(
      /^message of 100\d{3} bytes exceeds the 65536-byte limit$/,
    );
    expect(await dead(misrouted.seq)).toMatchObject({
      cause: 'invalid',
      reason: 'job for stage "training" arrived on memgen.jobs.steering',
    });
    expect(lines.filter((l) => l.msg === 'rejected job message').map((l) => l.seq)).toEqual([
      garbage.seq,
      oversize.seq,
      misrouted.seq,
    ]);
    expect(transport.groupStatus('steering')).toMatchObject({ done: 1, dead: 3 });
    await waitFor('the stream to empty', emptied('steering'));
  });

  it('hands a running job back on close past the grace period; another service completes it', async () => {
    const blocking = new BlockingJobRunner();
    const first = await startStageUnderTest(server().url, ['training'], blocking, { graceMs: 200 });
    const submitted = job('training', { n: 6 });
    await queue.submit(submitted);
    await waitFor('the job to start', () => blocking.calls.length === 1);
    expect(first.transport.groupStatus('training').busy).toBe(1);
    await first.app.close();
    expect(String(blocking.abortedWith)).toContain('worker draining');
    expect(first.lines.some((l) => l.msg === 'handed job back on drain')).toBe(true);
    expect(first.transport.groupStatus('training')).toMatchObject({
      done: 0,
      failed: 0,
      dead: 0,
      draining: true,
    });

    const helper = new FakeJobRunner();
    await start(['training'], helper);
    await waitFor('the handed-back job', () => helper.calls.length === 1);
    expect(helper.calls.map((c) => [c.job.id, c.deliveryCount])).toEqual([[submitted.id, 2]]);
    await waitFor('the ack', emptied('training'));
  });
});

import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithNats } from '../../../test/support/nats-server.js';
import { connectBus } from './connection.js';
import { DeadLetterSchema } from './schemas.js';
import { StateStore } from './state.js';
import { jobSubject } from './subjects.js';
import { findUnroutable, termUnroutable } from './unroutable.js';
import { WorkQueue } from './work-queue.js';

describeWithNats('job messages no stage serves', (server) => {
  let nc: NatsConnection;
  let queue: WorkQueue;
  let state: StateStore;

  beforeAll(async () => {
    nc = await connectBus({ url: server().url, name: 'unroutable-test' });
    queue = await WorkQueue.open(nc);
    state = await StateStore.open(nc);
  });
  afterAll(async () => {
    await nc?.close();
  });

  it('are dead-lettered with the subject named and removed; jobs of known stages stay', async () => {
    const publish = (subject: string) => queue.js.publish(subject, new Uint8Array([1, 2, 3]));
    const kept = await publish(jobSubject('training'));
    const bogus = [await publish('memgen.jobs.bogus'), await publish('memgen.jobs.bogus')];
    const odd = await publish('memgen.jobs.Not_A_Stage');
    expect((await findUnroutable(queue, ['training'])).map((m) => m.seq)).toEqual(
      [...bogus, odd].map((a) => a.seq),
    );

    const termed = await termUnroutable(queue, state, ['training', 'recording']);
    expect(termed.map((m) => m.subject)).toEqual([
      'memgen.jobs.bogus',
      'memgen.jobs.bogus',
      'memgen.jobs.Not_A_Stage',
    ]);
    const dead = (await state.get(`dead.bogus.seq-${bogus[1]!.seq}`, DeadLetterSchema))?.value;
    expect(dead).toMatchObject({
      stage: 'bogus',
      cause: 'unroutable',
      jobId: null,
      streamSeq: bogus[1]!.seq,
      reason: 'no stage serves "memgen.jobs.bogus" (stages: training, recording)',
    });
    expect((await state.get(`dead.unknown.seq-${odd.seq}`, DeadLetterSchema))?.value.cause).toBe(
      'unroutable',
    );
    expect(await findUnroutable(queue, ['training'])).toEqual([]);
    const info = await queue.jsm.streams.info(queue.stream, { subjects_filter: '>' });
    expect(info.state.subjects).toEqual({ [jobSubject('training')]: 1 });
    expect((await queue.jsm.streams.getMessage(queue.stream, { seq: kept.seq }))?.seq).toBe(kept.seq);
  });
});

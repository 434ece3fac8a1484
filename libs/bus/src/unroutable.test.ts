import { expect, it } from 'vitest';
import { describeWithNats } from '../../../test/support/nats-server.js';
import { DeadLetterSchema } from './schemas.js';
import { jobSubject } from './subjects.js';
import { useBus } from './testing/bus-fixture.js';
import { findUnroutable, termUnroutable } from './unroutable.js';

describeWithNats('job messages no stage serves', (server) => {
  const bus = useBus(() => server().url, 'unroutable-test');

  it('are dead-lettered with the subject named and removed; jobs of known stages stay', async () => {
    const publish = (subject: string) => bus.queue.js.publish(subject, new Uint8Array([1, 2, 3]));
    const kept = await publish(jobSubject('training'));
    const bogus = [await publish('memgen.jobs.bogus'), await publish('memgen.jobs.bogus')];
    const odd = await publish('memgen.jobs.Not_A_Stage');
    expect((await findUnroutable(bus.queue, ['training'])).map((m) => m.seq)).toEqual(
      [...bogus, odd].map((a) => a.seq),
    );

    const termed = await termUnroutable(bus.queue, bus.state, ['training', 'recording']);
    expect(termed.map((m) => m.subject)).toEqual([
      'memgen.jobs.bogus',
      'memgen.jobs.bogus',
      'memgen.jobs.Not_A_Stage',
    ]);
    const dead = (await bus.state.get(`dead.bogus.seq-${bogus[1]!.seq}`, DeadLetterSchema))?.value;
    expect(dead).toMatchObject({
      stage: 'bogus',
      cause: 'unroutable',
      jobId: null,
      streamSeq: bogus[1]!.seq,
      reason: 'no stage serves "memgen.jobs.bogus" (stages: training, recording)',
    });
    expect((await bus.state.get(`dead.unknown.seq-${odd.seq}`, DeadLetterSchema))?.value.cause).toBe(
      'unroutable',
    );
    expect(await findUnroutable(bus.queue, ['training'])).toEqual([]);
    const info = await bus.queue.jsm.streams.info(bus.queue.stream, { subjects_filter: '>' });
    expect(info.state.subjects).toEqual({ [jobSubject('training')]: 1 });
    expect((await bus.queue.jsm.streams.getMessage(bus.queue.stream, { seq: kept.seq }))?.seq).toBe(kept.seq);
  });
});

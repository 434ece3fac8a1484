import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { describeWithNats } from '../../../test/support/nats-server.js';
import { createBusCodec } from './codec.js';
import { connectBus } from './connection.js';
import { BusMessageError } from './errors.js';
import { type StateChange, StateStore, stateKey } from './state.js';

const JobState = z.object({
  state: z.enum(['queued', 'running', 'done']),
  attempts: z.number().int().nonnegative(),
});
type JobState = z.infer<typeof JobState>;

describeWithNats('state store (KV)', (server) => {
  let nc: NatsConnection;
  let state: StateStore;

  beforeAll(async () => {
    nc = await connectBus({ url: server().url, name: 'state-test' });
    state = await StateStore.open(nc);
  });
  afterAll(async () => {
    await nc?.close();
  });

  it('puts and gets typed values, with revisions for compare-and-set', async () => {
    const key = stateKey('job', 'abc123');
    expect(key).toBe('job.abc123');
    expect(await state.get(key, JobState)).toBeNull();
    const r1 = await state.put(key, JobState, { state: 'queued', attempts: 0 }, { previousRevision: 0 });
    expect(await state.get(key, JobState)).toEqual({
      key,
      value: { state: 'queued', attempts: 0 },
      revision: r1,
    });
    // A second create-if-absent loses; an update at a stale revision loses.
    await expect(
      state.put(key, JobState, { state: 'queued', attempts: 0 }, { previousRevision: 0 }),
    ).rejects.toThrow();
    const r2 = await state.put(key, JobState, { state: 'running', attempts: 1 }, { previousRevision: r1 });
    await expect(
      state.put(key, JobState, { state: 'done', attempts: 1 }, { previousRevision: r1 }),
    ).rejects.toThrow();
    expect((await state.get(key, JobState))?.revision).toBe(r2);
    expect(await state.keys('job.>')).toEqual(['job.abc123']);
    await state.delete(key);
    expect(await state.get(key, JobState)).toBeNull();
  });

  it('refuses to store an invalid value and names the field', async () => {
    const error = await state
      .put('job.x', JobState, { state: 'exploded', attempts: 1 } as unknown as JobState)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusMessageError);
    expect((error as BusMessageError).field).toBe('state');
    expect(await state.get('job.x', JobState)).toBeNull();
  });

  it('reports a stored value that does not fit the schema instead of returning it', async () => {
    await state.kv.put('job.foreign', createBusCodec().encode({ state: 'done', attempts: -4 }));
    const error = await state.get('job.foreign', JobState).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusMessageError);
    expect((error as Error).message).toBe(
      'state memgen-state/job.foreign: invalid stored value: field "attempts": Too small: expected number to be >=0',
    );
    await state.kv.put('job.garbage', new Uint8Array([0x92, 0x01]));
    await expect(state.get('job.garbage', JobState)).rejects.toThrow(/job\.garbage: undecodable msgpack/);
    await state.delete('job.foreign');
    await state.delete('job.garbage');
  });

  it('watches current values then live changes, flagging invalid entries without stopping', async () => {
    await state.put('sweep.s1.job.a', JobState, { state: 'done', attempts: 1 });
    const watch = await state.watch('sweep.s1.>', JobState);
    const seen: StateChange<JobState>[] = [];
    const collecting = (async () => {
      for await (const change of watch) {
        seen.push(change);
        if (seen.length === 4) watch.stop();
      }
    })();
    await state.put('sweep.s1.job.b', JobState, { state: 'running', attempts: 2 });
    await state.kv.put('sweep.s1.job.c', new Uint8Array([0xc1]));
    await state.delete('sweep.s1.job.a');
    await collecting;
    expect(seen.map((c) => [c.operation, c.key])).toEqual([
      ['put', 'sweep.s1.job.a'],
      ['put', 'sweep.s1.job.b'],
      ['invalid', 'sweep.s1.job.c'],
      ['delete', 'sweep.s1.job.a'],
    ]);
    expect(seen[1]).toMatchObject({ value: { state: 'running', attempts: 2 } });
  });

  it('refuses unsafe key parts', () => {
    expect(() => stateKey('job', 'a.b')).toThrow(/state key part "a.b" must match/);
    expect(() => stateKey('job', '')).toThrow(/must match/);
  });
});

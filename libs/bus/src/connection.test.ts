import { HostTensor } from '@memgen/tensor';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithNats } from '../../../test/support/nats-server.js';
import { createBusCodec } from './codec.js';
import { connectBus, requestReply } from './connection.js';
import { BusMessageError, BusRequestError } from './errors.js';

describeWithNats('request/reply with timeouts', (server) => {
  let nc: NatsConnection;
  const codec = createBusCodec({ maxBytes: 64 * 1024 });

  beforeAll(async () => {
    nc = await connectBus({ url: server().url, name: 'request-test' });
    // An echo service that doubles a tensor, and a service that never answers.
    nc.subscribe('test.double', {
      callback: (_error, msg) => {
        const { t } = codec.decode(msg.data) as { t: HostTensor<'float32'> };
        const doubled = new HostTensor(
          'float32',
          t.shape,
          t.data.map((x) => 2 * x),
        );
        msg.respond(codec.encode({ t: doubled }));
      },
    });
    nc.subscribe('test.silent', { callback: () => {} });
    await nc.flush();
  });
  afterAll(async () => {
    await nc?.close();
  });

  it('round-trips a request carrying a tensor', async () => {
    const t = new HostTensor('float32', [2, 2], new Float32Array([1, -2, 0.5, 8]));
    const reply = (await requestReply(nc, codec, 'test.double', { t }, { timeoutMs: 2000 })) as {
      t: HostTensor<'float32'>;
    };
    expect(reply.t.shape).toEqual([2, 2]);
    expect([...reply.t.data]).toEqual([2, -4, 1, 16]);
  });

  it('fails fast with no-responders when nobody serves the subject', async () => {
    const started = Date.now();
    const error = await requestReply(nc, codec, 'test.unserved', { q: 1 }, { timeoutMs: 5000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BusRequestError);
    expect((error as BusRequestError).problem).toBe('no-responders');
    expect((error as Error).message).toBe('request to test.unserved: nobody serves this subject');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('times out with an error when a subscriber never replies', async () => {
    const started = Date.now();
    const error = await requestReply(nc, codec, 'test.silent', { q: 1 }, { timeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(BusRequestError);
    expect((error as BusRequestError).problem).toBe('timeout');
    expect((error as Error).message).toBe('request to test.silent: no reply within 300 ms');
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2000);
  });

  it('refuses an oversize request before sending and a request without a timeout', async () => {
    const big = new HostTensor('uint8', [70_000], new Uint8Array(70_000));
    const error = await requestReply(nc, codec, 'test.double', { big }, { timeoutMs: 1000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BusMessageError);
    expect((error as BusMessageError).problem).toBe('oversize');
    await expect(requestReply(nc, codec, 'test.double', {}, { timeoutMs: 0 })).rejects.toThrow(
      /timeoutMs must be a positive number/,
    );
  });
});

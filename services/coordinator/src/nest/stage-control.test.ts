/**
 * The stage services' control plane and their one connection: a process serving two job groups
 * answers status / health / drain for each through the JetStream client, a request nobody serves or
 * nobody answers fails within its timeout, and the server's monitor lists exactly one connection
 * for the whole process (control plane and job loops together).
 */
import { BusRequestError, JetStreamClientProxy } from '@memgen/bus';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useConnection } from '../../../../libs/bus/src/testing/bus-fixture.js';
import { describeWithNats, startNatsServer } from '../../../../test/support/nats-server.js';
import { busConnectionOptions } from '../bus-config.js';
import {
  FakeJobRunner,
  idleStatus,
  type StageUnderTest,
  startStageUnderTest,
} from '../testing/stage-test-kit.js';
import { controlPattern } from './tokens.js';

interface Connz {
  num_connections: number;
  connections: { name?: string }[];
}

describeWithNats('stage service control plane over the JetStream transport', (server) => {
  const bus = useConnection(() => server().url, 'control-test');
  let client: JetStreamClientProxy;
  let stage: StageUnderTest;

  beforeAll(async () => {
    client = new JetStreamClientProxy({
      connection: { url: server().url, name: 'control-client' },
      timeoutMs: 5_000,
    });
    stage = await startStageUnderTest(server().url, ['training', 'recording'], new FakeJobRunner());
  });
  afterAll(async () => {
    await stage?.app.close();
    await client?.close();
  });

  const request = (subject: string, via = client) => firstValueFrom(via.send(subject, {}));

  it('opens one NATS connection for both groups, control plane included', async () => {
    await request(controlPattern('training', 'status'));
    const connz = (await (await fetch(`${server().monitorUrl}/connz`)).json()) as Connz;
    const names = connz.connections.map((c) => c.name).sort();
    expect(names).toEqual(['control-client', 'control-test', 'stage-test-training-recording']);
    expect(connz.num_connections).toBe(3);
  });

  it('answers status and health for each group it serves', async () => {
    for (const group of ['training', 'recording']) {
      expect(await request(controlPattern(group, 'status'))).toEqual(idleStatus(group));
      const health = (await request(controlPattern(group, 'health'))) as {
        stage: string;
        nats: string;
        rttMs: number;
      };
      expect(health).toMatchObject({ stage: group, nats: 'up' });
      expect(health.rttMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('fails at once when nobody serves the subject, and after its timeout when nobody answers', async () => {
    const quick = new JetStreamClientProxy({ connection: bus.nc, timeoutMs: 300 });
    const started = Date.now();
    const unserved = await request('memgen.control.fitting.status', quick).catch((e: unknown) => e);
    expect(unserved).toBeInstanceOf(BusRequestError);
    expect((unserved as BusRequestError).problem).toBe('no-responders');
    expect(Date.now() - started).toBeLessThan(300);

    const silent = bus.nc.subscribe('memgen.control.steering.status');
    await bus.nc.flush();
    const again = Date.now();
    const unanswered = await request('memgen.control.steering.status', quick).catch((e: unknown) => e);
    expect((unanswered as BusRequestError).problem).toBe('timeout');
    expect((unanswered as Error).message).toBe(
      'request to memgen.control.steering.status: no reply within 300 ms',
    );
    expect(Date.now() - again).toBeGreaterThanOrEqual(290);
    expect(Date.now() - again).toBeLessThan(1500);
    silent.unsubscribe();
    await quick.close();
    expect(bus.nc.isClosed()).toBe(false); // a shared connection stays open
  });

  // A drain replies once the group's pulls have expired (pullExpiresMs), hence the default timeout.
  it('drains one group on request and keeps serving the other', async () => {
    expect(await request(controlPattern('recording', 'drain'))).toMatchObject({
      stage: 'recording',
      draining: true,
    });
    expect(await request(controlPattern('training', 'status'))).toMatchObject({ draining: false });
  });

  it("authenticates its one connection with the environment's credentials", async () => {
    const secured = await startNatsServer({
      extraConfig: ['authorization { user: memgen, password: s3cret }'],
    });
    try {
      const env = { MEMGEN_NATS_USER: 'memgen', MEMGEN_NATS_PASS: 's3cret' };
      const connection = busConnectionOptions(secured.url, 'secured-stage', {}, env);
      const authed = await startStageUnderTest(secured.url, ['fitting'], new FakeJobRunner(), { connection });
      const securedClient = new JetStreamClientProxy({
        connection: { ...connection, name: 'secured-client' },
      });
      expect(await request(controlPattern('fitting', 'status'), securedClient)).toMatchObject({
        stage: 'fitting',
      });
      await securedClient.close();
      await authed.app.close();
      const anonymous = startStageUnderTest(secured.url, ['fitting'], new FakeJobRunner(), {
        connection: { url: secured.url, maxReconnectAttempts: 0 },
      });
      await expect(anonymous).rejects.toThrow(/Authorization Violation/i);
    } finally {
      await secured.dispose();
    }
  });
});

/** A stage-service process's configuration: its job groups and, from the environment, its transport. */
import { JOB_GROUPS } from '@memgen/pipeline';
import { describe, expect, it } from 'vitest';
import { parseJobGroups, serviceOptionsFromEnv } from './service-env.js';

describe('parseJobGroups', () => {
  it('defaults to every job group and drops repeats', () => {
    expect(parseJobGroups(undefined)).toEqual([...JOB_GROUPS]);
    expect(parseJobGroups(' training, recording,training ')).toEqual(['training', 'recording']);
  });

  it('names an unknown group and the known ones', () => {
    expect(() => parseJobGroups('training,record')).toThrow(
      `--stages: unknown job group "record"; known: ${JOB_GROUPS.join(', ')}`,
    );
  });
});

describe('serviceOptionsFromEnv', () => {
  const base = { MEMGEN_NATS_URL: 'nats://nats:4222', HOSTNAME: 'pod-1' };

  it("gives the transport's one connection every credential the environment holds", () => {
    const options = serviceOptionsFromEnv('memgen-trainer', ['training'], {
      ...base,
      MEMGEN_NATS_USER: 'memgen',
      MEMGEN_NATS_PASS: 's3cret',
      MEMGEN_NATS_TOKEN: 't0ken',
      MEMGEN_NATS_CREDS: '/etc/nats/memgen.creds',
    });
    expect(options.transport.connection).toEqual({
      url: 'nats://nats:4222',
      name: 'memgen-trainer-pod-1',
      user: 'memgen',
      pass: 's3cret',
      token: 't0ken',
      credsFile: '/etc/nats/memgen.creds',
    });
  });

  it('passes an nkey seed file and TLS files on, and refuses a client certificate without its key', () => {
    const options = serviceOptionsFromEnv('memgen-trainer', ['training'], {
      ...base,
      MEMGEN_NATS_NKEY: '/etc/nats/worker.nk',
      MEMGEN_NATS_TLS_CA: '/etc/nats/ca.pem',
      MEMGEN_NATS_TLS_CERT: '/etc/nats/client.pem',
      MEMGEN_NATS_TLS_KEY: '/etc/nats/client-key.pem',
    });
    expect(options.transport.connection).toMatchObject({
      nkeySeedFile: '/etc/nats/worker.nk',
      tls: {
        caFile: '/etc/nats/ca.pem',
        certFile: '/etc/nats/client.pem',
        keyFile: '/etc/nats/client-key.pem',
      },
    });
    expect(() =>
      serviceOptionsFromEnv('memgen-trainer', ['training'], { ...base, MEMGEN_NATS_TLS_CERT: '/c.pem' }),
    ).toThrow('MEMGEN_NATS_TLS_CERT and MEMGEN_NATS_TLS_KEY: set both');
  });

  it('reads the replica count for a JetStream cluster, refusing one that is not a positive integer', () => {
    expect(
      serviceOptionsFromEnv('memgen-trainer', ['training'], base).transport.connection,
    ).not.toHaveProperty('replicas');
    const set = serviceOptionsFromEnv('memgen-trainer', ['training'], { ...base, MEMGEN_NATS_REPLICAS: '3' });
    expect(set.transport.connection).toMatchObject({ replicas: 3 });
    expect(() =>
      serviceOptionsFromEnv('memgen-trainer', ['training'], { ...base, MEMGEN_NATS_REPLICAS: 'three' }),
    ).toThrow('MEMGEN_NATS_REPLICAS');
  });

  it('reads slots, grace, ack wait, message size and port, with defaults', () => {
    const defaults = serviceOptionsFromEnv('memgen-probe-fitter', ['fitting'], base);
    expect(defaults).toMatchObject({
      groups: ['fitting'],
      httpPort: 8080,
      transport: { slots: 1, graceMs: 30_000 },
    });
    expect(defaults.transport.policy).toBeUndefined();
    const set = serviceOptionsFromEnv('memgen-probe-fitter', ['fitting'], {
      ...base,
      MEMGEN_SLOTS: '2',
      MEMGEN_GRACE_S: '5',
      MEMGEN_ACK_WAIT_MS: '2000',
      MEMGEN_MAX_MESSAGE_BYTES: '65536',
      MEMGEN_HTTP_PORT: '9090',
    });
    expect(set).toMatchObject({
      httpPort: 9090,
      transport: { slots: 2, graceMs: 5000, policy: { ackWaitMs: 2000 }, maxMessageBytes: 65536 },
    });
  });

  it('names the variable that is missing or wrong', () => {
    expect(() => serviceOptionsFromEnv('memgen-trainer', ['training'], {})).toThrow(
      /MEMGEN_NATS_URL is required/,
    );
    expect(() =>
      serviceOptionsFromEnv('memgen-trainer', ['training'], { ...base, MEMGEN_SLOTS: 'two' }),
    ).toThrow('MEMGEN_SLOTS: expected a positive integer, got "two"');
  });
});

/**
 * k8s/base/nats-auth.conf is `memgen nats-auth`'s output, byte for byte, and a real nats-server
 * running it (passwords from the environment, as the pod gets them from the Secret) enforces each
 * role's permissions: nobody in without a password, a worker cannot drain a stage, the operator can.
 */
import { readFile } from 'node:fs/promises';
import { BUS_ROLES, type BusRole, connectBus, createBusCodec, requestReply } from '@memgen/bus';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsAuthConfig, rolePasswordVariable } from '../services/cli/src/commands/nats-auth.js';
import { findNatsServer, type NatsServerHandle, startNatsServer } from './support/nats-server.js';

const COMMITTED = new URL('../k8s/base/nats-auth.conf', import.meta.url);
const password = (role: BusRole) => `${role}-secret-${role.length}`;

describe('k8s NATS users', () => {
  it('the committed file is what `memgen nats-auth` renders (regenerate it, never edit it)', async () => {
    expect(await readFile(COMMITTED, 'utf8')).toBe(natsAuthConfig());
  });

  it('gives every role a user with its permissions and its own password variable', () => {
    const text = natsAuthConfig();
    for (const role of BUS_ROLES) {
      expect(text).toMatch(
        new RegExp(`user: "${role}"\\n\\s*password: \\$${rolePasswordVariable(role)}\\n\\s*permissions: \\{`),
      );
    }
    expect(text).not.toMatch(/no_auth_user/);
  });
});

const hasNats = findNatsServer() !== undefined;
if (!hasNats)
  console.warn('SKIPPED "a nats-server running the k8s users file": nats-server is not installed');

describe.skipIf(!hasNats)('a nats-server running the k8s users file', () => {
  let server: NatsServerHandle;
  const connections: NatsConnection[] = [];
  const connectAs = async (role: BusRole) => {
    const nc = await connectBus({
      url: server.url,
      user: role,
      pass: password(role),
      maxReconnectAttempts: 0,
    });
    connections.push(nc);
    return nc;
  };
  const drain = (nc: NatsConnection) =>
    requestReply(nc, createBusCodec(), 'memgen.control.training.drain', {}, { timeoutMs: 3_000 });

  beforeAll(async () => {
    const env = Object.fromEntries(BUS_ROLES.map((r) => [rolePasswordVariable(r), password(r)]));
    server = await startNatsServer({ extraConfig: [await readFile(COMMITTED, 'utf8')], env });
  }, 30_000);

  afterAll(async () => {
    for (const nc of connections) await nc.close().catch(() => {});
    await server?.dispose();
  });

  it('refuses a client without a password and one with another role’s', async () => {
    await expect(connectBus({ url: server.url, maxReconnectAttempts: 0 })).rejects.toThrow(
      /Authorization Violation/i,
    );
    await expect(
      connectBus({ url: server.url, user: 'worker', pass: password('operator'), maxReconnectAttempts: 0 }),
    ).rejects.toThrow(/Authorization Violation/i);
  });

  it('lets a worker in but not drain a stage; the operator may (nobody answers here)', async () => {
    await expect(drain(await connectAs('worker'))).rejects.toThrow(/Permissions Violation/i);
    await expect(drain(await connectAs('operator'))).rejects.toMatchObject({ problem: 'no-responders' });
    expect(server.log()).toMatch(/Publish Violation.*worker.*memgen\.control\.training\.drain/);
  });
});

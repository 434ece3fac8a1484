/**
 * The bus with authentication and per-role permissions (libs/bus permissions.ts) against a real
 * nats-server that requires them: nobody gets in without credentials; workers and the coordinator
 * run a whole sweep with their roles' rights alone; a worker can neither drain a stage nor write
 * sweep state, the operator can; a forged job record is not reused.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BUS_ROLES,
  type BusRole,
  connectBus,
  createBusCodec,
  DeadLetterSchema,
  natsAuthorization,
  requestReply,
  StateStore,
  WorkQueue,
} from '@memgen/bus';
import { configHash } from '@memgen/common';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobStateSchema, jobStateKey } from '../services/coordinator/src/job-state.js';
import { expandSweep, unitJob } from '../services/coordinator/src/plan.js';
import { parseSweepSpec } from '../services/coordinator/src/sweep-spec.js';
import { tinySweepSpec, writeTinySweepSpec } from '../services/coordinator/src/testing/tiny-sweep.js';
import {
  killAllMemgen,
  type MemgenProcess,
  memgen,
  startWorker,
  sweepOverNats,
  tinySweepLocally,
  waitFor,
} from './support/memgen-processes.js';
import { findNatsServer, type NatsServerHandle, startNatsServer } from './support/nats-server.js';

const PASSWORDS: Record<BusRole, string> = { worker: 'w0rker', coordinator: 'c00rd', operator: '0perat0r' };
const envOf = (role: BusRole) => ({ MEMGEN_NATS_USER: `memgen-${role}`, MEMGEN_NATS_PASS: PASSWORDS[role] });
const codec = createBusCodec();

let server: NatsServerHandle;
let dir: string;
let specPath: string;
let localResults: string;
let workers: MemgenProcess[] = [];
const connections: NatsConnection[] = [];

const connectAs = async (role: BusRole) => {
  const env = envOf(role);
  const nc = await connectBus({ url: server.url, user: env.MEMGEN_NATS_USER, pass: env.MEMGEN_NATS_PASS });
  connections.push(nc);
  return nc;
};
const control = (nc: NatsConnection, group: string, action: string) =>
  requestReply(nc, codec, `memgen.control.${group}.${action}`, {}, { timeoutMs: 5_000 });

const hasNats = findNatsServer() !== undefined;
if (!hasNats) console.warn('SKIPPED "bus with per-role permissions": nats-server is not installed');

describe.skipIf(!hasNats)('bus with per-role permissions', () => {
  beforeAll(async () => {
    const users = BUS_ROLES.map((role) => ({ user: `memgen-${role}`, password: PASSWORDS[role], role }));
    server = await startNatsServer({ extraConfig: [natsAuthorization(users)] });
    dir = await mkdtemp(join(tmpdir(), 'memgen-nats-auth-'));
    specPath = await writeTinySweepSpec(join(dir, 'spec.json'));
    localResults = await tinySweepLocally(join(dir, 'local'));
  }, 120_000);

  afterAll(async () => {
    killAllMemgen();
    for (const nc of connections) await nc.close().catch(() => {});
    await server?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a client and a worker without credentials, naming the reason', async () => {
    await expect(connectBus({ url: server.url, maxReconnectAttempts: 0 })).rejects.toThrow(
      /Authorization Violation/i,
    );
    const anonymous = memgen(['worker', '--nats', server.url]);
    expect(await anonymous.exited).not.toBe(0);
    expect(anonymous.log()).toMatch(/Authorization Violation/i);
  }, 60_000);

  it('runs a sweep with worker and coordinator rights alone, byte-identical to local mode', async () => {
    workers = [startWorker(server.url, [], envOf('worker')), startWorker(server.url, [], envOf('worker'))];
    await waitFor('two ready workers', () => workers.every((w) => w.log().includes('READY')));
    const out = join(dir, 'nats');
    const log = await sweepOverNats({
      specPath,
      out,
      url: server.url,
      env: envOf('coordinator'),
      extra: () => workers.map((w) => w.log()).join('\n'),
    });
    expect(log).toMatch(/8\/8 jobs done \(0 reused\)/);
    expect(await readFile(join(out, 'results.json'), 'utf8')).toBe(localResults);
    expect(server.log()).not.toMatch(/Violation/);
  }, 180_000);

  it("reruns a job whose record was forged to point at another job's outputs", async () => {
    const [s0, s1] = expandSweep(parseSweepSpec(tinySweepSpec()));
    const [train0, train1] = [unitJob(s0!, 'training', []), unitJob(s1!, 'training', [])];
    const worker = await StateStore.open(await connectAs('worker'));
    const real = (await worker.get(jobStateKey(train0.id), JobStateSchema))!.value;
    // What a worker's credentials can write: seed 1's record claiming seed 0's checkpoint.
    await worker.put(jobStateKey(train1.id), JobStateSchema, {
      ...real,
      jobId: train1.id,
      runId: train1.runId,
      specHash: configHash(train1.spec),
    });
    const out = join(dir, 'forged');
    const log = await sweepOverNats({ specPath, out, url: server.url, env: envOf('coordinator') });
    expect(log).toMatch(
      /color-smoke-s1: not reusing its recorded state \(output jobs\/[0-9a-f]{64}\/\S+ was produced by another job/,
    );
    // Only seed 1's training runs again; it reproduces its outputs, so every later job is reused.
    expect(log, log).toMatch(/8\/8 jobs done \(7 reused\)/);
    expect(await readFile(join(out, 'results.json'), 'utf8')).toBe(localResults);
    const rewritten = (await worker.get(jobStateKey(train1.id), JobStateSchema))!.value;
    expect(rewritten.outputs.every((ref) => ref.name.startsWith(`jobs/${train1.id}/`))).toBe(true);
  }, 180_000);

  it('dead-letters a job message no stage serves with the coordinator’s rights alone', async () => {
    const asCoordinator = await connectAs('coordinator');
    const { seq } = await (await WorkQueue.open(asCoordinator)).js.publish(
      'memgen.jobs.bogus',
      new Uint8Array([1]),
    );
    const log = await sweepOverNats({
      specPath,
      out: join(dir, 'unroutable'),
      url: server.url,
      env: envOf('coordinator'),
    });
    expect(log).toMatch(/dead-lettered 1 job message\(s\) no stage serves: memgen\.jobs\.bogus/);
    expect(log).toMatch(/8\/8 jobs done \(8 reused\)/);
    const dead = await (await StateStore.open(asCoordinator)).get(`dead.bogus.seq-${seq}`, DeadLetterSchema);
    expect(dead?.value.cause).toBe('unroutable');
    expect(server.log()).not.toMatch(/Violation.*memgen-coordinator/);
  }, 120_000);

  it('lets a worker neither drain a stage nor write sweep state; the operator can do both', async () => {
    const [asWorker, asOperator] = [await connectAs('worker'), await connectAs('operator')];
    await expect(control(asWorker, 'training', 'drain')).rejects.toThrow(/Permissions Violation/i);
    expect(await control(asOperator, 'training', 'status')).toMatchObject({ response: { draining: false } });
    const workerState = await StateStore.open(asWorker);
    const record = { v: 1, kind: 'forged' };
    await expect(workerState.kv.put('sweep.forged', codec.encode(record))).rejects.toThrow(
      /Permissions Violation/i,
    );
    const operatorState = await StateStore.open(asOperator);
    await operatorState.kv.put('sweep.operator-note', codec.encode(record));
    expect(await operatorState.kv.get('sweep.forged')).toBeNull();
    expect(await control(asOperator, 'training', 'drain')).toMatchObject({ response: { draining: true } });
    expect(server.log()).toMatch(/Publish Violation.*memgen-worker.*memgen\.control\.training\.drain/);
  }, 60_000);
});

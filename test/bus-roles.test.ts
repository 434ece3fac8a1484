/**
 * Every role's shipped permissions (libs/bus permissions.ts, as `memgen nats-auth` renders them)
 * against a real nats-server that enforces them: each operation a role needs succeeds, each it must
 * not do is refused by the server. The worker: stores artefacts, records job states and dead
 * letters (and keeps them under the dead-letter cap), pulls, heartbeats and settles jobs — but
 * cannot purge a stream, delete a stream message, submit jobs, drive the control plane, or write
 * sweep state or the coordinator's ledger. The coordinator: submits, locates and removes job
 * messages, writes the ledger and sweep state, and `memgen status` works with its login — but writes
 * no artefacts and cannot drive workers. The operator: everything.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  ArtefactStore,
  BUS_ROLES,
  type BusRole,
  connectBus,
  consumeJobs,
  createBusCodec,
  JOBS_STREAM,
  LEDGER_BUCKET,
  makeJob,
  natsAuthorization,
  requestReply,
  StateStore,
  WorkQueue,
} from '@memgen/bus';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger, waitFor } from '../libs/bus/src/testing/bus-test-kit.js';
import { cliEntry, repoRoot } from './support/memgen-processes.js';
import { findNatsServer, type NatsServerHandle, startNatsServer } from './support/nats-server.js';

const PASSWORDS: Record<BusRole, string> = { worker: 'w-pass', coordinator: 'c-pass', operator: 'o-pass' };
const codec = createBusCodec();
const bytes = codec.encode({ note: 'x' });

/** What a login can reach: its connection and the stream and buckets opened with it. */
interface Bus {
  nc: NatsConnection;
  queue: WorkQueue;
  state: StateStore;
  ledger: StateStore;
  store: ArtefactStore;
}

let server: NatsServerHandle;
const buses = new Map<BusRole, Bus>();
const bus = (role: BusRole) => buses.get(role)!;

async function open(role: BusRole): Promise<Bus> {
  const nc = await connectBus({ url: server.url, user: `memgen-${role}`, pass: PASSWORDS[role] });
  return {
    nc,
    queue: await WorkQueue.open(nc),
    state: await StateStore.open(nc),
    ledger: await StateStore.open(nc, { bucket: LEDGER_BUCKET }),
    store: await ArtefactStore.open(nc),
  };
}

let made = 0;
/** A new message in the jobs stream (a new spec, so never a duplicate), stored by the operator. */
async function queued(stage = 'roles'): Promise<number> {
  const job = makeJob({ stage, runId: 'queued', spec: { n: made++ } });
  return (await bus('operator').queue.submit(job)).seq;
}

/** The server's permission violations by `role` so far. */
const violations = (role: BusRole) =>
  server.log().match(new RegExp(`Violation.*memgen-${role}`, 'g'))?.length ?? 0;

type Operation = [string, (b: Bus) => Promise<unknown>];

const drain = (b: Bus) =>
  requestReply(b.nc, codec, 'memgen.control.roles.drain', {}, { timeoutMs: 2_000 }).catch((err: Error) => {
    // Nobody answers here: allowed means "no responders", refused means a permissions violation.
    if (/no.?responders/i.test(`${err.message} ${(err as { problem?: string }).problem}`)) return;
    throw err;
  });

const REFUSED_TO_WORKERS: Operation[] = [
  ['purge the artefact store', (b) => b.queue.jsm.streams.purge('OBJ_memgen-artefacts')],
  ['purge the state bucket', (b) => b.queue.jsm.streams.purge('KV_memgen-state')],
  [
    'delete a queued job message',
    async (b) => b.queue.jsm.streams.deleteMessage(JOBS_STREAM, await queued()),
  ],
  [
    'delete a state message',
    async (b) =>
      b.queue.jsm.streams.deleteMessage('KV_memgen-state', await b.state.kv.put('dead.roles.v', bytes)),
  ],
  [
    'read a queued job message directly',
    async (b) => b.queue.jsm.streams.getMessage(JOBS_STREAM, { seq: await queued() }),
  ],
  ['write the ledger', (b) => b.ledger.kv.put('job.forged', bytes)],
  ['write sweep state', (b) => b.state.kv.put('sweep.forged', bytes)],
  ['submit a job', (b) => b.queue.submit(makeJob({ stage: 'roles', runId: 'forged', spec: {} }))],
  ['drive the control plane', drain],
];

const WORKER_NEEDS: Operation[] = [
  ['store and read an artefact', async (b) => b.store.getBytes(await b.store.putBytes('jobs/w/x', bytes))],
  ['record a job state', (b) => b.state.kv.put('job.roles-1', bytes)],
  [
    'record a dead letter and trim old ones',
    async (b) => {
      for (const k of [1, 2, 3]) await b.state.kv.put(`dead.roles.k${k}`, bytes);
      expect(await b.state.keepNewest('dead.roles.>', 2)).toEqual(['dead.roles.k1']);
    },
  ],
  ['read the ledger', (b) => b.ledger.keys('>')],
  [
    'pull, heartbeat and ack a job',
    async (b) => {
      await queued();
      await b.queue.ensureConsumer('roles');
      const consumer = await b.queue.js.consumers.get(JOBS_STREAM, 'memgen-roles');
      const msg = await consumer.next({ expires: 5_000 });
      msg!.working();
      await msg!.ackAck();
    },
  ],
];

const COORDINATOR_NEEDS: Operation[] = [
  ['submit a job', (b) => b.queue.submit(makeJob({ stage: 'roles', runId: 'c-1', spec: {} }))],
  [
    'locate and remove a queued job',
    async (b) => {
      const seq = await queued('other');
      expect(await b.queue.locate('other', seq)).toEqual({ where: 'queued', served: false, busy: 0 });
      expect(await b.queue.remove(seq)).toBe(true);
      expect(await b.queue.locate('other', seq)).toEqual({ where: 'gone' });
    },
  ],
  [
    'write the ledger and sweep state',
    async (b) => {
      await b.ledger.kv.put('job.c', bytes);
      await b.state.kv.put('sweep.c', bytes);
    },
  ],
  [
    'list and clear dead letters',
    async (b) => {
      await b.state.delete((await b.state.keys('dead.>'))[0]!);
    },
  ],
];

const REFUSED_TO_COORDINATORS: Operation[] = [
  ['store an artefact', (b) => b.store.putBytes('jobs/c/x', bytes)],
  ['purge the artefact store', (b) => b.queue.jsm.streams.purge('OBJ_memgen-artefacts')],
  ['drive the control plane', drain],
];

const hasNats = findNatsServer() !== undefined;
if (!hasNats) console.warn('SKIPPED "shipped bus roles": nats-server is not installed');

describe.skipIf(!hasNats)('shipped bus roles', () => {
  beforeAll(async () => {
    const users = BUS_ROLES.map((role) => ({ user: `memgen-${role}`, password: PASSWORDS[role], role }));
    server = await startNatsServer({ extraConfig: [natsAuthorization(users)] });
    buses.set('operator', await open('operator'));
    for (const role of ['worker', 'coordinator'] as const) buses.set(role, await open(role));
  }, 60_000);

  afterAll(async () => {
    for (const b of buses.values()) await b.nc.close().catch(() => {});
    await server?.dispose();
  });

  it.each(WORKER_NEEDS)('a worker may %s', async (_what, operation) => {
    const before = violations('worker');
    await operation(bus('worker'));
    expect(violations('worker')).toBe(before);
  });

  it.each(REFUSED_TO_WORKERS)('a worker may not %s', async (_what, operation) => {
    await expect(operation(bus('worker'))).rejects.toThrow(/Permissions Violation/i);
  });

  it.each(COORDINATOR_NEEDS)('the coordinator may %s', async (_what, operation) => {
    const before = violations('coordinator');
    await operation(bus('coordinator'));
    expect(violations('coordinator')).toBe(before);
  });

  it.each(REFUSED_TO_COORDINATORS)('the coordinator may not %s', async (_what, operation) => {
    await expect(operation(bus('coordinator'))).rejects.toThrow(/Permissions Violation/i);
  });

  it.each([...REFUSED_TO_WORKERS, ...REFUSED_TO_COORDINATORS])('the operator may %s', async (_what, op) => {
    await op(bus('operator'));
  });

  it('a worker with MEMGEN_MAX_DEAD_LETTERS=3 keeps three of six garbage messages as dead letters', async () => {
    const worker = bus('worker');
    const before = violations('worker');
    for (let n = 0; n < 6; n++)
      await bus('coordinator').queue.js.publish('memgen.jobs.garbage', new Uint8Array([0xc1, n]));
    const was = process.env.MEMGEN_MAX_DEAD_LETTERS;
    process.env.MEMGEN_MAX_DEAD_LETTERS = '3';
    const { logger } = memoryLogger();
    const loop = await consumeJobs(worker.queue, 'garbage', async () => {}, {
      state: worker.state,
      pullExpiresMs: 1_000,
      logger,
    }).finally(() => {
      if (was === undefined) delete process.env.MEMGEN_MAX_DEAD_LETTERS;
      else process.env.MEMGEN_MAX_DEAD_LETTERS = was;
    });
    try {
      await waitFor('six dead letters', () => loop.stats.dead === 6, 30_000);
      await waitFor('three kept', async () => (await worker.state.keys('dead.garbage.>')).length === 3);
      const info = await bus('operator').queue.jsm.streams.info(JOBS_STREAM, { subjects_filter: '>' });
      expect(info.state.subjects?.['memgen.jobs.garbage']).toBeUndefined();
      expect(violations('worker')).toBe(before);
    } finally {
      await loop.drain({ graceMs: 100 });
    }
  }, 60_000);

  it('`memgen status` works with the coordinator login', async () => {
    const before = violations('coordinator');
    const env = {
      ...process.env,
      MEMGEN_NATS_USER: 'memgen-coordinator',
      MEMGEN_NATS_PASS: PASSWORDS.coordinator,
    };
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', cliEntry, 'status', '--nats', server.url],
      { cwd: repoRoot, env },
    );
    expect(stdout).toMatch(/^dead letter dead\.garbage\.seq-\d+: malformed/m);
    expect(violations('coordinator')).toBe(before);
  }, 60_000);

  it("a worker's rollup can empty the state bucket but cannot reach the ledger", async () => {
    const [worker, coordinator] = [bus('worker'), bus('coordinator')];
    await coordinator.ledger.kv.put('job.kept', bytes);
    const rollup = headers();
    rollup.set('Nats-Rollup', 'all');
    // Subject permissions cannot refuse a header: the state bucket is emptied (and rerun, never forged)…
    await worker.queue.js.publish('$KV.memgen-state.dead.roles.x', bytes, { headers: rollup });
    expect(await worker.state.keys('dead.garbage.>')).toEqual([]);
    // …while the ledger, a stream workers cannot publish to, keeps what the coordinator accepted.
    await expect(
      worker.queue.js.publish('$KV.memgen-ledger.job.x', bytes, { headers: rollup }),
    ).rejects.toThrow(/Permissions Violation/i);
    expect(await coordinator.ledger.keys('>')).toContain('job.kept');
  });
});

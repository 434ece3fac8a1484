/**
 * Reuse over NATS is what the coordinator accepted, under the shipped roles against a real
 * nats-server: a worker login copies seed 0's training artefacts over seed 1's, under seed 1's own
 * job prefix, and writes seed 1's job record to point at them — everything a worker's rights allow.
 * The next sweep refuses the record, naming the job and the artefact whose digest is not the one
 * the coordinator accepted, trains seed 1 again, and ends byte-identical to local mode.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ArtefactStore,
  BUS_ROLES,
  type BusRole,
  connectBus,
  LEDGER_BUCKET,
  natsAuthorization,
  StateStore,
} from '@memgen/bus';
import { configHash } from '@memgen/common';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerEntrySchema, ledgerKey } from '../services/coordinator/src/job-ledger.js';
import { JobStateSchema, jobStateKey } from '../services/coordinator/src/job-state.js';
import { expandSweep, unitJob } from '../services/coordinator/src/plan.js';
import { parseSweepSpec } from '../services/coordinator/src/sweep-spec.js';
import { tinySweepSpec, writeTinySweepSpec } from '../services/coordinator/src/testing/tiny-sweep.js';
import {
  killAllMemgen,
  type MemgenProcess,
  startWorker,
  sweepOverNats,
  tinySweepLocally,
  waitFor,
} from './support/memgen-processes.js';
import { findNatsServer, type NatsServerHandle, startNatsServer } from './support/nats-server.js';

const PASSWORDS: Record<BusRole, string> = { worker: 'w0rk', coordinator: 'c00rd', operator: '0per' };
const envOf = (role: BusRole) => ({ MEMGEN_NATS_USER: `memgen-${role}`, MEMGEN_NATS_PASS: PASSWORDS[role] });

let server: NatsServerHandle;
let dir: string;
let specPath: string;
let localResults: string;
let workers: MemgenProcess[] = [];
let asWorker: NatsConnection;

const hasNats = findNatsServer() !== undefined;
if (!hasNats)
  console.warn('SKIPPED "reuse only of what the coordinator accepted": nats-server is not installed');

describe.skipIf(!hasNats)('reuse only of what the coordinator accepted', () => {
  beforeAll(async () => {
    const users = BUS_ROLES.map((role) => ({ user: `memgen-${role}`, password: PASSWORDS[role], role }));
    server = await startNatsServer({ extraConfig: [natsAuthorization(users)] });
    dir = await mkdtemp(join(tmpdir(), 'memgen-nats-ledger-'));
    specPath = await writeTinySweepSpec(join(dir, 'spec.json'));
    await tinySweepLocally(join(dir, 'local'));
    localResults = await readFile(join(dir, 'local', 'results.json'), 'utf8');
    asWorker = await connectBus({ url: server.url, user: 'memgen-worker', pass: PASSWORDS.worker });
  }, 180_000);

  afterAll(async () => {
    killAllMemgen();
    await asWorker?.close().catch(() => {});
    await server?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  const sweep = (name: string) =>
    sweepOverNats({
      specPath,
      out: join(dir, name),
      url: server.url,
      env: envOf('coordinator'),
      timeoutMs: 150_000,
      extra: () => workers.map((w) => w.log()).join('\n'),
    });

  it("refuses seed 0's artefacts copied under seed 1's prefix with seed 1's record, and trains seed 1 again", async () => {
    workers = [startWorker(server.url, [], envOf('worker'))];
    await waitFor('a ready worker', () => workers.every((w) => w.log().includes('READY')), 90_000);
    expect(await sweep('first')).toMatch(/8\/8 jobs done \(0 reused\)/);

    const [s0, s1] = expandSweep(parseSweepSpec(tinySweepSpec()));
    const [train0, train1] = [unitJob(s0!, 'training', []), unitJob(s1!, 'training', [])];
    const state = await StateStore.open(asWorker);
    const store = await ArtefactStore.open(asWorker);
    const real0 = (await state.get(jobStateKey(train0.id), JobStateSchema))!.value;
    const copies = [];
    for (const ref of real0.outputs) {
      const path = ref.name.slice(`jobs/${train0.id}/`.length);
      copies.push(await store.putBytes(`jobs/${train1.id}/${path}`, await store.getBytes(ref)));
    }
    const forged = { ...real0, jobId: train1.id, runId: train1.runId, specHash: configHash(train1.spec) };
    await state.put(jobStateKey(train1.id), JobStateSchema, { ...forged, outputs: copies });

    const log = await sweep('forged');
    expect(log).toMatch(
      new RegExp(
        `training color-smoke-s1: not reusing its recorded state \\(output jobs/${train1.id}/\\S+ has digest [0-9a-f]{12}, the coordinator accepted [0-9a-f]{12}\\); running job ${train1.id.slice(0, 12)} again`,
      ),
    );
    expect(log).toMatch(/8\/8 jobs done \(7 reused\)/);
    expect(await readFile(join(dir, 'forged', 'results.json'), 'utf8')).toBe(localResults);
    // What the coordinator accepted now is seed 1's own training again, under its own prefix.
    const ledger = await StateStore.open(asWorker, { bucket: LEDGER_BUCKET });
    const accepted = (await ledger.get(ledgerKey(train1.id), LedgerEntrySchema))!.value.accepted!;
    const copied = new Map(copies.map((c) => [c.name, c.digest]));
    expect(accepted.some((ref) => copied.get(ref.name) !== ref.digest)).toBe(true);
  }, 400_000);
});

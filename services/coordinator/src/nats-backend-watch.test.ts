/**
 * A sweep never waits for ever, against a real nats-server: a job whose message a worker login took
 * and acked without a result, one a coordinator restarted inside the duplicate window submits again
 * (the stream drops it as a duplicate of a message long gone), and one no worker starts within the
 * bound are each reported by name and submitted again under a fresh message id; the coordinator says
 * what each waits for. The job that then runs is accepted into the ledger and reused afterwards.
 */
import {
  ArtefactStore,
  connectBus,
  consumeJobs,
  consumerName,
  type JobMessage,
  type JobWorker,
  LEDGER_BUCKET,
  makeJob,
  StateStore,
  WorkQueue,
} from '@memgen/bus';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { memoryLogger, waitFor } from '../../../libs/bus/src/testing/bus-test-kit.js';
import { describeWithNats } from '../../../test/support/nats-server.js';
import { LedgerEntrySchema, ledgerKey } from './job-ledger.js';
import { JobStateSchema, jobStateBase, jobStateKey } from './job-state.js';
import { NatsSweepBackend } from './nats-backend.js';

describeWithNats('NATS sweep backend: jobs that vanish or stall', (server) => {
  let nc: NatsConnection;
  let queue: WorkQueue;
  let state: StateStore;
  let ledger: StateStore;
  let store: ArtefactStore;
  const workers: JobWorker[] = [];
  const lines: string[] = [];

  beforeAll(async () => {
    nc = await connectBus({ url: server().url, name: 'nats-backend-watch-test' });
    queue = await WorkQueue.open(nc);
    state = await StateStore.open(nc);
    ledger = await StateStore.open(nc, { bucket: LEDGER_BUCKET });
    store = await ArtefactStore.open(nc);
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.drain({ graceMs: 100 })));
    await nc?.close();
  });

  const backend = (startTimeoutMs = 60_000) =>
    new NatsSweepBackend(queue, store, state, ledger, {
      pollMs: 50,
      watch: { checkEveryMs: 200, startTimeoutMs },
      log: (line) => lines.push(line),
    });

  /** A worker that does the job: stores one output under the job's prefix and records it done. */
  async function serve(stage: string): Promise<void> {
    const handler = async (job: JobMessage, context: { deliveryCount: number }) => {
      const outputs = [await store.putBytes(`jobs/${job.id}/out.bin`, new TextEncoder().encode(job.runId))];
      const done = { ...jobStateBase(job), state: 'done' as const, attempts: context.deliveryCount, outputs };
      await state.put(jobStateKey(job.id), JobStateSchema, done);
      return { outputs };
    };
    const options = { pullExpiresMs: 1_000, state, logger: memoryLogger().logger };
    workers.push(await consumeJobs(queue, stage, handler, options));
  }

  /** What a worker login can do to a queued job: take it and ack it, leaving no result. */
  async function swallow(stage: string): Promise<void> {
    await queue.ensureConsumer(stage);
    const msg = await (await queue.js.consumers.get(queue.stream, consumerName(stage))).next({
      expires: 10_000,
    });
    expect(msg, `a queued ${stage} job`).not.toBeNull();
    await msg!.ackAck();
  }

  const logged = (pattern: RegExp) =>
    waitFor(`a log line ${pattern}`, () => lines.some((l) => pattern.test(l)), 20_000);

  it('resubmits a job whose message a worker login acked without running it', async () => {
    const job = makeJob({ stage: 'vanish', runId: 'vanish-1', spec: { n: 1 } });
    const running = backend().execute(job);
    await swallow('vanish');
    await logged(
      /^vanish vanish-1: job [0-9a-f]{12} its message vanished from the stream .*; submitted again/,
    );
    await serve('vanish');
    const done = await running;
    expect(done.state).toBe('done');
    const entry = await ledger.get(ledgerKey(job.id), LedgerEntrySchema);
    expect(entry?.value.accepted).toEqual(done.outputs);
    expect(await backend().lookup(job)).toEqual(done);
  }, 60_000);

  it('submits again, under a fresh id, a job its earlier coordinator submitted inside the duplicate window', async () => {
    const job = makeJob({ stage: 'restart', runId: 'restart-1', spec: { n: 2 } });
    await queue.submit(job);
    await swallow('restart');
    await serve('restart');
    const done = await backend().execute(job);
    expect(done.state).toBe('done');
    expect(lines.join('\n')).toMatch(/^restart restart-1: job [0-9a-f]{12} its message vanished/m);
  }, 60_000);

  it('reports and resubmits a job no worker starts within the bound, saying what it waits for', async () => {
    const job = makeJob({ stage: 'stall', runId: 'stall-1', spec: { n: 3 } });
    const waits: string[] = [];
    const running = backend(1_000).execute(job, (what) => waits.push(what));
    const stalled =
      /^stall stall-1: job [0-9a-f]{12} not started within 1 s \(no worker serves its stage\); submitted again \(message (\d+) → (\d+)\)$/;
    await logged(stalled);
    expect(waits).toContain('a stall worker: none serves stall yet');
    const old = Number(stalled.exec(lines.find((l) => stalled.test(l))!)![1]);
    // The stalled message is removed, not left to run a second time.
    expect(await queue.locate('stall', old)).toEqual({ where: 'gone' });
    await serve('stall');
    const done = await running;
    expect(done).toMatchObject({ state: 'done', attempts: 1 });
  }, 60_000);
});

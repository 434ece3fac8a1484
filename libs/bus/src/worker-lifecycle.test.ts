import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithNats } from '../../../test/support/nats-server.js';
import { connectBus } from './connection.js';
import { makeJob } from './schemas.js';
import { collectEvents, memoryLogger, sleep, waitFor } from './testing/bus-test-kit.js';
import { consumeJobs, type JobWorker } from './transport/job-loop.js';
import { WorkQueue } from './work-queue.js';

const ACK_WAIT_MS = 1500;
const POLICY = { ackWaitMs: ACK_WAIT_MS, maxDeliver: 5, backoffMs: [100] };
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const crashWorker = fileURLToPath(new URL('./testing/crash-worker.ts', import.meta.url));

describeWithNats('worker lifecycle: crash, drain', (server) => {
  let nc: NatsConnection;
  let queue: WorkQueue;
  const workers: JobWorker[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    nc = await connectBus({ url: server().url, name: 'lifecycle-test' });
    queue = await WorkQueue.open(nc);
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.drain({ graceMs: 100 })));
    await nc?.close();
  });

  it('redelivers the job of a SIGKILLed worker to another one after ack_wait, and completes it once', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', crashWorker], {
      cwd: repoRoot,
      env: {
        ...process.env,
        MEMGEN_NATS_URL: server().url,
        MEMGEN_STAGE: 'crash',
        MEMGEN_ACK_WAIT_MS: String(ACK_WAIT_MS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await waitFor(
      `the child worker to start (output so far: ${output})`,
      () => output.includes('READY'),
      20_000,
    );

    const submitted = makeJob({ stage: 'crash', runId: 'run-crash', spec: { steps: 1000 } });
    await queue.submit(submitted);
    await waitFor('the child to take the job', () => output.includes(`STARTED ${submitted.id} 1`));

    // Our worker runs alongside; the child's heartbeats keep the job its own past ack_wait.
    const handled: number[] = [];
    const events = collectEvents(nc, queue.codec, 'crash');
    await nc.flush();
    const survivor = await consumeJobs(
      queue,
      'crash',
      async (_job, context) => {
        handled.push(context.deliveryCount);
      },
      { pullExpiresMs: 1000, policy: POLICY, logger: memoryLogger().logger },
    );
    workers.push(survivor);
    await sleep(ACK_WAIT_MS * 1.5);
    expect(handled).toEqual([]);

    const killedAt = Date.now();
    child.kill('SIGKILL');
    await waitFor('the redelivered job to complete', () => handled.length === 1, 10_000);
    expect(Date.now() - killedAt).toBeLessThan(ACK_WAIT_MS + 3000);
    expect(handled).toEqual([2]);
    await waitFor('the done event', () => events.events.length === 1);
    expect(events.events.map((e) => [e.outcome, e.jobId])).toEqual([['done', submitted.id]]);
    await waitFor('the queue to empty', async () => (await queue.outstanding('crash')) === 0);
    await sleep(ACK_WAIT_MS + 500);
    expect(handled).toEqual([2]);
    events.stop();
  });

  it('drain lets the running job finish and stops pulling', async () => {
    let started = 0;
    let finished = 0;
    const worker = await consumeJobs(
      queue,
      'drain-finish',
      async () => {
        started++;
        await sleep(400);
        finished++;
      },
      { pullExpiresMs: 1000, policy: POLICY, logger: memoryLogger().logger },
    );
    await queue.submit(makeJob({ stage: 'drain-finish', runId: 'r', spec: { n: 1 } }));
    await waitFor('the job to start', () => started === 1);
    expect(finished).toBe(0);
    await worker.drain({ graceMs: 10_000 });
    expect(finished).toBe(1);
    expect(worker.stats.done).toBe(1);
    // A job submitted after the drain stays queued: nobody pulls it.
    await queue.submit(makeJob({ stage: 'drain-finish', runId: 'r', spec: { n: 2 } }));
    await sleep(1200);
    expect(await queue.outstanding('drain-finish')).toBe(1);
    expect(finished).toBe(1);
  });

  it('drain hands a job that outlasts the grace period back, and another worker completes it', async () => {
    const { logger, lines } = memoryLogger();
    let aborted: unknown;
    let started = false;
    const slow = await consumeJobs(
      queue,
      'drain-handback',
      (_job, context) =>
        new Promise<void>((_resolve, reject) => {
          started = true;
          context.signal.addEventListener('abort', () => {
            aborted = context.signal.reason;
            reject(context.signal.reason);
          });
        }),
      { pullExpiresMs: 1000, policy: POLICY, logger },
    );
    const submitted = makeJob({ stage: 'drain-handback', runId: 'r', spec: { n: 1 } });
    await queue.submit(submitted);
    await waitFor('the slow worker to take the job', () => started);
    await slow.drain({ graceMs: 200 });
    expect(String(aborted)).toContain('worker draining');
    expect(lines.some((l) => l.msg === 'handed job back on drain')).toBe(true);

    const deliveries: number[] = [];
    const helper = await consumeJobs(
      queue,
      'drain-handback',
      async (_job, context) => {
        deliveries.push(context.deliveryCount);
      },
      { pullExpiresMs: 1000, policy: POLICY, logger: memoryLogger().logger },
    );
    workers.push(helper);
    await waitFor('the handed-back job', () => deliveries.length === 1, 5000);
    expect(deliveries).toEqual([2]);
    expect(slow.stats).toEqual({ done: 0, failed: 0, dead: 0 });
  });
});

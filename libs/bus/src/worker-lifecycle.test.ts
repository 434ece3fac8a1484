import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { describeWithNats } from '../../../test/support/nats-server.js';
import { makeJob } from './schemas.js';
import { useBus } from './testing/bus-fixture.js';
import { collectEvents, memoryLogger, noteJobs, sleep, waitFor } from './testing/bus-test-kit.js';
import { consumeJobs } from './transport/job-loop.js';

const ACK_WAIT_MS = 1500;
const POLICY = { ackWaitMs: ACK_WAIT_MS, maxDeliver: 5, backoffMs: [100] };
/** Short pulls and ack wait, log lines kept in memory. */
const quiet = () => ({ pullExpiresMs: 1000, policy: POLICY, logger: memoryLogger().logger });
const deliveryCount = (_job: unknown, context: { deliveryCount: number }) => context.deliveryCount;
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const crashWorker = fileURLToPath(new URL('./testing/crash-worker.ts', import.meta.url));

describeWithNats('worker lifecycle: crash, drain', (server) => {
  const bus = useBus(() => server().url, 'lifecycle-test');
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
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
    await bus.queue.submit(submitted);
    await waitFor('the child to take the job', () => output.includes(`STARTED ${submitted.id} 1`));

    // Our worker runs alongside; the child's heartbeats keep the job its own past ack_wait.
    const events = collectEvents(bus.nc, bus.queue.codec, 'crash');
    await bus.nc.flush();
    const { worker: survivor, noted: handled } = await noteJobs(bus.queue, 'crash', deliveryCount, quiet());
    bus.workers.push(survivor);
    await sleep(ACK_WAIT_MS * 1.5);
    expect(handled).toEqual([]);

    const killedAt = Date.now();
    child.kill('SIGKILL');
    await waitFor('the redelivered job to complete', () => handled.length === 1, 10_000);
    expect(Date.now() - killedAt).toBeLessThan(ACK_WAIT_MS + 3000);
    expect(handled).toEqual([2]);
    await waitFor('the done event', () => events.events.length === 1);
    expect(events.events.map((e) => [e.outcome, e.jobId])).toEqual([['done', submitted.id]]);
    await waitFor('the queue to empty', async () => (await bus.queue.outstanding('crash')) === 0);
    await sleep(ACK_WAIT_MS + 500);
    expect(handled).toEqual([2]);
    events.stop();
  });

  it('drain lets the running job finish and stops pulling', async () => {
    let started = 0;
    let finished = 0;
    const worker = await consumeJobs(
      bus.queue,
      'drain-finish',
      async () => {
        started++;
        await sleep(400);
        finished++;
      },
      quiet(),
    );
    await bus.queue.submit(makeJob({ stage: 'drain-finish', runId: 'r', spec: { n: 1 } }));
    await waitFor('the job to start', () => started === 1);
    expect(finished).toBe(0);
    await worker.drain({ graceMs: 10_000 });
    expect(finished).toBe(1);
    expect(worker.stats.done).toBe(1);
    // A job submitted after the drain stays queued: nobody pulls it.
    await bus.queue.submit(makeJob({ stage: 'drain-finish', runId: 'r', spec: { n: 2 } }));
    await sleep(1200);
    expect(await bus.queue.outstanding('drain-finish')).toBe(1);
    expect(finished).toBe(1);
  });

  it('drain hands a job that outlasts the grace period back, and another worker completes it', async () => {
    const { logger, lines } = memoryLogger();
    let aborted: unknown;
    let started = false;
    const slow = await consumeJobs(
      bus.queue,
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
    await bus.queue.submit(submitted);
    await waitFor('the slow worker to take the job', () => started);
    await slow.drain({ graceMs: 200 });
    expect(String(aborted)).toContain('worker draining');
    expect(lines.some((l) => l.msg === 'handed job back on drain')).toBe(true);

    const { worker: helper, noted: deliveries } = await noteJobs(
      bus.queue,
      'drain-handback',
      deliveryCount,
      quiet(),
    );
    bus.workers.push(helper);
    await waitFor('the handed-back job', () => deliveries.length === 1, 5000);
    expect(deliveries).toEqual([2]);
    expect(slow.stats).toEqual({ done: 0, failed: 0, dead: 0 });
  });
});

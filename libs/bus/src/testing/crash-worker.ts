/**
 * Child process for the crash test: consumes one stage, announces each job on stdout
 * ("STARTED <jobId> <deliveryCount>") and then works on it forever, heartbeating, until the test
 * kills it with SIGKILL. Env: MEMGEN_NATS_URL, MEMGEN_STAGE, MEMGEN_ACK_WAIT_MS.
 */
import { connectBus } from '../connection.js';
import { consumeJobs } from '../transport/job-loop.js';
import { WorkQueue } from '../work-queue.js';
import { memoryLogger } from './bus-test-kit.js';

const url = process.env.MEMGEN_NATS_URL;
const stage = process.env.MEMGEN_STAGE;
const ackWaitMs = Number(process.env.MEMGEN_ACK_WAIT_MS);
if (!url || !stage || !(ackWaitMs > 0)) {
  throw new Error('crash-worker needs MEMGEN_NATS_URL, MEMGEN_STAGE and MEMGEN_ACK_WAIT_MS');
}

const nc = await connectBus({ url, name: 'crash-worker' });
const queue = await WorkQueue.open(nc);
await consumeJobs(
  queue,
  stage,
  async (job, context) => {
    process.stdout.write(`STARTED ${job.id} ${context.deliveryCount}\n`);
    await new Promise(() => {}); // "training" that never ends: only SIGKILL stops it
  },
  {
    pullExpiresMs: 1000,
    policy: { ackWaitMs, maxDeliver: 5, backoffMs: [100] },
    logger: memoryLogger().logger,
  },
);
process.stdout.write('READY\n');

/**
 * Stage services under test: the real StageAppModule on the real JetStream transport, built with
 * @nestjs/testing, with the job runner swapped (overrideProvider(JOB_RUNNER)) for one of the
 * runners below.
 */
import {
  JetStreamServer,
  type JetStreamServerOptions,
  type JobContext,
  type JobMessage,
  type JobResult,
  PermanentJobError,
} from '@memgen/bus';
import type { JobGroupName } from '@memgen/pipeline';
import type { INestMicroservice } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { type LogLine, memoryLogger } from '../../../../libs/bus/src/testing/bus-test-kit.js';
import type { JobRunner } from '../nest/job-runner.js';
import { StageAppModule } from '../nest/stage-app.module.js';
import { JOB_RUNNER } from '../nest/tokens.js';

/** Short timings so retries and redeliveries happen within a test. */
export const FAST_POLICY = { ackWaitMs: 2000, maxDeliver: 3, backoffMs: [100] };

/** What a group's status request answers before the group has taken a job (one slot). */
export function idleStatus(stage: string) {
  return { stage, slots: 1, busy: 0, draining: false, done: 0, failed: 0, dead: 0 };
}

/** Succeeds with one output per job, recording every call. */
export class FakeJobRunner implements JobRunner {
  readonly calls: { job: JobMessage; deliveryCount: number }[] = [];

  async run(job: JobMessage, context: JobContext): Promise<JobResult> {
    this.calls.push({ job, deliveryCount: context.deliveryCount });
    return { outputs: [{ name: `jobs/${job.id}/out.bin`, digest: 'c'.repeat(64), size: 5 }] };
  }
}

/** Fails its first `failures` deliveries of every job with `error()`, then succeeds. */
export class FailingJobRunner extends FakeJobRunner {
  constructor(
    private readonly error: () => Error,
    private readonly failures = Number.POSITIVE_INFINITY,
  ) {
    super();
  }

  override async run(job: JobMessage, context: JobContext): Promise<JobResult> {
    if (context.deliveryCount <= this.failures) {
      this.calls.push({ job, deliveryCount: context.deliveryCount });
      throw this.error();
    }
    return super.run(job, context);
  }
}

export const transientRunner = () =>
  new FailingJobRunner(() => new Error('GPU out of memory (transient)'), 1);
export const permanentRunner = () =>
  new FailingJobRunner(() => new PermanentJobError('input is not a valid safetensors file'));

/** Runs until its drain signal aborts, then fails with the signal's reason. */
export class BlockingJobRunner extends FakeJobRunner {
  abortedWith: unknown;

  override run(job: JobMessage, context: JobContext): Promise<JobResult> {
    this.calls.push({ job, deliveryCount: context.deliveryCount });
    return new Promise((_resolve, reject) => {
      context.signal.addEventListener('abort', () => {
        this.abortedWith = context.signal.reason;
        reject(context.signal.reason);
      });
    });
  }
}

export interface StageUnderTest {
  app: INestMicroservice;
  transport: JetStreamServer;
  lines: LogLine[];
}

/** Builds and starts the stage app of `groups` on `url` with `runner` in place of the pipeline. */
export async function startStageUnderTest(
  url: string,
  groups: readonly JobGroupName[],
  runner: JobRunner,
  options: Partial<JetStreamServerOptions> = {},
): Promise<StageUnderTest> {
  const { logger, lines } = memoryLogger();
  const transport = new JetStreamServer({
    connection: { url, name: `stage-test-${groups.join('-')}` },
    pullExpiresMs: 1000,
    policy: FAST_POLICY,
    graceMs: 5_000,
    logger,
    ...options,
  });
  const moduleRef = await Test.createTestingModule({
    imports: [StageAppModule.register({ groups, transport })],
  })
    .overrideProvider(JOB_RUNNER)
    .useValue(runner)
    .compile();
  const app = moduleRef.createNestMicroservice({ strategy: transport, logger: false });
  await app.listen();
  return { app, transport, lines };
}

/**
 * What a stage controller calls to run one job: SweepJobRunner runs it through the pipeline
 * (executeJob) against the transport's artefact and state stores, with the KV job-state
 * bookkeeping of sweepJobHandler. Tests provide another JobRunner under JOB_RUNNER.
 */
import type { JetStreamServer, JobContext, JobMessage, JobResult } from '@memgen/bus';
import { initBackend } from '@memgen/tensor';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { sweepJobHandler } from '../nats-worker.js';
import { BUS_TRANSPORT } from './tokens.js';

export interface JobRunner {
  /**
   * Runs `job` and resolves with the artefacts it stored.
   * @throws PermanentJobError (or a subclass) when retrying cannot help; anything else is retried
   */
  run(job: JobMessage, context: JobContext): Promise<JobResult>;
}

@Injectable()
export class SweepJobRunner implements JobRunner, OnModuleInit {
  constructor(@Inject(BUS_TRANSPORT) private readonly transport: JetStreamServer) {}

  /** Jobs build tensors: pick the backend once, before the first job arrives. */
  async onModuleInit(): Promise<void> {
    await initBackend({ log: false });
  }

  async run(job: JobMessage, context: JobContext): Promise<JobResult> {
    const { store, state } = this.transport.bus();
    return (await sweepJobHandler({ store, state })(job, context)) ?? {};
  }
}

/**
 * What a stage controller calls to run one job: SweepJobRunner runs it through the pipeline
 * (executeJob) against the transport's artefact and state stores, with the KV job-state
 * bookkeeping of sweepJobHandler. Tests provide another JobRunner under JOB_RUNNER.
 */
import type { JetStreamServer, JobContext, JobMessage, JobResult } from '@memgen/bus';
import { initBackend } from '@memgen/tensor';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { sweepJobHandler } from '../nats-worker.js';
import type { ScienceMetrics } from './science-metrics.js';
import type { StageMetrics } from './stage-metrics.js';
import { BUS_TRANSPORT, SCIENCE_METRICS, STAGE_METRICS } from './tokens.js';

export interface JobRunner {
  /**
   * Runs `job` and resolves with the artefacts it stored.
   * @throws PermanentJobError (or a subclass) when retrying cannot help; anything else is retried
   */
  run(job: JobMessage, context: JobContext): Promise<JobResult>;
}

@Injectable()
export class SweepJobRunner implements JobRunner, OnModuleInit {
  private backend: Promise<void> | undefined;

  constructor(
    @Inject(BUS_TRANSPORT) private readonly transport: JetStreamServer,
    @Inject(SCIENCE_METRICS) private readonly science: ScienceMetrics,
    @Inject(STAGE_METRICS) private readonly stageMetrics: StageMetrics,
  ) {}

  /** Jobs build tensors: pick the backend once, as the app starts. */
  onModuleInit(): Promise<void> {
    return this.backendReady();
  }

  async run(job: JobMessage, context: JobContext): Promise<JobResult> {
    // A transport started before the app's init hooks may deliver a job first: wait for the backend.
    await this.backendReady();
    const { store, state, ledger } = this.transport.bus();
    const metrics = this.science.forJob(job);
    try {
      const onArtefactBytes = (bytes: { in: number; out: number }) =>
        this.stageMetrics.recordArtefactBytes(job.stage, bytes);
      return (
        (await sweepJobHandler({ store, state, ledger }, { metrics, onArtefactBytes })(job, context)) ?? {}
      );
    } finally {
      metrics.settle();
    }
  }

  private backendReady(): Promise<void> {
    this.backend ??= initBackend({ log: false }).then(() => undefined);
    return this.backend;
  }
}

/**
 * A stage-service process: the stage modules of its groups plus what they share, provided once
 * (global): the JetStream transport (its one NATS connection), the job runner, the stage and science metrics, and
 * /health + /metrics over HTTP.
 */
import type { JetStreamServer } from '@memgen/bus';
import type { JobGroupName } from '@memgen/pipeline';
import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SweepJobRunner } from './job-runner.js';
import { OpsController } from './ops.controller.js';
import { DEFAULT_RETAIN_MS, ScienceMetrics } from './science-metrics.js';
import { StageMetrics } from './stage-metrics.js';
import { StageServiceModule } from './stage-service.module.js';
import {
  BUS_TRANSPORT,
  JOB_RUNNER,
  METRIC_LABELS,
  SCIENCE_METRICS,
  SCIENCE_RETAIN_MS,
  STAGE_METRICS,
} from './tokens.js';

export interface StageAppOptions {
  groups: readonly JobGroupName[];
  /** The transport the app is connected to (app.connectMicroservice({ strategy: transport })). */
  transport: JetStreamServer;
  /** ScienceMetrics' retention of a settled job's series (default DEFAULT_RETAIN_MS). */
  metricsRetainMs?: number;
  /** Labels on every series of /metrics (StageMetrics' registry), e.g. the GPU index. */
  metricLabels?: Record<string, string>;
}

@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a NestJS dynamic module is a class with a static register()
export class StageAppModule {
  static register(options: StageAppOptions): DynamicModule {
    if (options.groups.length === 0) throw new Error('a stage app needs at least one job group');
    return {
      module: StageAppModule,
      global: true,
      imports: [TerminusModule, ...options.groups.map((group) => StageServiceModule.forStage(group))],
      controllers: [OpsController],
      providers: [
        // A factory, not useValue: Nest hashes a dynamic module's metadata, and the transport is big.
        { provide: BUS_TRANSPORT, useFactory: () => options.transport },
        { provide: JOB_RUNNER, useClass: SweepJobRunner },
        { provide: METRIC_LABELS, useValue: options.metricLabels ?? {} },
        { provide: STAGE_METRICS, useClass: StageMetrics },
        { provide: SCIENCE_RETAIN_MS, useValue: options.metricsRetainMs ?? DEFAULT_RETAIN_MS },
        { provide: SCIENCE_METRICS, useClass: ScienceMetrics },
      ],
      exports: [BUS_TRANSPORT, JOB_RUNNER, STAGE_METRICS, SCIENCE_METRICS],
    };
  }
}

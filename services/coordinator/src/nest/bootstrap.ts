/**
 * Starting a stage-service process: the Nest app (HTTP for /health and /metrics) with the JetStream
 * transport connected as its microservice, shutdown hooks on: SIGTERM closes the transport, which
 * drains (running jobs finish within the grace period or are handed back).
 */
import { type BusLogger, JetStreamServer, type JetStreamServerOptions } from '@memgen/bus';
import type { JobGroupName } from '@memgen/pipeline';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { StageAppModule } from './stage-app.module.js';

export interface StartStageAppOptions {
  groups: readonly JobGroupName[];
  transport: JetStreamServerOptions;
  /** HTTP port for /health and /metrics; 0 = any free port. */
  httpPort: number;
  logger: BusLogger;
  /** How long a settled job's run series stay on /metrics (default ScienceMetrics' two minutes). */
  metricsRetainMs?: number;
  /** Labels on every series this process exposes, e.g. { gpu: '0' } for a GPU slot process. */
  metricLabels?: Record<string, string>;
}

/** Builds and starts the app; returns it (app.close() drains and stops). */
export async function startStageApp(options: StartStageAppOptions): Promise<INestApplication> {
  const transport = new JetStreamServer({ logger: options.logger, ...options.transport });
  const app = await NestFactory.create(
    StageAppModule.register({
      groups: options.groups,
      transport,
      ...(options.metricsRetainMs === undefined ? {} : { metricsRetainMs: options.metricsRetainMs }),
      ...(options.metricLabels === undefined ? {} : { metricLabels: options.metricLabels }),
    }),
    {
      logger: ['error', 'warn'],
    },
  );
  app.connectMicroservice({ strategy: transport });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  // Init hooks (the job runner's backend) run before the transport starts pulling jobs.
  await app.init();
  await app.startAllMicroservices();
  await app.listen(options.httpPort, '0.0.0.0');
  options.logger.info({ url: await app.getUrl(), groups: options.groups }, 'service app listening');
  return app;
}

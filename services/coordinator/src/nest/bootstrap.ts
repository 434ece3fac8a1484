/**
 * Starting a stage-service process: the Nest app (HTTP for /health and /metrics) with the JetStream
 * transport connected as its microservice, shutdown hooks on: SIGTERM closes the transport, which
 * drains (running jobs finish within the grace period or are handed back). The HTTP server listens
 * on loopback unless told otherwise (a pod sets MEMGEN_HTTP_HOST=0.0.0.0 so Prometheus and the
 * kubelet reach it), and the log gives the address it really bound. Attempt directories that dead
 * workers left in the temporary directory are removed first.
 */
import type { AddressInfo } from 'node:net';
import { type BusLogger, JetStreamServer, type JetStreamServerOptions } from '@memgen/bus';
import type { JobGroupName } from '@memgen/pipeline';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { removeStaleAttemptDirs } from '../attempt-dirs.js';
import { StageAppModule } from './stage-app.module.js';

export interface StartStageAppOptions {
  groups: readonly JobGroupName[];
  transport: JetStreamServerOptions;
  /** HTTP port for /health and /metrics; 0 = any free port. */
  httpPort: number;
  /** Address /health and /metrics listen on (default DEFAULT_HTTP_HOST, loopback only). */
  httpHost?: string;
  logger: BusLogger;
  /** How long a settled job's run series stay on /metrics (default ScienceMetrics' two minutes). */
  metricsRetainMs?: number;
  /** Labels on every series this process exposes, e.g. { gpu: '0' } for a GPU slot process. */
  metricLabels?: Record<string, string>;
}

/** Where /health and /metrics listen when nothing says otherwise: this host only. */
export const DEFAULT_HTTP_HOST = '127.0.0.1';

/** Builds and starts the app; returns it (app.close() drains and stops). */
export async function startStageApp(options: StartStageAppOptions): Promise<INestApplication> {
  const stale = await removeStaleAttemptDirs();
  if (stale.length > 0)
    options.logger.info({ removed: stale }, 'removed attempt directories of workers that are gone');
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
  await app.listen(options.httpPort, options.httpHost ?? DEFAULT_HTTP_HOST);
  const { address, port } = app.getHttpServer().address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  options.logger.info({ url: `http://${host}:${port}`, groups: options.groups }, 'service app listening');
  return app;
}

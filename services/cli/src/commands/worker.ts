/**
 * `memgen worker --nats URL [--stages GROUP,...] [--slots N]`: the stage
 * services of the chosen job groups (default all of JOB_GROUPS) in one process (StageServiceModule.forStage per group), all on
 * one NATS connection owned by the JetStream transport: each group pulls its jobs from JetStream and
 * answers its control plane; /health + /metrics over HTTP. SIGTERM / SIGINT drain it: no new jobs,
 * running ones finish within --grace seconds or are handed back for redelivery. `--gpus 0,1,…`
 * runs one single-slot worker process per GPU instead (worker-gpus.ts).
 */
import 'reflect-metadata';
import type { JetStreamServerOptions } from '@memgen/bus';
import {
  busConnectionOptions,
  httpHostFromEnv,
  metricsRetainFromEnv,
  natsUrlFrom,
  parseJobGroups,
  positiveIntFrom,
  startStageApp,
} from '@memgen/coordinator';
import { JOB_GROUPS } from '@memgen/pipeline';
import type { Command } from 'commander';
import { pino } from 'pino';
import { watchParent } from './parent-watch.js';
import { gpuSlots, parseGpus, runGpuSlots } from './worker-gpus.js';

interface WorkerOptions {
  nats?: string;
  creds?: string;
  stages?: string;
  slots?: string;
  grace: string;
  ackWait?: string;
  http?: string;
  gpus?: string;
}

/** The transport's settings from the flags, falling back to the environment. */
function transportOptions(url: string, o: WorkerOptions): JetStreamServerOptions {
  const maxBytes = process.env.MEMGEN_MAX_MESSAGE_BYTES;
  return {
    connection: busConnectionOptions(url, `memgen-worker-${process.pid}`, o),
    slots: positiveIntFrom('--slots', o.slots ?? process.env.MEMGEN_SLOTS, 1),
    graceMs: positiveIntFrom('--grace', o.grace, 30) * 1000,
    ...(maxBytes ? { maxMessageBytes: positiveIntFrom('MEMGEN_MAX_MESSAGE_BYTES', maxBytes, 1) } : {}),
    policy: {
      ackWaitMs: positiveIntFrom('--ack-wait', o.ackWait ?? process.env.MEMGEN_ACK_WAIT_MS, 30_000),
    },
  };
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description("run stage services that pull their job groups' jobs from NATS JetStream")
    .option('--nats <url>', 'NATS server URL (default $MEMGEN_NATS_URL)')
    .option('--creds <file>', 'NATS credentials file (default $MEMGEN_NATS_CREDS)')
    .option('--stages <list>', `comma-separated job groups to serve (default all: ${JOB_GROUPS.join(',')})`)
    .option('--slots <n>', 'jobs per stage at once (default $MEMGEN_SLOTS or 1)')
    .option(
      '--grace <seconds>',
      'on SIGTERM, how long running jobs may finish before being handed back',
      '30',
    )
    .option(
      '--ack-wait <ms>',
      'redeliver a job whose worker went silent this long (default $MEMGEN_ACK_WAIT_MS or 30000)',
    )
    .option(
      '--http <port>',
      '/health and /metrics port (default $MEMGEN_HTTP_PORT, else any free port), on $MEMGEN_HTTP_HOST (default 127.0.0.1)',
    )
    .option('--gpus <list>', 'one slot process per GPU index (e.g. 0,1,2,3), each seeing only its device')
    .action(async (o: WorkerOptions) => {
      if (o.gpus !== undefined) {
        const args = process.argv.slice(process.argv.indexOf('worker') + 1);
        // The slot processes inherit it and stop when this process is gone (parent-watch.ts).
        process.env.MEMGEN_PARENT_PID = String(process.pid);
        process.exitCode = await runGpuSlots(gpuSlots(parseGpus(o.gpus), args));
        return;
      }
      const url = natsUrlFrom(o);
      if (url === undefined) throw new Error('--nats: a NATS URL is required (or set MEMGEN_NATS_URL)');
      const logger = pino(
        { name: 'memgen-worker', level: process.env.MEMGEN_LOG_LEVEL ?? 'info' },
        pino.destination(2),
      );
      const groups = parseJobGroups(o.stages);
      const http = o.http ?? process.env.MEMGEN_HTTP_PORT;
      const app = await startStageApp({
        groups,
        transport: transportOptions(url, o),
        httpPort: http === undefined || http === '0' ? 0 : positiveIntFrom('--http', http, 0),
        ...httpHostFromEnv(process.env),
        logger,
        ...metricsRetainFromEnv(process.env),
        ...(process.env.MEMGEN_GPU === undefined ? {} : { metricLabels: { gpu: process.env.MEMGEN_GPU } }),
      });
      const address = app.getHttpServer().address() as { port: number };
      process.stdout.write(`READY worker ${process.pid} stages=${groups.join(',')} http=${address.port}\n`);
      watchParent();
    });
}

/**
 * `memgen worker --nats URL [--stages training,recording,fitting,steering] [--slots N]`: the chosen stage
 * services (NestJS modules of services/trainer, activation-recorder, probe-fitter,
 * steering-evaluator) in one process, each pulling its stage's jobs from JetStream, with the NATS
 * control plane and /health + /metrics over HTTP. SIGTERM / SIGINT drain it: no new jobs, running
 * ones finish within --grace seconds or are handed back for redelivery.
 */
import 'reflect-metadata';
import { ActivationRecorderModule } from '@memgen/activation-recorder';
import {
  busConnectionOptions,
  natsUrlFrom,
  parseStages,
  positiveIntFrom,
  type StageModuleOptions,
  startServiceApp,
} from '@memgen/coordinator';
import { ProbeFitterModule } from '@memgen/probe-fitter';
import { SteeringEvaluatorModule } from '@memgen/steering-evaluator';
import { TrainerModule } from '@memgen/trainer';
import type { DynamicModule } from '@nestjs/common';
import type { Command } from 'commander';
import { pino } from 'pino';

interface WorkerOptions {
  nats?: string;
  creds?: string;
  stages?: string;
  slots?: string;
  grace: string;
  ackWait?: string;
  http?: string;
}

const STAGE_MODULES: Record<string, (options: StageModuleOptions) => DynamicModule> = {
  training: (o) => TrainerModule.register(o),
  recording: (o) => ActivationRecorderModule.register(o),
  fitting: (o) => ProbeFitterModule.register(o),
  steering: (o) => SteeringEvaluatorModule.register(o),
};

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run stage services (train, record, fit, steer) that pull jobs from NATS JetStream')
    .option('--nats <url>', 'NATS server URL (default $MEMGEN_NATS_URL)')
    .option('--creds <file>', 'NATS credentials file (default $MEMGEN_NATS_CREDS)')
    .option(
      '--stages <list>',
      'comma-separated stages to serve (default all: training,recording,fitting,steering)',
    )
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
    .option('--http <port>', '/health and /metrics port (default $MEMGEN_HTTP_PORT, else any free port)')
    .action(async (o: WorkerOptions) => {
      const url = natsUrlFrom(o);
      if (url === undefined) throw new Error('--nats: a NATS URL is required (or set MEMGEN_NATS_URL)');
      const logger = pino(
        { name: 'memgen-worker', level: process.env.MEMGEN_LOG_LEVEL ?? 'info' },
        pino.destination(2),
      );
      const stages = parseStages(o.stages);
      const http = o.http ?? process.env.MEMGEN_HTTP_PORT;
      const options: StageModuleOptions = {
        connection: busConnectionOptions(url, `memgen-worker-${process.pid}`, o),
        slots: positiveIntFrom('--slots', o.slots ?? process.env.MEMGEN_SLOTS, 1),
        logger,
        graceSeconds: positiveIntFrom('--grace', o.grace, 30),
        ...(process.env.MEMGEN_MAX_MESSAGE_BYTES
          ? {
              maxMessageBytes: positiveIntFrom(
                'MEMGEN_MAX_MESSAGE_BYTES',
                process.env.MEMGEN_MAX_MESSAGE_BYTES,
                1,
              ),
            }
          : {}),
        policy: {
          ackWaitMs: positiveIntFrom('--ack-wait', o.ackWait ?? process.env.MEMGEN_ACK_WAIT_MS, 30_000),
        },
      };
      const app = await startServiceApp({
        stages: stages.map((stage) => STAGE_MODULES[stage]!(options)),
        natsUrl: url.split(','),
        httpPort: http === undefined || http === '0' ? 0 : positiveIntFrom('--http', http, 0),
        logger,
      });
      const address = app.getHttpServer().address() as { port: number };
      process.stdout.write(`READY worker ${process.pid} stages=${stages.join(',')} http=${address.port}\n`);
    });
}

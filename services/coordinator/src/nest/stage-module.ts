/**
 * The dynamic module of one stage service: its options, the function that starts its bus workers,
 * its StageRunner and its control-plane controller. Each service (trainer, activation-recorder,
 * probe-fitter, steering-evaluator) is this with its own stage and controller.
 */
import type { DynamicModule, Type } from '@nestjs/common';
import { pino } from 'pino';
import { busConnectionOptions, natsUrlFrom, positiveIntFrom } from '../bus-config.js';
import { startSweepWorkers } from '../worker-runtime.js';
import { StageRunner, type StageServiceOptions, type StartWorkers } from './stage-runner.js';
import { STAGE_OPTIONS, STAGE_RUNNER, START_WORKERS } from './tokens.js';

/** A stage module's options: everything but the stage, which the module fixes. */
export type StageModuleOptions = Omit<StageServiceOptions, 'stage'> & { startWorkers?: StartWorkers };

export function stageModule(
  module: Type<unknown>,
  stage: string,
  controller: Type<unknown>,
  options: StageModuleOptions,
): DynamicModule {
  const { startWorkers, ...rest } = options;
  const serviceOptions: StageServiceOptions = { ...rest, stage };
  return {
    module,
    controllers: [controller],
    providers: [
      { provide: STAGE_OPTIONS, useValue: serviceOptions },
      { provide: START_WORKERS, useValue: startWorkers ?? startSweepWorkers },
      { provide: STAGE_RUNNER, useClass: StageRunner },
    ],
    exports: [STAGE_RUNNER],
  };
}

/**
 * A service's options from the environment (its Kubernetes entry point): MEMGEN_NATS_URL
 * (required), MEMGEN_NATS_CREDS / USER / PASS / TOKEN, MEMGEN_SLOTS (default 1),
 * MEMGEN_ACK_WAIT_MS, MEMGEN_GRACE_S (default 30), MEMGEN_HTTP_PORT (default 8080).
 * @throws Error naming the variable that is missing or wrong.
 */
export function serviceOptionsFromEnv(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): { module: StageModuleOptions; natsUrl: string; httpPort: number } {
  const url = natsUrlFrom({}, env);
  if (url === undefined) throw new Error('MEMGEN_NATS_URL is required (e.g. nats://nats:4222)');
  const logger = pino({ name, level: env.MEMGEN_LOG_LEVEL ?? 'info' });
  const ackWait = env.MEMGEN_ACK_WAIT_MS;
  return {
    natsUrl: url,
    httpPort: positiveIntFrom('MEMGEN_HTTP_PORT', env.MEMGEN_HTTP_PORT, 8080),
    module: {
      connection: busConnectionOptions(url, `${name}-${env.HOSTNAME ?? process.pid}`, {}, env),
      slots: positiveIntFrom('MEMGEN_SLOTS', env.MEMGEN_SLOTS, 1),
      logger,
      graceSeconds: positiveIntFrom('MEMGEN_GRACE_S', env.MEMGEN_GRACE_S, 30),
      ...(ackWait ? { policy: { ackWaitMs: positiveIntFrom('MEMGEN_ACK_WAIT_MS', ackWait, 30_000) } } : {}),
    },
  };
}

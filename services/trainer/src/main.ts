/**
 * Entry point of the trainer service on its own (one Kubernetes deployment per stage):
 * `node --import tsx services/trainer/src/main.ts`, configured by the environment
 * (see serviceOptionsFromEnv). SIGTERM drains it.
 */
import 'reflect-metadata';
import { serviceOptionsFromEnv, startServiceApp } from '@memgen/coordinator';
import { TrainerModule } from './trainer.module.js';

const config = serviceOptionsFromEnv('memgen-trainer');
await startServiceApp({
  stages: [TrainerModule.register(config.module)],
  natsUrl: config.natsUrl,
  httpPort: config.httpPort,
  logger: config.module.logger,
});

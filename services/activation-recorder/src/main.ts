/**
 * Entry point of the activation-recorder service on its own (one Kubernetes deployment per stage):
 * `node --import tsx services/activation-recorder/src/main.ts`, configured by the environment
 * (see serviceOptionsFromEnv). SIGTERM drains it.
 */
import 'reflect-metadata';
import { serviceOptionsFromEnv, startServiceApp } from '@memgen/coordinator';
import { ActivationRecorderModule } from './activation-recorder.module.js';

const config = serviceOptionsFromEnv('memgen-activation-recorder');
await startServiceApp({
  stages: [ActivationRecorderModule.register(config.module)],
  natsUrl: config.natsUrl,
  httpPort: config.httpPort,
  logger: config.module.logger,
});

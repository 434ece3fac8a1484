/**
 * Entry point of the steering-evaluator service on its own (one Kubernetes deployment per stage):
 * `node --import tsx services/steering-evaluator/src/main.ts`, configured by the environment
 * (see serviceOptionsFromEnv). SIGTERM drains it.
 */
import 'reflect-metadata';
import { serviceOptionsFromEnv, startServiceApp } from '@memgen/coordinator';
import { SteeringEvaluatorModule } from './steering-evaluator.module.js';

const config = serviceOptionsFromEnv('memgen-steering-evaluator');
await startServiceApp({
  stages: [SteeringEvaluatorModule.register(config.module)],
  natsUrl: config.natsUrl,
  httpPort: config.httpPort,
  logger: config.module.logger,
});

/**
 * Entry point of the probe-fitter service on its own (one Kubernetes deployment per stage):
 * `node --import tsx services/probe-fitter/src/main.ts`, configured by the environment
 * (see serviceOptionsFromEnv). SIGTERM drains it.
 */
import 'reflect-metadata';
import { serviceOptionsFromEnv, startServiceApp } from '@memgen/coordinator';
import { ProbeFitterModule } from './probe-fitter.module.js';

const config = serviceOptionsFromEnv('memgen-probe-fitter');
await startServiceApp({
  stages: [ProbeFitterModule.register(config.module)],
  natsUrl: config.natsUrl,
  httpPort: config.httpPort,
  logger: config.module.logger,
});

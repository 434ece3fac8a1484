/**
 * The activation-recorder service (Kubernetes deployment memgen-activation-recorder): the 'recording' job group's stage
 * service, configured by the environment (serviceOptionsFromEnv). SIGTERM drains it.
 * Run: node --import tsx services/activation-recorder/src/main.ts
 */
import 'reflect-metadata';
import { runStageService } from '@memgen/coordinator';

await runStageService('memgen-activation-recorder', 'recording');

/**
 * The trainer service (Kubernetes deployment memgen-trainer): the 'training' job group's stage
 * service, configured by the environment (serviceOptionsFromEnv). SIGTERM drains it.
 * Run: node --import tsx services/trainer/src/main.ts
 */
import 'reflect-metadata';
import { runStageService } from '@memgen/coordinator';

await runStageService('memgen-trainer', 'training');

/**
 * The steering-evaluator service (Kubernetes deployment memgen-steering-evaluator): the 'steering' job group's stage
 * service, configured by the environment (serviceOptionsFromEnv). SIGTERM drains it.
 * Run: node --import tsx services/steering-evaluator/src/main.ts
 */
import 'reflect-metadata';
import { runStageService } from '@memgen/coordinator';

await runStageService('memgen-steering-evaluator', 'steering');

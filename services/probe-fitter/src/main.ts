/**
 * The probe-fitter service (Kubernetes deployment memgen-probe-fitter): the 'fitting' job group's stage
 * service, configured by the environment (serviceOptionsFromEnv). SIGTERM drains it.
 * Run: node --import tsx services/probe-fitter/src/main.ts
 */
import 'reflect-metadata';
import { runStageService } from '@memgen/coordinator';

await runStageService('memgen-probe-fitter', 'fitting');

export { DEFAULT_HTTP_HOST, type StartStageAppOptions, startStageApp } from './bootstrap.js';
export { type JobRunner, SweepJobRunner } from './job-runner.js';
export { OpsController } from './ops.controller.js';
export {
  httpHostFromEnv,
  metricsRetainFromEnv,
  parseJobGroups,
  runStageService,
  serviceOptionsFromEnv,
} from './service-env.js';
export { type StageHealth, stageController } from './stage.controller.js';
export { StageAppModule, type StageAppOptions } from './stage-app.module.js';
export { StageMetrics } from './stage-metrics.js';
export { StageServiceModule } from './stage-service.module.js';
export {
  BUS_TRANSPORT,
  CONTROL_ACTIONS,
  type ControlAction,
  controlPattern,
  JOB_RUNNER,
  STAGE_GROUP,
  STAGE_METRICS,
} from './tokens.js';

export { type ServiceAppOptions, startServiceApp } from './bootstrap.js';
export { MsgpackDeserializer, MsgpackSerializer, natsTransportOptions } from './msgpack-transport.js';
export { OpsController } from './ops.controller.js';
export { OpsModule } from './ops.module.js';
export { type StageModuleOptions, serviceOptionsFromEnv, stageModule } from './stage-module.js';
export { StageRegistry } from './stage-registry.js';
export {
  StageRunner,
  type StageServiceOptions,
  type StageStatus,
  type StartWorkers,
} from './stage-runner.js';
export {
  CONTROL_ACTIONS,
  type ControlAction,
  controlPattern,
  STAGE_OPTIONS,
  STAGE_REGISTRY,
  STAGE_RUNNER,
  START_WORKERS,
} from './tokens.js';

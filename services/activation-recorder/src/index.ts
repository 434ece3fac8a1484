export { ActivationRecorderController } from './activation-recorder.controller.js';
export { ActivationRecorderModule } from './activation-recorder.module.js';
export { ACTIVATION_RECORDER_STAGE } from './constants.js';

export { TRAINER_STAGE } from './constants.js';
export { TrainerController } from './trainer.controller.js';
export { TrainerModule } from './trainer.module.js';

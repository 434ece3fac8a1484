export { STEERING_EVALUATOR_STAGE } from './constants.js';
export { SteeringEvaluatorController } from './steering-evaluator.controller.js';
export { SteeringEvaluatorModule } from './steering-evaluator.module.js';

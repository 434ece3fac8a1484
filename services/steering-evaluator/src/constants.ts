/** The steering-evaluator service runs the 'steer' jobs: steering and the report. */
export const STEERING_EVALUATOR_STAGE = 'steering';

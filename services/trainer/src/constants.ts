/** The trainer service runs the 'train' jobs: train a model from its spec and store its checkpoint. */
export const TRAINER_STAGE = 'training';

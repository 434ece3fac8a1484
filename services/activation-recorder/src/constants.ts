/** The activation-recorder service runs the 'record' jobs: flipped pairs and their activations. */
export const ACTIVATION_RECORDER_STAGE = 'recording';

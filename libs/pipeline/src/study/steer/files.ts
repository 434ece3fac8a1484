/**
 * The steer stage's artefacts: `steering.json` (SteeringFile, ./steering-file.ts) and the learned
 * directions (`directions.safetensors`, ./learn/directions-file.ts).
 */
export const STEER_FILES = { steering: 'steering.json', directions: 'directions.safetensors' } as const;

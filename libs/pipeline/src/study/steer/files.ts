/** The steer stage's artefact (its content: SteeringFile, ./steering-file.ts). */
export const STEER_FILES = { steering: 'steering.json' } as const;

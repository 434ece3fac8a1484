/** The consistency stage's artefact (its content: ConsistencyFile, ./stage.ts). */
export const CONSISTENCY_FILES = { consistency: 'consistency.json' } as const;

/** The pairs stage's artefact (format: ./pairs-file.ts). */
export const PAIRS_FILES = { pairs: 'pairs.jsonl' } as const;

/** The record stage's artefact (format: ./activations-file.ts). */
export const RECORD_FILES = { activations: 'activations.safetensors' } as const;

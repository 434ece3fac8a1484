/** The patching stage's artefact (its content: PatchingFile, ./stage.ts). */
export const PATCHING_FILES = { patching: 'patching.json' } as const;

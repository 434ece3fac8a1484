/** The probes stage's artefact (its content: ProbesFile, ./stage.ts). */
export const PROBES_FILES = { probes: 'probes.json' } as const;

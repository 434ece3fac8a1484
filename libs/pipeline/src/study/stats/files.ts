/** The stats stage's artefact (format: ./stats-file.ts). */
export const STATS_FILES = { stats: 'stats.safetensors' } as const;

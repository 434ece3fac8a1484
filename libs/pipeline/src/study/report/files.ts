/** The report stage's artefacts: the report, its key numbers and its figures' folder. */
export const REPORT_FILES = { results: 'results.json', report: 'report.md', figures: 'figures' } as const;

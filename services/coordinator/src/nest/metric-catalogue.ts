/**
 * Every metric a stage service exposes on /metrics, declared once: name, type, help and labels.
 * The prom-client metrics are built from these entries (StageMetrics, ScienceMetrics), and the
 * metric table in deploy/README.md is rendered from them. Prometheus naming: one `memgen_`
 * prefix, base units (seconds, bytes), `_total` on counters, `_ratio` on fractions in [0, 1].
 * Labels are bounded: a stage, an outcome, a run (task, preset, size, seed, run id of the sweep
 * spec), a residual site or a steering setting id — never a neuron, an item or a step.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDefinition {
  name: string;
  type: MetricType;
  help: string;
  labels: readonly string[];
}

/** The labels of a run's series, read from its run id. */
export const RUN_LABELS = ['task', 'preset', 'size', 'seed', 'run_id'] as const;

const define = (type: MetricType, name: string, help: string, labels: readonly string[]) =>
  ({ name, type, help, labels }) satisfies MetricDefinition;

export const METRICS = {
  jobs: define(
    'counter',
    'memgen_jobs_total',
    'Jobs finished by outcome (done, failed = will retry, dead = given up)',
    ['stage', 'outcome'],
  ),
  jobSeconds: define('histogram', 'memgen_job_seconds', 'Wall time of job attempts', ['stage']),
  redeliveries: define(
    'counter',
    'memgen_job_redeliveries_total',
    'Job attempts that were a redelivery (a worker died, timed out or failed before)',
    ['stage'],
  ),
  artefactBytes: define(
    'counter',
    'memgen_artefact_bytes_total',
    'Bytes of the artefacts jobs that ran read (in) and produced (out)',
    ['stage', 'direction'],
  ),
  buildInfo: define(
    'gauge',
    'memgen_build_info',
    'Always 1: the memgen and Node.js versions of this process',
    ['version', 'node_version'],
  ),
  slots: define('gauge', 'memgen_slots', 'Job slots per stage', ['stage']),
  slotsBusy: define('gauge', 'memgen_slots_busy', 'Job slots running a job', ['stage']),
  trainSteps: define('counter', 'memgen_train_steps_total', 'Optimisation steps trained', RUN_LABELS),
  trainTokens: define(
    'counter',
    'memgen_train_tokens_total',
    'Tokens trained on (padded batch positions)',
    RUN_LABELS,
  ),
  trainLoss: define('gauge', 'memgen_train_loss', 'Training loss of the latest step', RUN_LABELS),
  trainTokensPerSecond: define(
    'gauge',
    'memgen_train_tokens_per_second',
    'Training throughput over the last few seconds',
    RUN_LABELS,
  ),
  conflictAnswers: define(
    'gauge',
    'memgen_eval_conflict_ratio',
    'Latest evaluation: fraction of conflict items answered gen, mem or other',
    [...RUN_LABELS, 'answer'],
  ),
  ruleAccuracy: define(
    'gauge',
    'memgen_eval_rule_accuracy_ratio',
    'Latest evaluation: balanced rule accuracy',
    RUN_LABELS,
  ),
  shortcutBaseline: define(
    'gauge',
    'memgen_eval_shortcut_baseline_ratio',
    'Latest evaluation: the best answer-free heuristic on the same rule items',
    RUN_LABELS,
  ),
  selectedStep: define(
    'gauge',
    'memgen_train_selected_step',
    'Step of the checkpoint training ended with',
    RUN_LABELS,
  ),
  qualified: define(
    'gauge',
    'memgen_train_qualified',
    '1 when the checkpoint beat the shortcut baseline by the margin, else 0',
    RUN_LABELS,
  ),
  flipRate: define(
    'gauge',
    'memgen_study_flip_rate_ratio',
    'Fraction of decoded equivalent pairs whose members flip between gen and mem',
    RUN_LABELS,
  ),
  probeAccuracy: define(
    'gauge',
    'memgen_study_probe_accuracy_ratio',
    'Held-out probe accuracy by residual site (layer), raw or within-pair centred',
    [...RUN_LABELS, 'site', 'centring'],
  ),
  steeringSwitch: define(
    'gauge',
    'memgen_study_steering_switch_ratio',
    'Switch rate of a steering setting (targeted) beside its matched control',
    [...RUN_LABELS, 'setting', 'direction', 'arm'],
  ),
} as const satisfies Record<string, MetricDefinition>;

export type MetricKey = keyof typeof METRICS;

/** prom-client's options of a catalogue entry. */
export const promOptions = (m: MetricDefinition) => ({
  name: m.name,
  help: m.help,
  labelNames: [...m.labels],
});

/** The catalogue as a Markdown table (deploy/README.md holds it between its metrics markers). */
export function metricCatalogueMarkdown(): string {
  const rows = Object.values(METRICS as Record<string, MetricDefinition>).map(
    (m) => `| \`${m.name}\` | ${m.type} | ${m.labels.map((l) => `\`${l}\``).join(', ') || '—'} | ${m.help} |`,
  );
  return ['| metric | type | labels | what |', '|---|---|---|---|', ...rows].join('\n');
}

/** Study: flip rate per run, probe accuracy by layer × size, steering against its matched control. */
import { dashboard, table, timeseries } from './panels.js';
import { RUN, runVariables } from './runs.js';

/** Flip rate by run and where probes read mem vs gen. */
const pairsAndProbes = () => ({
  title: 'Pairs and probes',
  panels: [
    table('Flip rate by run', [{ expr: `memgen_study_flip_rate_ratio{${RUN}}`, legend: '{{run_id}}' }]),
    table('Best probe accuracy, layer × size (centred)', [
      {
        expr: `max by (size, site) (memgen_study_probe_accuracy_ratio{${RUN}, centring="centred"})`,
        legend: '{{size}} {{site}}',
      },
    ]),
    timeseries(
      'Probe accuracy by layer',
      'percentunit',
      [
        {
          expr: `memgen_study_probe_accuracy_ratio{${RUN}}`,
          legend: '{{run_id}} {{site}} {{centring}}',
        },
      ],
      { min: 0, max: 1, span: 24 },
    ),
  ],
});

/** Every steering setting against its matched control. */
const steering = () => ({
  title: 'Steering',
  panels: [
    table(
      'Switch rate, targeted vs matched control, per setting',
      [
        {
          expr: `memgen_study_steering_switch_ratio{${RUN}}`,
          legend: '{{run_id}} {{setting}} {{direction}} {{arm}}',
        },
      ],
      {
        span: 24,
        description: 'A setting steers when targeted is well above control in both directions',
      },
    ),
    table(
      'Settings whose targeted rate is ≥ 3× the control',
      [
        {
          expr:
            `memgen_study_steering_switch_ratio{${RUN}, arm="targeted"} > on (run_id, setting, direction) ` +
            `(3 * memgen_study_steering_switch_ratio{${RUN}, arm="control"})`,
          legend: '{{run_id}} {{setting}} {{direction}}',
        },
      ],
      { span: 24, description: 'No significance test here: the results book has the Holm-corrected p' },
    ),
  ],
});

export const study = () =>
  dashboard({
    uid: 'memgen-study',
    title: 'memgen / study',
    description:
      'What the study found per run: flipped pairs, where probes read mem vs gen, and whether steering beats its control.',
    variables: runVariables(),
    rows: [pairsAndProbes(), steering()],
  });

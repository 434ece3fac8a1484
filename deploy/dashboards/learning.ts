/** Learning: per run, the loss, the conflict answers gen / mem / other, rule accuracy vs its baseline. */
import { dashboard, table, timeseries } from './panels.js';
import { RUN, runVariables } from './runs.js';

export const learning = () =>
  dashboard({
    uid: 'memgen-learning',
    title: 'memgen / learning',
    description:
      'Is each run learning, and when does memory take over? Training loss, evaluations, the checkpoint it ended with.',
    variables: runVariables(),
    rows: [
      {
        title: 'Training',
        panels: [
          timeseries('Training loss', 'none', [{ expr: `memgen_train_loss{${RUN}}`, legend: '{{run_id}}' }], {
            min: 0,
          }),
          timeseries('Tokens / s', 'short', [
            { expr: `memgen_train_tokens_per_second{${RUN}}`, legend: '{{run_id}}' },
          ]),
        ],
      },
      {
        title: 'Evaluations',
        panels: [
          timeseries(
            'Conflict items: gen / mem / other',
            'percentunit',
            [{ expr: `memgen_eval_conflict_ratio{${RUN}}`, legend: '{{run_id}} {{answer}}' }],
            { min: 0, max: 1, description: 'Memory takes over where mem rises and gen falls' },
          ),
          timeseries(
            'Balanced rule accuracy vs shortcut baseline',
            'percentunit',
            [
              { expr: `memgen_eval_rule_accuracy_ratio{${RUN}}`, legend: '{{run_id}} rule' },
              { expr: `memgen_eval_shortcut_baseline_ratio{${RUN}}`, legend: '{{run_id}} baseline' },
            ],
            { min: 0, max: 1 },
          ),
          table(
            'Checkpoint each run ended with',
            [
              { expr: `memgen_train_selected_step{${RUN}}`, legend: 'step' },
              { expr: `memgen_train_qualified{${RUN}}`, legend: 'qualified' },
            ],
            { span: 24 },
          ),
        ],
      },
    ],
  });

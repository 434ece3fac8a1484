/** Sweep overview: jobs queued, running, done and dead-lettered, the rate jobs finish, an ETA. */
import { dashboard, stat, timeseries } from './panels.js';

/** Jobs stored and not yet delivered, per stage consumer (prometheus-nats-exporter, -jsz=consumers). */
const QUEUED = 'sum(jetstream_consumer_num_pending{consumer_name=~"memgen-.*"})';
const DONE_RATE = 'sum(rate(memgen_jobs_total{outcome="done"}[15m]))';

export const overview = () =>
  dashboard({
    uid: 'memgen-overview',
    title: 'memgen / sweep overview',
    description:
      'Jobs of every sweep on this cluster: queued, running, done, dead-lettered, and when the queue empties.',
    variables: [],
    rows: [
      {
        title: 'Jobs',
        panels: [
          stat('Queued', 'short', [{ expr: QUEUED }], { description: 'Stored jobs no worker has taken yet' }),
          stat('Running', 'short', [{ expr: 'sum(memgen_slots_busy)' }]),
          stat('Done (time range)', 'short', [
            { expr: 'sum(increase(memgen_jobs_total{outcome="done"}[$__range]))' },
          ]),
          stat('Dead-lettered (time range)', 'short', [
            { expr: 'sum(increase(memgen_jobs_total{outcome="dead"}[$__range]))' },
          ]),
          stat('ETA of the queue', 's', [{ expr: `(${QUEUED} + sum(memgen_slots_busy)) / ${DONE_RATE}` }], {
            description: 'Queued and running jobs over the rate jobs finished in the last 15 minutes',
            span: 8,
          }),
          timeseries(
            'Jobs finished / s by stage',
            'ops',
            [
              {
                expr: 'sum by (stage) (rate(memgen_jobs_total{outcome="done"}[$__rate_interval]))',
                legend: '{{stage}}',
              },
            ],
            { span: 16 },
          ),
        ],
      },
      {
        title: 'Training',
        panels: [
          timeseries('Steps / s by run', 'short', [
            {
              expr: 'sum by (run_id) (rate(memgen_train_steps_total[$__rate_interval]))',
              legend: '{{run_id}}',
            },
          ]),
          timeseries('Tokens trained / s, all runs', 'short', [
            { expr: 'sum(rate(memgen_train_tokens_total[$__rate_interval]))', legend: 'tokens / s' },
          ]),
        ],
      },
    ],
  });

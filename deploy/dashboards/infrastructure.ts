/**
 * Infrastructure: workers, slots, job rates and durations, redeliveries; NATS through
 * prometheus-nats-exporter (gnatsd_* / jetstream_* names); GPUs through NVIDIA's DCGM exporter.
 */
import { dashboard, labelVariable, timeseries } from './panels.js';

const STAGE = 'stage=~"$stage"';
const rate = (metric: string, extra = '') =>
  `sum by (stage) (rate(${metric}{${STAGE}${extra}}[$__rate_interval]))`;

const workersRow = () => ({
  title: 'Workers and jobs',
  panels: [
    timeseries('Workers by stage', 'short', [
      { expr: `count by (stage) (memgen_slots{${STAGE}})`, legend: '{{stage}}' },
    ]),
    timeseries('Slots busy vs slots', 'short', [
      { expr: `sum by (stage) (memgen_slots_busy{${STAGE}})`, legend: '{{stage}} busy' },
      { expr: `sum by (stage) (memgen_slots{${STAGE}})`, legend: '{{stage}} slots' },
    ]),
    timeseries('Jobs done / failed / dead-lettered per second', 'ops', [
      { expr: rate('memgen_jobs_total', ', outcome="done"'), legend: '{{stage}} done' },
      {
        expr: rate('memgen_jobs_total', ', outcome="failed"'),
        legend: '{{stage}} failed (will retry)',
      },
      { expr: rate('memgen_jobs_total', ', outcome="dead"'), legend: '{{stage}} dead-lettered' },
    ]),
    timeseries('Job duration p50 / p95', 's', [
      {
        expr: `histogram_quantile(0.5, sum by (stage, le) (rate(memgen_job_seconds_bucket{${STAGE}}[$__rate_interval])))`,
        legend: '{{stage}} p50',
      },
      {
        expr: `histogram_quantile(0.95, sum by (stage, le) (rate(memgen_job_seconds_bucket{${STAGE}}[$__rate_interval])))`,
        legend: '{{stage}} p95',
      },
    ]),
    timeseries('Redelivered attempts / s', 'ops', [
      { expr: rate('memgen_job_redeliveries_total'), legend: '{{stage}}' },
    ]),
    timeseries('Artefact bytes / s read (in) and produced (out)', 'Bps', [
      {
        expr: 'sum by (stage, direction) (rate(memgen_artefact_bytes_total{stage=~"$stage"}[$__rate_interval]))',
        legend: '{{stage}} {{direction}}',
      },
    ]),
    timeseries('memgen versions', 'short', [
      {
        expr: 'count by (version, node_version) (memgen_build_info)',
        legend: '{{version}} node {{node_version}}',
      },
    ]),
  ],
});

const natsRow = () => ({
  title: 'NATS',
  panels: [
    timeseries('Client connections', 'short', [{ expr: 'gnatsd_varz_connections', legend: '{{server_id}}' }]),
    timeseries('Messages in / s', 'ops', [
      { expr: 'rate(gnatsd_varz_in_msgs[$__rate_interval])', legend: '{{server_id}}' },
    ]),
    timeseries('Jobs waiting / in flight by stage consumer', 'short', [
      {
        expr: 'max by (consumer_name) (jetstream_consumer_num_pending{consumer_name=~"memgen-.*"})',
        legend: '{{consumer_name}} waiting',
      },
      {
        expr: 'max by (consumer_name) (jetstream_consumer_num_ack_pending{consumer_name=~"memgen-.*"})',
        legend: '{{consumer_name}} in flight',
      },
    ]),
    timeseries('Redelivered messages by stage consumer', 'short', [
      {
        expr: 'max by (consumer_name) (jetstream_consumer_num_redelivered{consumer_name=~"memgen-.*"})',
        legend: '{{consumer_name}}',
      },
    ]),
  ],
});

const gpuRow = () => ({
  title: 'GPUs (DCGM exporter; empty without GPU nodes)',
  panels: [
    timeseries(
      'GPU utilisation',
      'percent',
      [{ expr: 'DCGM_FI_DEV_GPU_UTIL', legend: '{{Hostname}} GPU {{gpu}}' }],
      { min: 0, max: 100 },
    ),
    timeseries(
      'GPU memory used',
      'decmbytes',
      [{ expr: 'DCGM_FI_DEV_FB_USED', legend: '{{Hostname}} GPU {{gpu}}' }],
      { min: 0 },
    ),
  ],
});

export const infrastructure = () =>
  dashboard({
    uid: 'memgen-infrastructure',
    title: 'memgen / infrastructure',
    description: 'Stage workers, their slots and jobs; the NATS servers; GPU nodes.',
    variables: [labelVariable('stage', 'Stage', 'memgen_slots')],
    rows: [workersRow(), natsRow(), gpuRow()],
  });

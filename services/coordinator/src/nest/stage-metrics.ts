/**
 * The stage services' Prometheus metrics (prom-client, own registry), read from the transport:
 * jobs done/failed/dead, job seconds, redeliveries, slots and slots busy, labelled by stage (the
 * job group), and the build info.
 */
import { readFileSync } from 'node:fs';
import type { JetStreamServer } from '@memgen/bus';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { METRICS, promOptions } from './metric-catalogue.js';
import { BUS_TRANSPORT, METRIC_LABELS } from './tokens.js';

/** The workspace's version (the root package.json's), for memgen_build_info. */
const MEMGEN_VERSION = (
  JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

@Injectable()
export class StageMetrics {
  readonly registry = new Registry();
  private readonly reported = new Map<string, number>();
  private readonly artefactBytes: Counter<string>;

  constructor(
    @Inject(BUS_TRANSPORT) transport: JetStreamServer,
    @Optional() @Inject(METRIC_LABELS) labels: Record<string, string> = {},
  ) {
    this.registry.setDefaultLabels(labels);
    const reported = this.reported;
    const statuses = () => transport.groups().map((group) => transport.groupStatus(group));
    new Counter({
      ...promOptions(METRICS.jobs),
      registers: [this.registry],
      collect() {
        // The transport counts outcomes (dead letters happen outside the handler): add what is new.
        for (const status of statuses()) {
          for (const outcome of ['done', 'failed', 'dead'] as const) {
            const key = `${status.stage}.${outcome}`;
            const delta = status[outcome] - (reported.get(key) ?? 0);
            // An outcome not seen yet is exported as 0, so rates and alerts have a series to read.
            if (delta > 0 || !reported.has(key)) this.inc({ stage: status.stage, outcome }, delta);
            reported.set(key, status[outcome]);
          }
        }
      },
    });
    const seconds = new Histogram({
      ...promOptions(METRICS.jobSeconds),
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 1800, 7200],
      registers: [this.registry],
    });
    const redeliveries = new Counter({
      ...promOptions(METRICS.redeliveries),
      registers: [this.registry],
      collect() {
        for (const status of statuses()) this.inc({ stage: status.stage }, 0);
      },
    });
    transport.onSettled((event) => {
      seconds.observe({ stage: event.group }, event.seconds);
      if (event.deliveryCount > 1) redeliveries.inc({ stage: event.group });
    });
    this.artefactBytes = new Counter({ ...promOptions(METRICS.artefactBytes), registers: [this.registry] });
    new Gauge({ ...promOptions(METRICS.buildInfo), registers: [this.registry] }).set(
      { version: MEMGEN_VERSION, node_version: process.versions.node },
      1,
    );
    new Gauge({
      ...promOptions(METRICS.slots),
      registers: [this.registry],
      collect() {
        for (const status of statuses()) this.set({ stage: status.stage }, status.slots);
      },
    });
    new Gauge({
      ...promOptions(METRICS.slotsBusy),
      registers: [this.registry],
      collect() {
        for (const status of statuses()) this.set({ stage: status.stage }, status.busy);
      },
    });
  }

  /** Counts the artefact bytes a job of `stage` read and produced. */
  recordArtefactBytes(stage: string, bytes: { in: number; out: number }): void {
    this.artefactBytes.inc({ stage, direction: 'in' }, bytes.in);
    this.artefactBytes.inc({ stage, direction: 'out' }, bytes.out);
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

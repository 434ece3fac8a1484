/**
 * The stage services' Prometheus metrics (prom-client, own registry), read from the transport:
 * jobs done/failed/dead, job seconds, slots and slots busy, labelled by stage (the job group).
 */
import type { JetStreamServer } from '@memgen/bus';
import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { BUS_TRANSPORT } from './tokens.js';

@Injectable()
export class StageMetrics {
  readonly registry = new Registry();
  private readonly reported = new Map<string, number>();

  constructor(@Inject(BUS_TRANSPORT) transport: JetStreamServer) {
    const reported = this.reported;
    const statuses = () => transport.groups().map((group) => transport.groupStatus(group));
    new Counter({
      name: 'memgen_jobs_total',
      help: 'Jobs finished by outcome (done, failed = will retry, dead = given up)',
      labelNames: ['stage', 'outcome'],
      registers: [this.registry],
      collect() {
        // The transport counts outcomes (dead letters happen outside the handler): add what is new.
        for (const status of statuses()) {
          for (const outcome of ['done', 'failed', 'dead'] as const) {
            const key = `${status.stage}.${outcome}`;
            const delta = status[outcome] - (reported.get(key) ?? 0);
            if (delta > 0) this.inc({ stage: status.stage, outcome }, delta);
            reported.set(key, status[outcome]);
          }
        }
      },
    });
    const seconds = new Histogram({
      name: 'memgen_job_seconds',
      help: 'Wall time of job attempts',
      labelNames: ['stage'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 1800, 7200],
      registers: [this.registry],
    });
    transport.onSettled((event) => seconds.observe({ stage: event.group }, event.seconds));
    new Gauge({
      name: 'memgen_slots',
      help: 'Job slots per stage',
      labelNames: ['stage'],
      registers: [this.registry],
      collect() {
        for (const status of statuses()) this.set({ stage: status.stage }, status.slots);
      },
    });
    new Gauge({
      name: 'memgen_slots_busy',
      help: 'Job slots running a job',
      labelNames: ['stage'],
      registers: [this.registry],
      collect() {
        for (const status of statuses()) this.set({ stage: status.stage }, status.busy);
      },
    });
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/**
 * The process-wide view over every stage runner in a Nest app: what /health and /metrics report.
 * Metrics (prom-client, own registry): jobs done/failed/dead, job seconds, slots and slots busy.
 */
import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StageRunner } from './stage-runner.js';

@Injectable()
export class StageRegistry {
  readonly runners: StageRunner[] = [];
  readonly metrics = new Registry();
  private readonly reported = new Map<string, number>();
  private readonly seconds: Histogram<'stage'>;

  constructor() {
    const runners = this.runners;
    const reported = this.reported;
    new Counter({
      name: 'memgen_jobs_total',
      help: 'Jobs finished by outcome (done, failed = will retry, dead = given up)',
      labelNames: ['stage', 'outcome'],
      registers: [this.metrics],
      collect() {
        // The bus worker counts outcomes (dead letters happen outside the handler): add what is new.
        for (const runner of runners) {
          const status = runner.status();
          for (const outcome of ['done', 'failed', 'dead'] as const) {
            const key = `${status.stage}.${outcome}`;
            const delta = status[outcome] - (reported.get(key) ?? 0);
            if (delta > 0) this.inc({ stage: status.stage, outcome }, delta);
            reported.set(key, status[outcome]);
          }
        }
      },
    });
    this.seconds = new Histogram({
      name: 'memgen_job_seconds',
      help: 'Wall time of job attempts',
      labelNames: ['stage'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 1800, 7200],
      registers: [this.metrics],
    });
    new Gauge({
      name: 'memgen_slots',
      help: 'Job slots per stage',
      labelNames: ['stage'],
      registers: [this.metrics],
      collect() {
        for (const runner of runners) this.set({ stage: runner.options.stage }, runner.options.slots);
      },
    });
    new Gauge({
      name: 'memgen_slots_busy',
      help: 'Job slots running a job',
      labelNames: ['stage'],
      registers: [this.metrics],
      collect() {
        for (const runner of runners) this.set({ stage: runner.options.stage }, runner.status().busy);
      },
    });
  }

  add(runner: StageRunner): void {
    this.runners.push(runner);
  }

  /** Records a finished job attempt's duration. */
  observe(event: { stage: string; phase: 'start' | 'end'; seconds?: number }): void {
    if (event.phase === 'end' && event.seconds !== undefined)
      this.seconds.observe({ stage: event.stage }, event.seconds);
  }
}

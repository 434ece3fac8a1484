import type { GroupStatus, JetStreamServer, JobSettled } from '@memgen/bus';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import { StageMetrics } from './stage-metrics.js';
import { BUS_TRANSPORT, STAGE_METRICS } from './tokens.js';

/** The part of a transport StageMetrics reads: one group's status and its settled jobs. */
function transportStub() {
  const listeners: ((e: JobSettled) => void)[] = [];
  const status: GroupStatus = {
    stage: 'training',
    slots: 2,
    busy: 1,
    draining: false,
    done: 3,
    failed: 1,
    dead: 0,
  };
  const transport = {
    groups: () => ['training'],
    groupStatus: () => status,
    onSettled: (listener: (e: JobSettled) => void) => listeners.push(listener),
  };
  const settle = (e: JobSettled) => {
    for (const l of listeners) l(e);
  };
  return { transport, settle };
}

describe('StageMetrics', () => {
  it('counts outcomes, redelivered attempts and job seconds per stage, and states the build', async () => {
    const { transport, settle } = transportStub();
    const module = await Test.createTestingModule({
      providers: [
        { provide: BUS_TRANSPORT, useValue: transport as unknown as JetStreamServer },
        { provide: STAGE_METRICS, useClass: StageMetrics },
      ],
    }).compile();
    const metrics = module.get<StageMetrics>(STAGE_METRICS);
    settle({ group: 'training', outcome: 'failed', seconds: 2, deliveryCount: 1 });
    settle({ group: 'training', outcome: 'done', seconds: 4, deliveryCount: 2 });
    settle({ group: 'training', outcome: 'done', seconds: 1, deliveryCount: 3 });
    const text = await metrics.text();
    for (const line of [
      'memgen_jobs_total{stage="training",outcome="done"} 3',
      'memgen_jobs_total{stage="training",outcome="failed"} 1',
      'memgen_jobs_total{stage="training",outcome="dead"} 0',
      'memgen_job_redeliveries_total{stage="training"} 2',
      'memgen_job_seconds_count{stage="training"} 3',
      'memgen_job_seconds_sum{stage="training"} 7',
      'memgen_slots{stage="training"} 2',
      'memgen_slots_busy{stage="training"} 1',
      `memgen_build_info{version="0.1.0",node_version="${process.versions.node}"} 1`,
    ]) {
      expect(text).toContain(`\n${line}\n`);
    }
  });
});

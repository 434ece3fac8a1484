/**
 * The recorded outcome of a sweep job, kept in the KV bucket (NATS mode, key `job.<id>`) or a file
 * (local mode): what a restarted coordinator reads to skip finished work. Versioned and validated.
 */
import { ArtefactRefSchema, type JobMessage, MESSAGE_VERSION, stateKey } from '@memgen/bus';
import { configHash } from '@memgen/common';
import { z } from 'zod';

export const JOB_STATES = ['done', 'dead'] as const;

export const JobStateSchema = z.object({
  v: z.literal(MESSAGE_VERSION),
  kind: z.literal('job-state'),
  jobId: z.string().regex(/^[0-9a-f]{64}$/, 'expected a hex SHA-256 job id'),
  stage: z.string(),
  runId: z.string(),
  /** configHash of the job's spec; a record without it (or with another) is never reused. */
  specHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'expected a hex SHA-256 spec hash')
    .optional(),
  state: z.enum(JOB_STATES),
  /** Deliveries (NATS) or tries (local) the job took, counting the successful one. */
  attempts: z.number().int().min(1),
  outputs: z.array(ArtefactRefSchema),
  /** Why a dead job was given up on. */
  reason: z.string().optional(),
  /** Seconds the successful attempt ran (operations only; never in sweep.json or results.json). */
  seconds: z.number().nonnegative().optional(),
});
export type JobState = z.infer<typeof JobStateSchema>;

/** The fields every state of `job` starts with: who it is and the hash of what it was asked. */
export function jobStateBase(job: JobMessage) {
  return {
    v: MESSAGE_VERSION,
    kind: 'job-state',
    jobId: job.id,
    stage: job.stage,
    runId: job.runId,
    specHash: configHash(job.spec),
  } as const;
}

/** KV key of a job's state. */
export function jobStateKey(jobId: string): string {
  return stateKey('job', jobId);
}

/**
 * The recorded outcome of a sweep job, kept in the KV bucket (NATS mode, key `job.<id>`) or a file
 * (local mode): what a restarted coordinator reads to skip finished work. Versioned and validated.
 */
import { ArtefactRefSchema, MESSAGE_VERSION, stateKey } from '@memgen/bus';
import { z } from 'zod';

export const JOB_STATES = ['done', 'dead'] as const;

export const JobStateSchema = z.object({
  v: z.literal(MESSAGE_VERSION),
  kind: z.literal('job-state'),
  jobId: z.string().regex(/^[0-9a-f]{64}$/, 'expected a hex SHA-256 job id'),
  stage: z.string(),
  runId: z.string(),
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

/** KV key of a job's state. */
export function jobStateKey(jobId: string): string {
  return stateKey('job', jobId);
}

/**
 * Whether a recorded job state may stand in for running the job. The record sits in a store other
 * processes write (the KV bucket in NATS mode), so it is checked against the job itself before its
 * outputs are trusted: a record for another job, another spec, or outputs another job produced
 * would make a sweep report someone else's results as this job's.
 */
import type { ArtefactRef, JobMessage } from '@memgen/bus';
import { configHash } from '@memgen/common';
import type { JobState } from './job-state.js';
import { jobPrefix } from './plan.js';

export type ReuseVerdict = { reuse: true } | { reuse: false; reason: string };

/**
 * Outputs are stored as `jobs/<producing job id>/<path>` (executeJob), so an output's name records
 * its producer; every output must also still be in the store.
 * @param options.unhashed 'accept' for a local sweep directory's records written before records
 *   carried a spec hash (the user's own disk); a shared store refuses them.
 */
export async function reuseVerdict(
  job: JobMessage,
  recorded: JobState,
  holds: (ref: ArtefactRef) => Promise<boolean>,
  options: { unhashed: 'accept' | 'refuse' } = { unhashed: 'refuse' },
): Promise<ReuseVerdict> {
  const refuse = (reason: string): ReuseVerdict => ({ reuse: false, reason });
  if (recorded.state !== 'done') return refuse(`the job is recorded ${recorded.state}`);
  if (recorded.jobId !== job.id || recorded.stage !== job.stage) {
    return refuse(`the record is of job ${recorded.jobId.slice(0, 12)} (${recorded.stage}), not this one`);
  }
  const specHash = configHash(job.spec);
  const legacy = recorded.specHash === undefined && options.unhashed === 'accept';
  if (!legacy && recorded.specHash !== specHash) {
    return refuse(
      `the record's spec hash ${recorded.specHash?.slice(0, 12) ?? '(none)'} is not the job's ${specHash.slice(0, 12)}`,
    );
  }
  const prefix = `${jobPrefix(job.id)}/`;
  const foreign = recorded.outputs.find((ref) => !ref.name.startsWith(prefix));
  if (foreign)
    return refuse(`output ${foreign.name} was produced by another job (this job's live under ${prefix})`);
  for (const ref of recorded.outputs) {
    if (!(await holds(ref)))
      return refuse(
        `output ${ref.name} is no longer in the artefact store as recorded (gone, or other bytes)`,
      );
  }
  return { reuse: true };
}

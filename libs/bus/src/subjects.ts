/** NATS names the bus uses: one place, so services, coordinator and dashboards agree. */

/** JetStream stream holding every stage's jobs (work-queue retention). */
export const JOBS_STREAM = 'MEMGEN_JOBS';
/** Subjects captured by JOBS_STREAM. */
export const JOBS_SUBJECTS = 'memgen.jobs.>';
/** Object Store bucket for artefacts (checkpoints, activations, statistics). */
export const ARTEFACTS_BUCKET = 'memgen-artefacts';
/** KV bucket for run, sweep and job state and dead letters. */
export const STATE_BUCKET = 'memgen-state';
/**
 * KV bucket of the coordinator's ledger: for each job, the job-record revision it last submitted
 * after and the outputs (with digests) it accepted. Only the coordinator and operator roles may
 * write it, so a worker login can neither forge an acceptance nor, by a rollup on the state
 * bucket, erase one.
 */
export const LEDGER_BUCKET = 'memgen-ledger';

/** Stage names and run ids become subject tokens and KV key parts: keep them to safe characters. */
const TOKEN = /^[a-z][a-z0-9-]*$/;

function checkToken(what: string, value: string): string {
  if (!TOKEN.test(value)) {
    throw new Error(
      `${what} ${JSON.stringify(value)} must match ${TOKEN} (it is used as a NATS subject token)`,
    );
  }
  return value;
}

/** Subject a stage's jobs are published on: `memgen.jobs.<stage>`. */
export function jobSubject(stage: string): string {
  return `memgen.jobs.${checkToken('stage', stage)}`;
}

/** Subject for job outcomes: `memgen.events.<stage>.<outcome>`. */
export function eventSubject(stage: string, outcome: string): string {
  return `memgen.events.${checkToken('stage', stage)}.${checkToken('outcome', outcome)}`;
}

/** Durable pull consumer name for a stage (one per stage, shared by all its workers). */
export function consumerName(stage: string): string {
  return `memgen-${checkToken('stage', stage)}`;
}

/** The stage token of a job subject, or undefined when the subject is not `memgen.jobs.<stage>`. */
export function stageOfSubject(subject: string): string | undefined {
  const match = /^memgen\.jobs\.([a-z][a-z0-9-]*)$/.exec(subject);
  return match?.[1];
}

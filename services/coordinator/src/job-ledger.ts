/**
 * The coordinator's ledger (KV bucket LEDGER_BUCKET, key `job.<id>`): for each job, the revision of
 * its job record when the coordinator last submitted it, and the outputs, with their digests, it
 * accepted as the job's result. Workers write job records and artefacts with rights that cannot be
 * held to one job (libs/bus permissions.ts), but only the coordinator writes the ledger; so a
 * recorded job is reused only when the ledger vouches for it:
 * - the record and every output pass reuseVerdict (this job, its spec, its own prefix, stored);
 * - the ledger accepted exactly those outputs, or it has accepted none yet and the record was
 *   written after the coordinator's last submission (the job finished while no coordinator
 *   watched, e.g. the sweep was stopped and started again).
 * A worker copying another job's artefacts under this job's prefix and writing its record (the
 * record is new, the ledger says otherwise, or says nothing) is refused with the reason.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ArtefactDigestError,
  ArtefactMissingError,
  type ArtefactRef,
  ArtefactRefSchema,
  type ArtefactStore,
  type JobMessage,
  MESSAGE_VERSION,
  type StateStore,
  stateKey,
} from '@memgen/bus';
import { configHash } from '@memgen/common';
import { z } from 'zod';
import { attemptDirPrefix } from './attempt-dirs.js';
import { type JobState, JobStateSchema, jobStateKey } from './job-state.js';
import { reuseVerdict } from './reuse.js';

export const LedgerEntrySchema = z.object({
  v: z.literal(MESSAGE_VERSION),
  kind: z.literal('job-ledger'),
  jobId: z.string().regex(/^[0-9a-f]{64}$/, 'expected a hex SHA-256 job id'),
  stage: z.string(),
  runId: z.string(),
  specHash: z.string().regex(/^[0-9a-f]{64}$/, 'expected a hex SHA-256 spec hash'),
  /** The job record's revision (0: none) when the job was last submitted: its result comes later. */
  submittedAfter: z.number().int().nonnegative(),
  /** The outputs accepted as the job's result; absent while the submitted job has not finished. */
  accepted: z.array(ArtefactRefSchema).optional(),
});
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

/** Ledger key of a job (in LEDGER_BUCKET, never in the state bucket). */
export function ledgerKey(jobId: string): string {
  return stateKey('job', jobId);
}

/** A ledger entry for `job`: submitted after `submittedAfter`, accepting `accepted` when given. */
export function ledgerEntry(job: JobMessage, submittedAfter: number, accepted?: ArtefactRef[]): LedgerEntry {
  return {
    v: MESSAGE_VERSION,
    kind: 'job-ledger',
    jobId: job.id,
    stage: job.stage,
    runId: job.runId,
    specHash: configHash(job.spec),
    submittedAfter,
    ...(accepted ? { accepted } : {}),
  };
}

/** A job record as read, with its KV revision. */
export interface RecordRead {
  value: JobState;
  revision: number;
}

/** What the ledger says of a recorded job: reuse it (accepting it first when `accept`), or why not. */
export type LedgerVerdict = { reuse: true; accept: boolean } | { reuse: false; reason: string };

const sameRef = (a: ArtefactRef, b: ArtefactRef) =>
  a.name === b.name && a.digest === b.digest && a.size === b.size;

/** The first output of `record` that the accepted list does not hold as it is, or the count mismatch. */
function disagreement(
  recorded: readonly ArtefactRef[],
  accepted: readonly ArtefactRef[],
): string | undefined {
  for (const ref of recorded) {
    const ok = accepted.find((a) => a.name === ref.name);
    if (!ok) return `output ${ref.name} is not among the outputs the coordinator accepted`;
    if (!sameRef(ok, ref))
      return `output ${ref.name} has digest ${ref.digest.slice(0, 12)}, the coordinator accepted ${ok.digest.slice(0, 12)}`;
  }
  if (recorded.length !== accepted.length)
    return `the record lists ${recorded.length} outputs, the coordinator accepted ${accepted.length}`;
  return undefined;
}

/**
 * Whether `record` may stand in for running `job`, judged against the coordinator's `entry`.
 * @param verify true when the stored bytes of an output hash to its digest (a full read)
 */
export async function ledgerVerdict(
  job: JobMessage,
  record: RecordRead,
  entry: LedgerEntry | null,
  verify: (ref: ArtefactRef) => Promise<boolean>,
): Promise<LedgerVerdict> {
  const refuse = (reason: string): LedgerVerdict => ({ reuse: false, reason });
  const own = await reuseVerdict(job, record.value, verify);
  if (!own.reuse) return refuse(own.reason);
  if (entry === null) return refuse('the coordinator never submitted or accepted this job');
  if (entry.jobId !== job.id || entry.specHash !== configHash(job.spec))
    return refuse("the coordinator's ledger entry is of another job or spec");
  if (entry.accepted !== undefined) {
    const why = disagreement(record.value.outputs, entry.accepted);
    return why === undefined ? { reuse: true, accept: false } : refuse(why);
  }
  if (record.revision > entry.submittedAfter) return { reuse: true, accept: true };
  return refuse(
    `the record (revision ${record.revision}) is older than the coordinator's submission, which has not finished`,
  );
}

/** The job's record and its ledger entry, as the coordinator and the workers read them. */
export async function readRecordAndLedger(
  state: StateStore,
  ledger: StateStore,
  jobId: string,
): Promise<{ record: RecordRead | null; entry: LedgerEntry | null }> {
  const record = await state.get(jobStateKey(jobId), JobStateSchema);
  const entry = await ledger.get(ledgerKey(jobId), LedgerEntrySchema);
  return { record, entry: entry?.value ?? null };
}

/**
 * True when `store` holds `ref`'s bytes: its metadata first, then a full read verified against the
 * digest (into a scratch file, removed at once), so a substituted object whose metadata claims the
 * right digest is caught too. False when missing or different; other errors (the bus) are thrown.
 */
export async function holdsBytes(store: ArtefactStore, ref: ArtefactRef): Promise<boolean> {
  if (!(await store.holds(ref))) return false;
  // Named like an attempt directory, so a worker starting up removes it if this process dies first.
  const dir = await mkdtemp(attemptDirPrefix(tmpdir(), 'verify'));
  try {
    await store.getToFile(ref, join(dir, 'object'));
    return true;
  } catch (error) {
    if (error instanceof ArtefactMissingError || error instanceof ArtefactDigestError) return false;
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

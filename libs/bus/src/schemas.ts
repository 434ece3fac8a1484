/**
 * Versioned message schemas (zod). Every message carries `v` (schema version) and `kind`; receivers
 * validate before acting and reject with an error naming the offending field. Jobs have
 * deterministic ids, so a resubmitted or redelivered job is recognisably the same job.
 */
import { configHash, parseWith } from '@memgen/common';
import { z } from 'zod';
import { BusMessageError } from './errors.js';

/** The message schema version this code writes and reads. */
export const MESSAGE_VERSION = 1;

const stageName = z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a lowercase stage token like "train"');
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase 64-digit hex SHA-256');
/** A relative path inside a run directory: no leading '/', no '.' or '..' segments. */
const artefactName = z
  .string()
  .regex(
    /^(?!\.{1,2}(\/|$))[A-Za-z0-9_][A-Za-z0-9._-]*(\/(?!\.{1,2}(\/|$))[A-Za-z0-9_][A-Za-z0-9._-]*)*$/,
    'expected a relative path of [A-Za-z0-9._-] segments',
  );
const runIdentifier = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a run id of [A-Za-z0-9._-]');

/** A file-sized artefact: its Object Store name, SHA-256 and byte size. */
export const ArtefactRefSchema = z.object({
  name: artefactName,
  digest: sha256Hex,
  size: z.number().int().nonnegative(),
});
export type ArtefactRef = z.infer<typeof ArtefactRefSchema>;

/** The sweep unit a job belongs to, carried for labels (metrics, status): never parsed from the run id. */
export const JobUnitSchema = z.object({
  task: stageName,
  preset: stageName,
  size: stageName,
  seed: z.number().int().nonnegative(),
});
export type JobUnit = z.infer<typeof JobUnitSchema>;

export const JobMessageSchema = z.object({
  v: z.literal(MESSAGE_VERSION),
  kind: z.literal('job'),
  /** computeJobId(stage, spec, inputs): checked on receipt. */
  id: sha256Hex,
  stage: stageName,
  runId: runIdentifier,
  /** The stage's spec, plain JSON. */
  spec: z.unknown().refine((value) => value !== undefined, 'spec is required'),
  inputs: z.array(ArtefactRefSchema),
  /** Submission attempt, from 1 (the coordinator's count; JetStream counts deliveries itself). */
  attempt: z.number().int().positive(),
  /** The sweep unit, when the job is one (not part of the id: the same work is the same job). */
  unit: JobUnitSchema.optional(),
});
export type JobMessage = z.infer<typeof JobMessageSchema>;

export const JOB_OUTCOMES = ['done', 'failed', 'dead'] as const;
export type JobOutcome = (typeof JOB_OUTCOMES)[number];

export const EventMessageSchema = z.object({
  v: z.literal(MESSAGE_VERSION),
  kind: z.literal('event'),
  stage: stageName,
  outcome: z.enum(JOB_OUTCOMES),
  jobId: sha256Hex,
  runId: runIdentifier,
  outputs: z.array(ArtefactRefSchema),
  reason: z.string().optional(),
});
export type EventMessage = z.infer<typeof EventMessageSchema>;

/** Why a job was given up on. */
export const DEAD_LETTER_CAUSES = [
  'malformed',
  'oversize',
  'invalid',
  'permanent',
  'max-deliver',
  // On a subject no stage serves: nobody would ever consume it.
  'unroutable',
] as const;
export type DeadLetterCause = (typeof DEAD_LETTER_CAUSES)[number];

/**
 * The record kept (in the state KV bucket) for a job that will not be retried. `jobId` and `runId`
 * are null when the message was too broken to tell.
 */
export const DeadLetterSchema = z.object({
  v: z.literal(MESSAGE_VERSION),
  kind: z.literal('dead-letter'),
  stage: z.string(),
  jobId: sha256Hex.nullable(),
  runId: z.string().nullable(),
  cause: z.enum(DEAD_LETTER_CAUSES),
  reason: z.string(),
  /** Deliveries JetStream had made when the job was given up on. */
  deliveries: z.number().int().nonnegative(),
  /** The job message's sequence in the jobs stream. */
  streamSeq: z.number().int().nonnegative(),
  /** ISO time it was recorded. */
  at: z.string(),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

const MessageSchema = z.discriminatedUnion('kind', [JobMessageSchema, EventMessageSchema]);
export type BusMessage = z.infer<typeof MessageSchema>;

/**
 * The deterministic job id: SHA-256 of the canonical JSON of the stage, the spec and the inputs'
 * names and digests (sorted by name, so listing order does not matter). Run id and attempt are
 * left out on purpose: the same work submitted again is the same job.
 */
export function computeJobId(stage: string, spec: unknown, inputs: readonly ArtefactRef[]): string {
  const sorted = [...inputs]
    .map(({ name, digest }) => ({ name, digest }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return configHash({ stage, spec, inputs: sorted });
}

export interface NewJob {
  stage: string;
  runId: string;
  spec: unknown;
  inputs?: ArtefactRef[];
  attempt?: number;
  unit?: JobUnit;
}

/** Builds a validated job message with its deterministic id. Throws BusMessageError on bad fields. */
export function makeJob(job: NewJob): JobMessage {
  const inputs = job.inputs ?? [];
  const message = {
    v: MESSAGE_VERSION,
    kind: 'job',
    id: computeJobId(job.stage, job.spec, inputs),
    stage: job.stage,
    runId: job.runId,
    spec: job.spec,
    inputs,
    attempt: job.attempt ?? 1,
    ...(job.unit ? { unit: job.unit } : {}),
  };
  return parseJob(message);
}

/**
 * Validates a decoded message. Throws BusMessageError('invalid') naming the first offending field,
 * including an unsupported version and a job whose id does not match its content.
 */
export function parseMessage(value: unknown): BusMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BusMessageError('invalid', `invalid message: expected a map, got ${describe(value)}`);
  }
  const version = (value as { v?: unknown }).v;
  if (version !== MESSAGE_VERSION) {
    throw new BusMessageError(
      'invalid',
      `invalid message: field "v": unsupported schema version ${describe(version)} (this code reads v${MESSAGE_VERSION})`,
      'v',
    );
  }
  const message = parseWith(
    MessageSchema,
    value,
    'invalid message',
    (text, field) => new BusMessageError('invalid', text, field),
  );
  if (message.kind === 'job') {
    const expected = computeJobId(message.stage, message.spec, message.inputs);
    if (message.id !== expected) {
      throw new BusMessageError(
        'invalid',
        `invalid message: field "id": ${message.id} is not the hash of the job's stage, spec and inputs (${expected})`,
        'id',
      );
    }
  }
  return message;
}

/** parseMessage, then requires the given kind. */
function parseKind<K extends BusMessage['kind']>(value: unknown, kind: K): Extract<BusMessage, { kind: K }> {
  const message = parseMessage(value);
  if (message.kind !== kind) {
    throw new BusMessageError(
      'invalid',
      `invalid message: field "kind": expected "${kind}", got "${message.kind}"`,
      'kind',
    );
  }
  return message as Extract<BusMessage, { kind: K }>;
}

/** parseMessage, then requires a job. */
export function parseJob(value: unknown): JobMessage {
  return parseKind(value, 'job');
}

/** parseMessage, then requires an event. */
export function parseEvent(value: unknown): EventMessage {
  return parseKind(value, 'event');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

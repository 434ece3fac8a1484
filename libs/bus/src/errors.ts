/**
 * The bus's error types. Workers decide ack / nak / term by error class, so each failure mode has
 * its own class instead of a message string to match.
 */
import { SpecError } from '@memgen/common';

/** Why a message was refused: undecodable bytes, too big, or decodable but not a valid message. */
export type BusMessageProblem = 'malformed' | 'oversize' | 'invalid';

/** A message that cannot be encoded, decoded or validated. Never retried: the bytes will not change. */
export class BusMessageError extends Error {
  readonly problem: BusMessageProblem;
  /** Dotted path of the offending field for 'invalid' messages (e.g. 'inputs.0.digest'), else ''. */
  readonly field: string;

  constructor(problem: BusMessageProblem, message: string, field = '') {
    super(message);
    this.name = 'BusMessageError';
    this.problem = problem;
    this.field = field;
  }
}

/**
 * A job failure that retrying cannot fix (bad input, missing or corrupt artefact). A handler throws
 * it (or a subclass) to have the job terminated and dead-lettered at once instead of redelivered.
 */
export class PermanentJobError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

/** An artefact named by a job is not in the Object Store. Permanent: its producer never uploaded it. */
export class ArtefactMissingError extends PermanentJobError {
  readonly artefact: string;

  constructor(bucket: string, artefact: string) {
    super(`artefact ${JSON.stringify(artefact)} is not in object store bucket ${JSON.stringify(bucket)}`);
    this.name = 'ArtefactMissingError';
    this.artefact = artefact;
  }
}

/** An artefact's bytes do not hash to the SHA-256 recorded for it (or expected by the job). */
export class ArtefactDigestError extends PermanentJobError {
  readonly artefact: string;
  readonly expected: string;
  readonly actual: string;

  /** `against` names what `expected` is: 'recorded digest', "job's expected digest", ... */
  constructor(artefact: string, expected: string, actual: string, against: string) {
    super(
      `artefact ${JSON.stringify(artefact)} is corrupt or not the expected one: its SHA-256 is ${actual}, ` +
        `the ${against} is ${expected}`,
    );
    this.name = 'ArtefactDigestError';
    this.artefact = artefact;
    this.expected = expected;
    this.actual = actual;
  }
}

/** Why a request got no reply. */
export type BusRequestProblem = 'timeout' | 'no-responders' | 'connection';

/** A request/reply that got no usable answer; `problem` says why. */
export class BusRequestError extends Error {
  readonly problem: BusRequestProblem;
  readonly subject: string;

  constructor(problem: BusRequestProblem, subject: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BusRequestError';
    this.problem = problem;
    this.subject = subject;
  }
}

/**
 * True for errors a job must not be retried after: the bus's own, and a SpecError from stage code
 * (a spec that asks for something invalid fails the same way on every delivery).
 */
export function isPermanentJobError(error: unknown): boolean {
  return error instanceof PermanentJobError || error instanceof BusMessageError || error instanceof SpecError;
}

/** The message of whatever was thrown (Nest's RPC filters may hand over plain `{ message }` objects). */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

/**
 * Who may do what on the bus, as nats-server permissions: one definition that the test servers and
 * the k8s NATS config are both rendered from. Three roles:
 * - worker: pulls and settles its stages' jobs, stores artefacts, records job state and dead
 *   letters, answers control requests — but cannot publish control subjects (drain others), submit
 *   jobs, delete stream messages, purge a stream, or write sweep state or the coordinator's ledger;
 * - coordinator: submits jobs, reads results, writes sweep state and the ledger, clears dead letters
 *   and removes job messages (unroutable ones, and a job it requeues) — but writes no artefacts and
 *   cannot drive workers;
 * - operator: everything (status, drain, repair).
 * Nothing is anonymous: a server with these users refuses a client without credentials.
 *
 * What subject permissions cannot express, and what covers it instead:
 * - A worker's artefact writes cannot be held to its own job's prefix: an object's metadata subject
 *   is `$O.<bucket>.M.<base64 of the whole name>`, one token that no wildcard can match by prefix,
 *   and the role is the same for every job. Likewise `$KV.<bucket>.job.>` admits every job's
 *   record. Nothing a worker writes is trusted for that reason: a record is reused only when it
 *   matches what the coordinator accepted in its ledger (LEDGER_BUCKET, which workers can only read),
 *   and the artefacts' bytes hash to the digests accepted there.
 * - Any publisher on a stream that allows rollups may send `Nats-Rollup: all`, which empties the
 *   stream; a header is beyond subject permissions, and the object store and KV need rollups. A
 *   worker can therefore destroy artefacts and job state (never forge them): the ledger is a stream
 *   of its own that workers cannot publish to, and what was destroyed is run again.
 */
import { ARTEFACTS_BUCKET, JOBS_STREAM, LEDGER_BUCKET, STATE_BUCKET } from './subjects.js';

export const BUS_ROLES = ['worker', 'coordinator', 'operator'] as const;
export type BusRole = (typeof BUS_ROLES)[number];

export interface RolePermissions {
  publish: string[];
  subscribe: string[];
  /** May reply to requests it received (control-plane answers) without publish rights on inboxes. */
  allowResponses: boolean;
}

const KV_STREAM = `KV_${STATE_BUCKET}`;
const LEDGER_STREAM = `KV_${LEDGER_BUCKET}`;
const OBJ_STREAM = `OBJ_${ARTEFACTS_BUCKET}`;
const API = '$JS.API';
const BUCKETS = [KV_STREAM, LEDGER_STREAM, OBJ_STREAM];

/** Opening (create-if-absent) and reading the stream and the buckets, as every role does. */
const OPEN_AND_READ = [
  `${API}.INFO`,
  ...[JOBS_STREAM, ...BUCKETS].flatMap((s) => [`${API}.STREAM.INFO.${s}`, `${API}.STREAM.CREATE.${s}`]),
  ...BUCKETS.flatMap((s) => [
    `${API}.STREAM.MSG.GET.${s}`,
    `${API}.DIRECT.GET.${s}`,
    `${API}.DIRECT.GET.${s}.>`,
  ]),
  // Object reads and KV listings run through short-lived ordered consumers, whose info a listing
  // asks for (StateStore.keys and keepNewest: the dead-letter cap, `memgen status`).
  ...BUCKETS.flatMap((s) => [
    `${API}.CONSUMER.CREATE.${s}`,
    `${API}.CONSUMER.CREATE.${s}.>`,
    `${API}.CONSUMER.INFO.${s}.>`,
    `${API}.CONSUMER.DELETE.${s}.>`,
  ]),
  `${API}.STREAM.NAMES`,
];

const INBOXES = '_INBOX.>';

export const ROLE_PERMISSIONS: Record<BusRole, RolePermissions> = {
  worker: {
    publish: [
      ...OPEN_AND_READ,
      // Chunks and metadata. No purge: an overwritten object's old chunks stay until an operator
      // removes them, and the store cannot be wiped through the API.
      `$O.${ARTEFACTS_BUCKET}.>`,
      `${API}.CONSUMER.CREATE.${JOBS_STREAM}.>`,
      `${API}.CONSUMER.DURABLE.CREATE.${JOBS_STREAM}.>`,
      `${API}.CONSUMER.INFO.${JOBS_STREAM}.>`,
      `${API}.CONSUMER.MSG.NEXT.${JOBS_STREAM}.>`,
      // Acks, naks, heartbeats and terms. A dead-lettered message is acked, which removes it from
      // the work queue without the right to delete stream messages.
      `$JS.ACK.${JOBS_STREAM}.>`,
      `$KV.${STATE_BUCKET}.job.>`,
      `$KV.${STATE_BUCKET}.dead.>`,
      'memgen.events.>',
    ],
    subscribe: [INBOXES, 'memgen.control.>'],
    allowResponses: true,
  },
  coordinator: {
    publish: [
      ...OPEN_AND_READ,
      `${API}.CONSUMER.INFO.${JOBS_STREAM}.>`,
      // Whether a submitted job's message is still there; removing unroutable messages and a job
      // message it requeues under a fresh id.
      `${API}.STREAM.MSG.GET.${JOBS_STREAM}`,
      `${API}.STREAM.MSG.DELETE.${JOBS_STREAM}`,
      'memgen.jobs.>',
      `$KV.${STATE_BUCKET}.>`,
      `$KV.${LEDGER_BUCKET}.>`,
    ],
    subscribe: [INBOXES, 'memgen.events.>'],
    allowResponses: false,
  },
  operator: { publish: ['>'], subscribe: ['>'], allowResponses: true },
};

export interface BusUser {
  user: string;
  /** A literal password, or a `$VARIABLE` that nats-server reads from its environment. */
  password: string;
  role: BusRole;
}

const quote = (s: string) => JSON.stringify(s);
const list = (items: readonly string[], indent: string) =>
  `[\n${items.map((i) => `${indent}  ${quote(i)}`).join(',\n')}\n${indent}]`;

/** One user's entry in a nats-server `authorization { users: [...] }` block. */
function userEntry(u: BusUser): string {
  const p = ROLE_PERMISSIONS[u.role];
  // An unquoted $NAME is a variable reference in nats-server config; quoted, it would be literal.
  const password = /^\$[A-Z_][A-Z0-9_]*$/.test(u.password) ? u.password : quote(u.password);
  const ind = '      ';
  return [
    '    {',
    `      user: ${quote(u.user)}`,
    `      password: ${password}`,
    '      permissions: {',
    `        publish: { allow: ${list(p.publish, `${ind}  `)} }`,
    `        subscribe: { allow: ${list(p.subscribe, `${ind}  `)} }`,
    ...(p.allowResponses ? ['        allow_responses: true'] : []),
    '      }',
    '    }',
  ].join('\n');
}

/** A nats-server `authorization` block giving each user its role's permissions (and nobody else in). */
export function natsAuthorization(users: readonly BusUser[]): string {
  if (users.length === 0) throw new Error('natsAuthorization: give at least one user');
  return `authorization {\n  users: [\n${users.map(userEntry).join('\n')}\n  ]\n}\n`;
}

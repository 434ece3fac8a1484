/**
 * Who may do what on the bus, as nats-server permissions: one definition that the test servers and
 * the k8s NATS config are both rendered from. Three roles:
 * - worker: pulls and settles its stages' jobs, stores artefacts, records job state and dead
 *   letters, answers control requests — but cannot publish control subjects (drain others) or
 *   write sweep state;
 * - coordinator: submits jobs, reads results, writes sweep state and clears dead letters — but
 *   cannot drive workers;
 * - operator: everything (status, drain, repair).
 * Nothing is anonymous: a server with these users refuses a client without credentials.
 */
import { ARTEFACTS_BUCKET, JOBS_STREAM, STATE_BUCKET } from './subjects.js';

export const BUS_ROLES = ['worker', 'coordinator', 'operator'] as const;
export type BusRole = (typeof BUS_ROLES)[number];

export interface RolePermissions {
  publish: string[];
  subscribe: string[];
  /** May reply to requests it received (control-plane answers) without publish rights on inboxes. */
  allowResponses: boolean;
}

const KV_STREAM = `KV_${STATE_BUCKET}`;
const OBJ_STREAM = `OBJ_${ARTEFACTS_BUCKET}`;
const API = '$JS.API';

/** Opening (create-if-absent) and reading the stream and both buckets, as every role does. */
const OPEN_AND_READ = [
  `${API}.INFO`,
  ...[JOBS_STREAM, KV_STREAM, OBJ_STREAM].flatMap((s) => [
    `${API}.STREAM.INFO.${s}`,
    `${API}.STREAM.CREATE.${s}`,
  ]),
  ...[KV_STREAM, OBJ_STREAM].flatMap((s) => [
    `${API}.STREAM.MSG.GET.${s}`,
    `${API}.DIRECT.GET.${s}`,
    `${API}.DIRECT.GET.${s}.>`,
  ]),
  // Object reads and KV listings run through short-lived ordered consumers.
  ...[KV_STREAM, OBJ_STREAM].flatMap((s) => [
    `${API}.CONSUMER.CREATE.${s}`,
    `${API}.CONSUMER.CREATE.${s}.>`,
    `${API}.CONSUMER.DELETE.${s}.>`,
  ]),
  `${API}.STREAM.NAMES`,
];

/** Storing artefacts: chunks and metadata, and the purge of an overwritten object's old chunks. */
const WRITE_ARTEFACTS = [`$O.${ARTEFACTS_BUCKET}.>`, `${API}.STREAM.PURGE.${OBJ_STREAM}`];

const INBOXES = '_INBOX.>';

export const ROLE_PERMISSIONS: Record<BusRole, RolePermissions> = {
  worker: {
    publish: [
      ...OPEN_AND_READ,
      ...WRITE_ARTEFACTS,
      `${API}.CONSUMER.CREATE.${JOBS_STREAM}.>`,
      `${API}.CONSUMER.DURABLE.CREATE.${JOBS_STREAM}.>`,
      `${API}.CONSUMER.INFO.${JOBS_STREAM}.>`,
      `${API}.CONSUMER.MSG.NEXT.${JOBS_STREAM}.>`,
      // A dead-lettered message is removed from the work queue.
      `${API}.STREAM.MSG.DELETE.${JOBS_STREAM}`,
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
      ...WRITE_ARTEFACTS,
      `${API}.CONSUMER.INFO.${JOBS_STREAM}.>`,
      // Dead-lettering job messages no stage serves (termUnroutable).
      `${API}.STREAM.MSG.GET.${JOBS_STREAM}`,
      `${API}.STREAM.MSG.DELETE.${JOBS_STREAM}`,
      'memgen.jobs.>',
      `$KV.${STATE_BUCKET}.>`,
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

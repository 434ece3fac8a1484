export {
  ArtefactStore,
  type ArtefactStoreOptions,
  type ArtefactTarget,
  DIGEST_METADATA_KEY,
} from './artefacts.js';
export { type BusCodec, type BusCodecOptions, createBusCodec, DEFAULT_MAX_MESSAGE_BYTES } from './codec.js';
export {
  type BusConnectionOptions,
  connectBus,
  type RequestReplyOptions,
  requestReply,
} from './connection.js';
export {
  ArtefactDigestError,
  ArtefactMissingError,
  BusMessageError,
  type BusMessageProblem,
  BusRequestError,
  type BusRequestProblem,
  errorText,
  isPermanentJobError,
  PermanentJobError,
} from './errors.js';
export { type BusLogger, defaultBusLogger } from './logger.js';
export {
  BUS_ROLES,
  type BusRole,
  type BusUser,
  natsAuthorization,
  ROLE_PERMISSIONS,
  type RolePermissions,
} from './permissions.js';
export {
  type ArtefactRef,
  ArtefactRefSchema,
  type BusMessage,
  computeJobId,
  DEAD_LETTER_CAUSES,
  type DeadLetter,
  type DeadLetterCause,
  DeadLetterSchema,
  type EventMessage,
  EventMessageSchema,
  JOB_OUTCOMES,
  type JobMessage,
  JobMessageSchema,
  type JobOutcome,
  type JobUnit,
  JobUnitSchema,
  MESSAGE_VERSION,
  makeJob,
  type NewJob,
  parseEvent,
  parseJob,
  parseMessage,
} from './schemas.js';
export {
  type StateChange,
  type StateEntry,
  StateStore,
  type StateStoreOptions,
  type StateWatch,
  stateKey,
} from './state.js';
export {
  ARTEFACTS_BUCKET,
  consumerName,
  eventSubject,
  JOBS_STREAM,
  JOBS_SUBJECTS,
  jobSubject,
  LEDGER_BUCKET,
  STATE_BUCKET,
  stageOfSubject,
} from './subjects.js';
export * from './transport/index.js';
export { findUnroutable, termUnroutable, type UnroutableMessage } from './unroutable.js';
export {
  type ConsumerPolicy,
  DEFAULT_CONSUMER_POLICY,
  type JobWhereabouts,
  resolvePolicy,
  type SubmitResult,
  WorkQueue,
  type WorkQueueOptions,
} from './work-queue.js';

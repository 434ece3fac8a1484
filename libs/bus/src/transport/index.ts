export { type BusSession, type BusSessionOptions, openBusSession } from './bus-session.js';
export {
  CONTROL_SUBJECT,
  type ControlReply,
  decodeReply,
  encodeReply,
} from './control-plane.js';
export { type JetStreamClientOptions, JetStreamClientProxy } from './jetstream.client.js';
export { ControlContext, JetStreamJobContext } from './jetstream.context.js';
export { type GroupStatus, JetStreamServer, type JetStreamServerOptions } from './jetstream.server.js';
export { PassThroughRpcErrors } from './job-errors.filter.js';
export {
  type ConsumeOptions,
  consumeJobs,
  type JobContext,
  type JobHandler,
  type JobResult,
  type JobSettled,
  type JobWorker,
} from './job-loop.js';
export type { WorkerStats } from './job-settlement.js';

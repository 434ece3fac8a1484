/** What a handler behind the JetStream transport gets as its `@Ctx()`. */
import { BaseRpcContext } from '@nestjs/microservices';
import type { BusLogger } from '../logger.js';
import type { JobContext } from './job-loop.js';

/** A job's context: its subject, delivery count, drain signal and bound logger. */
export class JetStreamJobContext extends BaseRpcContext<[string, JobContext]> {
  getSubject(): string {
    return this.args[0];
  }

  getJob(): JobContext {
    return this.args[1];
  }

  getDeliveryCount(): number {
    return this.args[1].deliveryCount;
  }

  /** Aborted when the worker drains past its grace period. */
  getSignal(): AbortSignal {
    return this.args[1].signal;
  }

  getLogger(): BusLogger {
    return this.args[1].log;
  }
}

/** A control-plane request's context: the subject it was sent to. */
export class ControlContext extends BaseRpcContext<[string]> {
  getSubject(): string {
    return this.args[0];
  }
}

/**
 * A stage service's controller: one handler per message pattern of its job group. Jobs arrive on
 * `memgen.jobs.<group>` (an event: the transport acks, naks or dead-letters by how the handler
 * ends); status, drain and health are requests on `memgen.control.<group>.<action>`. The patterns
 * are fixed when the class is made, so each group gets its own class from stageController().
 */
import {
  type GroupStatus,
  type JetStreamJobContext,
  type JetStreamServer,
  type JobMessage,
  type JobResult,
  jobSubject,
  PassThroughRpcErrors,
} from '@memgen/bus';
import type { JobGroupName } from '@memgen/pipeline';
import { Controller, Inject, type Type, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import type { JobRunner } from './job-runner.js';
import { BUS_TRANSPORT, controlPattern, JOB_RUNNER } from './tokens.js';

export interface StageHealth {
  stage: string;
  nats: 'up';
  rttMs: number;
}

/** The controller class of `group`'s stage service. */
export function stageController(group: JobGroupName): Type<unknown> {
  @Controller()
  @UseFilters(new PassThroughRpcErrors())
  class StageController {
    constructor(
      @Inject(JOB_RUNNER) private readonly runner: JobRunner,
      @Inject(BUS_TRANSPORT) private readonly transport: JetStreamServer,
    ) {}

    @EventPattern<string>(jobSubject(group))
    run(@Payload() job: JobMessage, @Ctx() context: JetStreamJobContext): Promise<JobResult> {
      return this.runner.run(job, context.getJob());
    }

    @MessagePattern(controlPattern(group, 'status'))
    status(): GroupStatus {
      return this.transport.groupStatus(group);
    }

    /** Stops taking jobs; replies once running jobs have finished or been handed back. */
    @MessagePattern(controlPattern(group, 'drain'))
    async drain(): Promise<GroupStatus> {
      await this.transport.drain(group);
      return this.transport.groupStatus(group);
    }

    @MessagePattern(controlPattern(group, 'health'))
    async health(): Promise<StageHealth> {
      return { stage: group, nats: 'up', rttMs: await this.transport.ping() };
    }
  }
  // Nest tells dynamic modules apart by their controllers' names.
  Object.defineProperty(StageController, 'name', { value: `StageController_${group}` });
  return StageController;
}

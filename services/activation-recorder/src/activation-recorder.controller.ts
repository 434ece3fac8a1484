/** The activation-recorder's control plane over NATS (msgpack): status, drain, health. */
import { controlPattern, STAGE_RUNNER, type StageRunner, type StageStatus } from '@memgen/coordinator';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { ACTIVATION_RECORDER_STAGE } from './constants.js';

@Controller()
export class ActivationRecorderController {
  constructor(@Inject(STAGE_RUNNER) private readonly runner: StageRunner) {}

  @MessagePattern(controlPattern(ACTIVATION_RECORDER_STAGE, 'status'))
  status(): StageStatus {
    return this.runner.status();
  }

  /** Stops taking jobs; replies once running jobs have finished or been handed back. */
  @MessagePattern(controlPattern(ACTIVATION_RECORDER_STAGE, 'drain'))
  async drain(): Promise<StageStatus> {
    await this.runner.drain();
    return this.runner.status();
  }

  @MessagePattern(controlPattern(ACTIVATION_RECORDER_STAGE, 'health'))
  async health(): Promise<{ stage: string; nats: 'up'; rttMs: number }> {
    return { stage: ACTIVATION_RECORDER_STAGE, nats: 'up', rttMs: await this.runner.ping() };
  }
}

/** Process-wide pieces of a stage-service app: the stage registry, /health and /metrics. */
import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { OpsController } from './ops.controller.js';
import { StageRegistry } from './stage-registry.js';
import { STAGE_REGISTRY } from './tokens.js';

@Global()
@Module({
  imports: [TerminusModule],
  controllers: [OpsController],
  providers: [{ provide: STAGE_REGISTRY, useClass: StageRegistry }],
  exports: [STAGE_REGISTRY],
})
export class OpsModule {}

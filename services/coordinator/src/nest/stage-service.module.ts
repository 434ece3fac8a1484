/**
 * One stage service: the controller of one job group. Every service (trainer, activation-recorder,
 * probe-fitter, steering-evaluator, or several in `memgen worker`) is this module for its group,
 * inside StageAppModule, which provides the transport, the job runner and the metrics.
 */
import type { JobGroupName } from '@memgen/pipeline';
import { type DynamicModule, Module } from '@nestjs/common';
import { stageController } from './stage.controller.js';
import { STAGE_GROUP } from './tokens.js';

@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a NestJS dynamic module is a class with a static forStage()
export class StageServiceModule {
  static forStage(group: JobGroupName): DynamicModule {
    return {
      module: StageServiceModule,
      controllers: [stageController(group)],
      providers: [{ provide: STAGE_GROUP, useValue: group }],
    };
  }
}

/** The steering-evaluator service: the 'steer' stage's bus consumer and its control plane. */
import { type StageModuleOptions, stageModule } from '@memgen/coordinator';
import { type DynamicModule, Module } from '@nestjs/common';
import { STEERING_EVALUATOR_STAGE } from './constants.js';
import { SteeringEvaluatorController } from './steering-evaluator.controller.js';

@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a NestJS dynamic module is a class with a static register()
export class SteeringEvaluatorModule {
  static register(options: StageModuleOptions): DynamicModule {
    return stageModule(
      SteeringEvaluatorModule,
      STEERING_EVALUATOR_STAGE,
      SteeringEvaluatorController,
      options,
    );
  }
}

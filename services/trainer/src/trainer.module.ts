/** The trainer service: the 'train' stage's bus consumer and its control plane. */
import { type StageModuleOptions, stageModule } from '@memgen/coordinator';
import { type DynamicModule, Module } from '@nestjs/common';
import { TRAINER_STAGE } from './constants.js';
import { TrainerController } from './trainer.controller.js';

@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a NestJS dynamic module is a class with a static register()
export class TrainerModule {
  static register(options: StageModuleOptions): DynamicModule {
    return stageModule(TrainerModule, TRAINER_STAGE, TrainerController, options);
  }
}

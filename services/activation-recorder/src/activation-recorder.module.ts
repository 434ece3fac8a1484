/** The activation-recorder service: the 'record' stage's bus consumer and its control plane. */
import { type StageModuleOptions, stageModule } from '@memgen/coordinator';
import { type DynamicModule, Module } from '@nestjs/common';
import { ActivationRecorderController } from './activation-recorder.controller.js';
import { ACTIVATION_RECORDER_STAGE } from './constants.js';

@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a NestJS dynamic module is a class with a static register()
export class ActivationRecorderModule {
  static register(options: StageModuleOptions): DynamicModule {
    return stageModule(
      ActivationRecorderModule,
      ACTIVATION_RECORDER_STAGE,
      ActivationRecorderController,
      options,
    );
  }
}

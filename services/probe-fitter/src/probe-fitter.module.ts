/** The probe-fitter service: the 'fit' stage's bus consumer and its control plane. */
import { type StageModuleOptions, stageModule } from '@memgen/coordinator';
import { type DynamicModule, Module } from '@nestjs/common';
import { PROBE_FITTER_STAGE } from './constants.js';
import { ProbeFitterController } from './probe-fitter.controller.js';

@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a NestJS dynamic module is a class with a static register()
export class ProbeFitterModule {
  static register(options: StageModuleOptions): DynamicModule {
    return stageModule(ProbeFitterModule, PROBE_FITTER_STAGE, ProbeFitterController, options);
  }
}

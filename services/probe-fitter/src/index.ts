export { PROBE_FITTER_STAGE } from './constants.js';
export { ProbeFitterController } from './probe-fitter.controller.js';
export { ProbeFitterModule } from './probe-fitter.module.js';

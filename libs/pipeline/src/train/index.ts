export { type EvalResult, evaluate } from './evaluate.js';
export {
  expandLevers,
  type LeverCell,
  type LeverRow,
  leverSpecSchema,
  leverTable,
  readLeverRow,
} from './levers.js';
export { PRESET_NAMES, type PresetName, presetSize, TRAIN_PRESETS, trainPreset } from './presets.js';
export { trainedModelConfig, trainedParameterCount } from './run-setup.js';
export {
  lrFactor,
  type PhaseSpec,
  parseTrainSpec,
  type TrainSpec,
  type TrainSpecInput,
  trainSpecSchema,
} from './spec.js';
export { type CurvePoint, type TrainDeps, type TrainResult, trainStage } from './train.js';

/** The run filter the learning and study dashboards share: task, size and run variables. */
import { labelVariable } from './panels.js';

/** Label matchers selecting the runs the variables pick. */
export const RUN = 'task=~"$task", size=~"$size", run_id=~"$run"';

export const runVariables = () => [
  labelVariable('task', 'Task', 'memgen_train_steps_total'),
  labelVariable('size', 'Size', 'memgen_train_steps_total{task=~"$task"}'),
  labelVariable('run_id', 'Run', 'memgen_train_steps_total{task=~"$task", size=~"$size"}').name('run'),
];

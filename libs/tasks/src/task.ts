/** `makeTask(name, config?)`: the one way to get a task bound to a validated config. */
import { makeAdditionTask } from './addition/task.js';
import { makeCipherTask } from './cipher/task.js';
import { makeColorTask } from './color/task.js';
import { parseTaskConfig, type TaskConfigs } from './config.js';
import type { Task, TaskName } from './types.js';

/**
 * The task `name` with `config` validated and defaulted (a partial config is fine).
 * An unknown task name or a bad config throws, naming what is wrong.
 */
export function makeTask<K extends TaskName>(name: K, config?: unknown): Task<TaskConfigs[K]>;
export function makeTask(name: string, config?: unknown): Task;
export function makeTask(name: string, config?: unknown): Task {
  const resolved = parseTaskConfig(name, config);
  switch (resolved.task) {
    case 'color':
      return makeColorTask(resolved);
    case 'addition':
      return makeAdditionTask(resolved);
    case 'cipher':
      return makeCipherTask(resolved);
  }
}

/**
 * Task configs: one zod schema per task, every field defaulted (the defaults are documented on
 * each schema). `parseTaskConfig` is the one entry point; its errors name the field.
 */
import { SpecError } from '@memgen/common';
import type { z } from 'zod';
import { type AdditionConfig, AdditionConfigSchema } from './addition/config.js';
import { type CipherConfig, CipherConfigSchema } from './cipher/config.js';
import { type ColorConfig, ColorConfigSchema } from './color/config.js';
import { parseWithFieldErrors, TaskConfigError } from './config-errors.js';
import { TASK_NAMES, type TaskName } from './types.js';

export interface TaskConfigs {
  color: ColorConfig;
  addition: AdditionConfig;
  cipher: CipherConfig;
}
/** A fully resolved config of any task; `task` tells which. */
export type ResolvedConfig = TaskConfigs[TaskName];

const SCHEMAS: { [K in TaskName]: z.ZodType<TaskConfigs[K]> } = {
  color: ColorConfigSchema,
  addition: AdditionConfigSchema,
  cipher: CipherConfigSchema,
};

/** Throws unless `name` is one of TASK_NAMES, listing them. */
export function assertTaskName(name: string): asserts name is TaskName {
  if (!(TASK_NAMES as readonly string[]).includes(name)) {
    throw new SpecError(`unknown task ${JSON.stringify(name)} (known tasks: ${TASK_NAMES.join(', ')})`);
  }
}

/**
 * Validates `input` (a partial config; omitted fields take their defaults) for `task`.
 * A wrong field, type or range throws a {@link TaskConfigError}, e.g.
 * `color.hops: expected 1 or 2, got 3`.
 */
export function parseTaskConfig<K extends TaskName>(task: K, input?: unknown): TaskConfigs[K];
export function parseTaskConfig(task: string, input?: unknown): ResolvedConfig;
export function parseTaskConfig(task: string, input?: unknown): ResolvedConfig {
  assertTaskName(task);
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    throw new TaskConfigError([`${task}: expected a config object, got ${JSON.stringify(input)}`]);
  }
  const given = input as { task?: unknown } | undefined;
  if (given?.task !== undefined && given.task !== task) {
    throw new TaskConfigError([`${task}.task: expected "${task}", got ${JSON.stringify(given.task)}`]);
  }
  return parseWithFieldErrors(task, SCHEMAS[task], input ?? {});
}

/**
 * What every study stage starts from: the run's checkpoint, its tokenizer and the task it was trained
 * on. The task comes from the study spec when given, else from `checkpoint/train_config.json`, so a
 * run directory describes itself.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJson } from '@memgen/common';
import { type GPT, loadCheckpoint } from '@memgen/model';
import {
  assertTaskName,
  makeTask,
  parseTaskConfig,
  type ResolvedConfig,
  type Task,
  type TaskName,
  type Tokenizer,
  tokenizerFromJSON,
} from '@memgen/tasks';
import type { StudyConfig } from '../config.js';
import { RUN_DIR_FILES } from './run-dir.js';

/** A task by name with a (partial) config. */
export interface TaskSpec {
  name: string;
  config?: unknown;
}

/** The spec every study stage takes. */
export interface StudySpec {
  study: StudyConfig;
  /** The task; omitted = read from checkpoint/train_config.json (`config.task`). */
  task?: TaskSpec;
}

/** A task with its fully resolved config (what the run dir records). */
export interface ResolvedTaskSpec {
  name: TaskName;
  config: ResolvedConfig;
}

/**
 * Reads the task of train_config.json's `config.task`, which may be `{ name, config }` or a resolved
 * task config carrying its own `task` field (as parseTaskConfig returns).
 */
function taskFromTrainConfig(trainConfig: unknown, where: string): TaskSpec {
  const task = (trainConfig as { task?: unknown } | undefined)?.task;
  if (typeof task === 'object' && task !== null) {
    const t = task as { name?: unknown; config?: unknown; task?: unknown };
    if (typeof t.name === 'string') return { name: t.name, config: t.config };
    if (typeof t.task === 'string') return { name: t.task, config: task };
  }
  throw new Error(
    `${where} has no task (expected config.task = { name, config }); give the task in the study spec`,
  );
}

/** The study's task, resolved: from the spec, else from the checkpoint's training config. */
export async function resolveTaskSpec(spec: StudySpec, runDir: string): Promise<ResolvedTaskSpec> {
  let given = spec.task;
  if (!given) {
    const path = join(runDir, RUN_DIR_FILES.checkpoint, 'train_config.json');
    if (!existsSync(path)) {
      throw new Error(`no task in the study spec and no ${path} to read it from`);
    }
    const body = await readJson<{ config?: unknown }>(path);
    given = taskFromTrainConfig(body.config, path);
  }
  assertTaskName(given.name);
  return { name: given.name, config: parseTaskConfig(given.name, given.config) };
}

/**
 * The part of the config hash of a stage that runs the trained model on ranked sites (patching,
 * steering): the seed, which sites are ranked, and the task the model is run on.
 */
export function modelRunConfig(spec: StudySpec) {
  return {
    seed: spec.study.seed,
    excludeEmbedding: spec.study.stats.excludeEmbedding,
    task: spec.task ?? null,
  };
}

export interface StudyModel {
  model: GPT;
  tokenizer: Tokenizer;
  task: Task;
  taskSpec: ResolvedTaskSpec;
  dispose(): void;
}

/**
 * Loads the run's checkpoint and task. The checkpoint's tokenizer.json wins over the task's own
 * tokenizer (the model was trained with it); its size must match the model's vocabulary.
 */
export async function openStudyModel(spec: StudySpec, runDir: string): Promise<StudyModel> {
  const taskSpec = await resolveTaskSpec(spec, runDir);
  const task = makeTask(taskSpec.name, taskSpec.config);
  const dir = join(runDir, RUN_DIR_FILES.checkpoint);
  if (!existsSync(join(dir, 'model.safetensors'))) {
    throw new Error(`no checkpoint in ${dir}: the train stage must run first`);
  }
  const loaded = await loadCheckpoint(dir);
  const tokenizer = loaded.tokenizer === undefined ? task.tokenizer() : tokenizerFromJSON(loaded.tokenizer);
  if (tokenizer.vocabSize !== loaded.model.config.vocabSize) {
    loaded.model.dispose();
    throw new Error(
      `${dir}: tokenizer has ${tokenizer.vocabSize} tokens but the model's vocabulary is ${loaded.model.config.vocabSize}`,
    );
  }
  return { model: loaded.model, tokenizer, task, taskSpec, dispose: () => loaded.model.dispose() };
}

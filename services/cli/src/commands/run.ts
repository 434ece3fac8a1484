/**
 * `memgen run` — the whole study for one model, in-process, artefacts under one run directory:
 *
 *   memgen run --task color --preset quick --seed 0 --out runs/color-quick-s0
 *   memgen run --task color --preset quick --size tiny --seed 1    # the same curriculum at D 128 L 4
 *
 * Every registered stage in run order (`memgen run --help` lists them); a rerun resumes (each
 * stage is skipped when its artefacts exist for the same config hash). `--study-config` overrides
 * study fields (inline JSON or a file), e.g. '{"steer":{"alphas":{"nmd":[10,50]}}}'.
 */
import { readFileSync } from 'node:fs';
import { parseSeed } from '@memgen/common';
import {
  type Progress,
  registeredStages,
  resolveStudyConfig,
  runStudy,
  STUDY_PRESET_NAMES,
  type StageContext,
  trainPreset,
} from '@memgen/pipeline';
import { TASK_NAMES } from '@memgen/tasks';
import { initBackend } from '@memgen/tensor';
import type { Command } from 'commander';

interface RunOptions {
  task?: string;
  preset: string;
  size?: string;
  seed: string;
  out?: string;
  studyConfig?: string;
}

/** `--study-config` is inline JSON (starts with `{`) or the path of a JSON file. */
function overridesFrom(value: string | undefined): Record<string, unknown> {
  if (value === undefined) return {};
  const text = value.trimStart().startsWith('{') ? value : readFileSync(value, 'utf8');
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`--study-config: not valid JSON (${(err as Error).message})`);
  }
}

/** Progress as lines on stderr, at most one per stage every 2 s (plus each stage's last update). */
function progressPrinter(): (p: Progress) => void {
  const last = new Map<string, number>();
  return (p) => {
    const now = Date.now();
    const finished = p.total > 0 && p.done >= p.total;
    if (!finished && now - (last.get(p.stage) ?? 0) < 2000) return;
    last.set(p.stage, now);
    const count = p.total > 0 ? ` ${p.done}/${p.total}` : '';
    process.stderr.write(`[${p.stage}]${count}${p.detail ? ` ${p.detail}` : ''}\n`);
  };
}

export async function runCommand(o: RunOptions): Promise<void> {
  if (o.task === undefined || !(TASK_NAMES as readonly string[]).includes(o.task)) {
    throw new Error(`--task: expected one of ${TASK_NAMES.join(', ')}, got ${JSON.stringify(o.task)}`);
  }
  if (!(STUDY_PRESET_NAMES as readonly string[]).includes(o.preset)) {
    throw new Error(
      `--preset: expected one of ${STUDY_PRESET_NAMES.join(', ')}, got ${JSON.stringify(o.preset)}`,
    );
  }
  const seed = parseSeed(o.seed, '--seed');
  const study = resolveStudyConfig(o.preset, { seed, ...overridesFrom(o.studyConfig) });
  const train = trainPreset(o.task, o.preset, seed, o.size);
  const runDir = o.out ?? `runs/${o.task}-${o.preset}${o.size ? `-${o.size}` : ''}-s${seed}`;
  await initBackend();
  const ctx: StageContext = {
    runDir,
    progress: progressPrinter(),
    log: (line) => process.stderr.write(`${line}\n`),
  };
  const started = performance.now();
  const outcome = await runStudy(
    {
      train,
      study,
      meta: { command: 'memgen run', task: o.task, preset: o.preset, size: train.model.preset, seed },
    },
    ctx,
  );
  const lines = outcome.stages.map(
    (s) =>
      `  ${s.stage.padEnd(12)} ${s.status.padEnd(8)} ${s.status === 'ran' ? `${s.wall_s.toFixed(2)} s` : ''}`,
  );
  process.stdout.write(
    `run directory: ${runDir}\n${lines.join('\n')}\n` +
      (outcome.stopped ? `the statistics did not run: ${outcome.stopped}\n` : '') +
      `report: ${outcome.reportPath} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
  );
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description(
      `train a model and run the whole study: ${registeredStages()
        .map((s) => s.name)
        .join(' → ')}`,
    )
    .requiredOption('--task <name>', `task: ${TASK_NAMES.join(' | ')}`)
    .option('--preset <name>', `training and study preset: ${STUDY_PRESET_NAMES.join(' | ')}`, 'quick')
    .option('--size <model>', "model size (libs/model preset: micro, tiny, small, …); default: the preset's")
    .option('--seed <n>', 'seed of training and of every study draw', '0')
    .option('--out <dir>', 'run directory (default runs/<task>-<preset>[-<size>]-s<seed>)')
    .option('--study-config <json|file>', 'overrides of the study config (inline JSON or a JSON file)')
    .action(async (o: RunOptions) => runCommand(o));
}

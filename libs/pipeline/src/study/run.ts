/**
 * `runStudy`: every registered stage, in the registry's run order (train, pairs, record, stats,
 * probes, consistency, steer, patching, report for the built-in ones), in one run directory, under its lock; a stage whose artefacts are current
 * in the freshness chain is skipped, so a rerun resumes. The trainer can be swapped (a test's stub),
 * or left out when the run directory already holds a model.
 */
import { configHash, writeJson } from '@memgen/common';
import { type LockOptions, lockRunDir } from '../chain/lock.js';
import { type RunStagesOptions, runStages, type StageOutcome } from '../chain/run-stages.js';
import type { RunSpec } from '../registry/declaration.js';
import { registeredStages } from '../registry/registry.js';
import type { StageContext } from '../stage.js';
import { RUN_DIR_FILES, runPath } from './common/run-dir.js';
import { REPORT_FILES } from './report/files.js';

export interface StudyRunSpec extends RunSpec {
  /** Free description kept in config.json but outside its hash (preset name, command line, …). */
  meta?: Record<string, unknown>;
}

export interface StudyOutcome {
  runDir: string;
  configHash: string;
  stages: StageOutcome[];
  reportPath: string;
  /** Why the stages after a gate did not run, when they did not. */
  stopped: string | null;
}

/**
 * Runs `fn` holding the run directory's lock (a second process is refused, naming the holder, at once
 * or after `options.waitMs`).
 */
export async function withRunDirLock<T>(
  runDir: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const release = await lockRunDir(runDir, undefined, options);
  try {
    return await fn();
  } finally {
    await release();
  }
}

/**
 * Runs (or resumes) the whole study in `ctx.runDir`.
 * @throws RunDirLockedError when another process holds the run directory; the first stage error
 *   otherwise (earlier stages' artefacts stay, so a rerun resumes after the fix)
 */
export async function runStudy(
  spec: StudyRunSpec,
  ctx: StageContext,
  overrides: RunStagesOptions['overrides'] = {},
): Promise<StudyOutcome> {
  return withRunDirLock(ctx.runDir, async () => {
    const { meta, ...runSpec } = spec;
    const config = { task: runSpec.task ?? null, train: runSpec.train ?? null, study: runSpec.study };
    const hash = configHash(config);
    await writeJson(runPath(ctx.runDir, RUN_DIR_FILES.config), {
      config,
      config_hash: hash,
      meta: meta ?? {},
    });
    const outcome = await runStages(registeredStages(), runSpec, ctx, { overrides });
    return {
      runDir: ctx.runDir,
      configHash: hash,
      stages: outcome.stages,
      reportPath: runPath(ctx.runDir, REPORT_FILES.report),
      stopped: outcome.stopped,
    };
  });
}

/**
 * Running stages in a run directory: `memgen run` runs them all, a sweep job one group's. Each
 * stage of the chain, in run order, is assessed against it (./freshness.ts); a current one is
 * skipped, a stale one runs and leaves a record of the digests it read and wrote, one behind a
 * failed gate does not run (files it left from an earlier configuration go to quarantine/), and one
 * whose expensive output was damaged stops the run with the file named. The chain is an argument: the caller passes the registry's stages (or a test's).
 */

import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { RunSpec, StageDeclaration, StageRun } from '../registry/declaration.js';
import { stageIn, upstreamIn } from '../registry/order.js';
import type { StageContext } from '../stage.js';
import { digestFiles, expandPaths } from './digests.js';
import {
  assessStage,
  type ChainStates,
  currentInputs,
  gateReason,
  isUsable,
  type StageState,
  stageConfigHash,
} from './freshness.js';
import { QUARANTINE_DIR, quarantineStage } from './quarantine.js';
import {
  RECORD_FORMAT,
  type StageRecord,
  stageRecordPath,
  writeStageRecord,
  writeStageTiming,
} from './records.js';

export interface StageOutcome {
  stage: string;
  status: 'ran' | 'skipped' | 'not-run';
  /** Seconds this call spent in the stage (0 when skipped or not run). */
  wall_s: number;
  reason?: string;
}

export interface RunStagesOptions {
  /** Run only these stages (a sweep job's group); the others are taken as the files show them. */
  only?: readonly string[];
  /** Another function for a stage (a test's stub trainer): dependency injection, not patching. */
  overrides?: Readonly<Record<string, StageRun>>;
  /** Write stages/<name>.timing.json (default true; a sweep keeps timings in its job state). */
  recordTimings?: boolean;
}

export interface RunStagesOutcome {
  stages: StageOutcome[];
  /** Why the stages after a gate did not run, when one stopped them. */
  stopped: string | null;
  states: ChainStates;
}

/** One call of runStages: the chain, what it runs with, and the states assessed so far. */
interface ChainRun {
  stages: readonly StageDeclaration[];
  spec: RunSpec;
  ctx: StageContext;
  states: ChainStates;
  options: RunStagesOptions;
}

/** The digest a stage keys its partial work by: its config hash and what it reads (StageContext.resumeKey). */
function resumeKeyOf(hash: string, inputs: Record<string, string>): string {
  const sorted = Object.keys(inputs)
    .sort()
    .map((name) => [name, inputs[name]]);
  return createHash('sha256')
    .update(JSON.stringify({ hash, inputs: sorted }))
    .digest('hex');
}

/** Runs one stage and records it; its old record goes first, so a crash mid-stage leaves none. */
async function runOne(run: ChainRun, stage: StageDeclaration): Promise<{ state: StageState; wall: number }> {
  const { ctx, spec, options } = run;
  await rm(stageRecordPath(ctx.runDir, stage.name), { force: true });
  const inputs = await currentInputs(run.stages, stage, ctx.runDir, run.states);
  const hash = stageConfigHash(stage, spec);
  ctx.progress({ stage: stage.name, done: 0, total: 0, detail: 'starting' });
  const started = performance.now();
  const work = options.overrides?.[stage.name] ?? stage.run;
  const stageCtx = { ...ctx, resumeKey: resumeKeyOf(hash, inputs) };
  const result = (await work(spec, stageCtx, hash, run.stages)) ?? null;
  const wall = (performance.now() - started) / 1000;
  const outputs = await digestFiles(ctx.runDir, await expandPaths(ctx.runDir, stage.outputs));
  const record: StageRecord = {
    format: RECORD_FORMAT,
    stage: stage.name,
    config_hash: hash,
    inputs,
    outputs,
    result,
  };
  await writeStageRecord(ctx.runDir, record);
  if (options.recordTimings ?? true) {
    const timing = {
      stage: stage.name,
      wall_s: Math.round(wall * 1000) / 1000,
      finished_at: new Date().toISOString(),
    };
    await writeStageTiming(ctx.runDir, timing);
  }
  return { state: { state: 'current', record }, wall };
}

/** Whether `stage` may run now; throws when it must not and nothing this call does can fix it. */
function checkRunnable(stage: StageDeclaration, spec: RunSpec, state: StageState, runDir: string): void {
  if (state.state === 'refused') {
    throw new Error(
      `${state.reason}. Restore the file, or delete ${stageRecordPath(runDir, stage.name)} to redo the ${stage.name} stage`,
    );
  }
  if (stage.requested && !stage.requested(spec) && state.state === 'stale') {
    throw new Error(`no ${stage.name} spec given: ${state.reason}`);
  }
}

/** @throws Error when an upstream stage outside this call is not usable (a sweep job's missing input). */
function checkUpstream(run: ChainRun, stage: StageDeclaration): void {
  if (stage.runsAfterStop) return;
  for (const name of upstreamIn(stage, run.stages)) {
    const up = run.states.get(name);
    if (!isUsable(up)) {
      const why = up && 'reason' in up ? up.reason : 'not assessed';
      throw new Error(
        `stage '${stage.name}' needs '${name}', which is not current in ${run.ctx.runDir}: ${why}`,
      );
    }
  }
}

/**
 * Runs (or resumes) `stages` (in run order: the registry's, `registeredStages()`) in `ctx.runDir`.
 * The caller holds the run directory's lock.
 * @throws the first stage error (earlier stages' artefacts and records stay, so a rerun resumes)
 */
export async function runStages(
  stages: readonly StageDeclaration[],
  spec: RunSpec,
  ctx: StageContext,
  options: RunStagesOptions = {},
): Promise<RunStagesOutcome> {
  const run: ChainRun = { stages, spec, ctx, states: new Map(), options };
  const { states } = run;
  const outcomes: StageOutcome[] = [];
  let stopped: string | null = null;
  // A group's job stops after its own stages: later stages' configs may not even be in its spec.
  const last = options.only
    ? Math.max(...options.only.map((n) => stages.indexOf(stageIn(stages, n))))
    : stages.length - 1;
  for (const stage of stages.slice(0, last + 1)) {
    const mine = options.only === undefined || options.only.includes(stage.name);
    if (stopped !== null && !stage.runsAfterStop) {
      states.set(stage.name, { state: 'blocked', reason: stopped });
      await setAside(ctx, stage);
      if (mine) outcomes.push({ stage: stage.name, status: 'not-run', wall_s: 0, reason: stopped });
      continue;
    }
    let state = await assessStage(stages, stage, spec, ctx.runDir, states);
    if (mine) {
      const outcome = await settle(run, stage, state);
      state = outcome.state;
      outcomes.push(outcome.outcome);
    }
    states.set(stage.name, state);
    const gate = gateReason(stage, state, spec);
    if (gate !== null && stopped === null) {
      stopped = gate;
      ctx.log(`study: ${gate}; the stages after ${stage.name} do not run`);
    }
  }
  return { stages: outcomes, stopped, states };
}

/** Moves the files a blocked stage left from an earlier configuration out of the chain's way. */
async function setAside(ctx: StageContext, stage: StageDeclaration): Promise<void> {
  const moved = await quarantineStage(ctx.runDir, stage);
  if (moved.length > 0) {
    ctx.log(
      `${stage.name}: ${moved.length} file(s) of an earlier run moved to ${QUARANTINE_DIR}/${stage.name}/`,
    );
  }
}

/** Skips, runs or refuses one stage of this call. */
async function settle(
  run: ChainRun,
  stage: StageDeclaration,
  state: StageState,
): Promise<{ state: StageState; outcome: StageOutcome }> {
  const { ctx } = run;
  checkRunnable(stage, run.spec, state, ctx.runDir);
  if (state.state === 'provided') {
    const reason = 'not asked for: using the files in the run directory';
    return { state, outcome: { stage: stage.name, status: 'not-run', wall_s: 0, reason } };
  }
  if (state.state === 'current') {
    ctx.log(
      `${stage.name}: skipped (current: config ${state.record.config_hash.slice(0, 12)}, inputs unchanged)`,
    );
    return { state, outcome: { stage: stage.name, status: 'skipped', wall_s: 0 } };
  }
  checkUpstream(run, stage);
  const reason = 'reason' in state ? state.reason : undefined;
  ctx.log(`${stage.name}: running (${reason})`);
  const ran = await runOne(run, stage);
  ctx.log(`${stage.name}: done in ${ran.wall.toFixed(1)} s`);
  return { state: ran.state, outcome: { stage: stage.name, status: 'ran', wall_s: ran.wall } };
}

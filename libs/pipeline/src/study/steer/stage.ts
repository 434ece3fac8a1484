/**
 * Stage `steer` (SPEC §7): decode a fresh conflict set unsteered, then under every setting of the
 * configured intervention families (steer-config.ts) — its targeted run(s) and their controls
 * (steering-plan.ts). Each run is also scored on ordinary rule items (capability control). Every
 * intervention path at its identity (α = 0, or no coordinates) must reproduce the unsteered outputs
 * exactly; the stage fails if one does not. Writes steering.json.
 */
import type { LabelCounts } from '@memgen/analysis';
import { writeJson } from '@memgen/common';
import type { HookPosition } from '@memgen/model';
import type { SteeringMeasurement } from '../metrics.js';
import { defineStudyStage } from '../registry/declaration.js';
import { checkAborted, type StageContext } from '../stage.js';
import { readPairs } from './pairs-file.js';
import { RUN_FILES, runPath } from './run-dir.js';
import { familySite } from './steer-config.js';
import { type AlphaZeroCheck, alphaZeroChecks } from './steering-alpha-zero.js';
import { calibrateGrid, needsCalibration, type SublayerCalibration } from './steering-calibration.js';
import { expandFamilies, type SettingSpec } from './steering-ids.js';
import { loadSteeringInputs, type SteeringInputs } from './steering-inputs.js';
import { controlSeed, planSetting, type RunRole, type SettingPlan } from './steering-plan.js';
import {
  type DecodedRun,
  type RunOutcome,
  type SteeredRun,
  type SteeringRuns,
  steeredRun,
  steeringRuns,
} from './steering-runs.js';
import { sublayerMeans } from './steering-sublayers.js';
import {
  applyHolm,
  type DirectionResult,
  directionResult,
  type HolmSummary,
  type SettingSummary,
  settingSummary,
} from './steering-summary.js';
import type { StudyModel, StudySpec } from './study-model.js';
import { openStudyModel } from './study-model.js';

/** One setting: what it changed, its runs, and its summary fields (SettingSummary). */
export interface SteeringSetting extends SettingSummary, Omit<SettingPlan, 'runs'> {
  kind: SettingSpec['family']['kind'];
  /** Index of its family in steer.families. */
  family: number;
  /** α of add and scale settings; null for ablations. */
  alpha: number | null;
  site: ReturnType<typeof familySite>;
  position: HookPosition;
  runs: Partial<Record<RunRole, SteeredRun>>;
  memToGen: DirectionResult | null;
  genToMem: DirectionResult | null;
}

export interface SteeringFile {
  config_hash: string;
  /** The pre-declared setting that cross-seed summaries compare. */
  primary: string;
  items: number;
  capabilityItems: number;
  /** Mean over the capability items of the best answer-free heuristic's expected accuracy. */
  capabilityShortcutBaseline: number;
  /** Residual sites never steered (the embedding, when stats.excludeEmbedding). */
  excludedSites: string[];
  unsteered: RunOutcome;
  /** Each intervention path at its identity must reproduce the unsteered outputs. */
  alphaZero: { identicalOutputs: boolean; mismatches: number; checks: AlphaZeroCheck[] };
  holm: HolmSummary;
  settings: SteeringSetting[];
}

export interface SteerResult {
  settings: number;
  unsteered: LabelCounts;
  alphaZeroIdentical: boolean;
  primary: Pick<
    SettingSummary,
    'id' | 'mem_to_gen' | 'mem_to_gen_control' | 'gen_to_mem' | 'gen_to_mem_control'
  >;
  holmSurvivors: number;
}

/** Decodes every run of a plan and puts the setting's numbers together. */
export function runSetting(
  spec: StudySpec,
  runs: SteeringRuns,
  base: DecodedRun,
  s: SettingSpec,
  plan: SettingPlan,
): SteeringSetting {
  const { seed } = spec.study;
  const decoded: Partial<Record<RunRole, DecodedRun>> = {};
  const steered: Partial<Record<RunRole, SteeredRun>> = {};
  for (const [role, ivs] of Object.entries(plan.runs) as [
    RunRole,
    NonNullable<SettingPlan['runs'][RunRole]>,
  ][]) {
    const run = runs.decode(ivs);
    decoded[role] = run;
    steered[role] = steeredRun(
      base.labels,
      run,
      spec.study.steer.bootstrap,
      controlSeed(seed, s.id, `bootstrap-${role}`),
    );
  }
  const memToGen = directionResult(base.labels, decoded, 'mem');
  const genToMem = directionResult(base.labels, decoded, 'gen');
  const { runs: _plans, ...meta } = plan;
  return {
    ...settingSummary(s.id, steered, memToGen, genToMem, base.outcome.capabilityAccuracy),
    kind: s.family.kind,
    family: s.familyIndex,
    alpha: s.alpha,
    site: familySite(s.family),
    position: s.family.position,
    ...meta,
    runs: steered,
    memToGen,
    genToMem,
  };
}

/** A setting's measured directions (a direction not measured, e.g. no items of that class, is left out). */
function steeringMeasurements(s: SettingSummary): SteeringMeasurement[] {
  const pairs = [
    ['mem_to_gen', s.mem_to_gen, s.mem_to_gen_control],
    ['gen_to_mem', s.gen_to_mem, s.gen_to_mem_control],
  ] as const;
  return pairs.flatMap(([direction, targeted, control]) =>
    targeted === null || control === null ? [] : [{ setting: s.id, direction, targeted, control }],
  );
}

function excludedResidSites(inputs: SteeringInputs): string[] {
  const r = inputs.resid;
  return r ? r.exclude.map((s) => r.hooks[s]!) : [];
}

/** The calibrated settings' sublayers, chosen on the first steer.calibrationPairs of pairs.jsonl. */
async function calibrations(
  spec: StudySpec,
  runDir: string,
  grid: readonly SettingSpec[],
  inputs: SteeringInputs,
  opened: StudyModel,
): Promise<Map<string, SublayerCalibration> | undefined> {
  if (!grid.some(needsCalibration)) return undefined;
  const pairs = (await readPairs(runPath(runDir, RUN_FILES.pairs))).slice(
    0,
    spec.study.steer.calibrationPairs,
  );
  const { model, tokenizer } = opened;
  return calibrateGrid(grid, inputs, model, tokenizer.padId, pairs, spec.study.record.batchSize);
}

async function runSteer(spec: StudySpec, ctx: StageContext, hash: string): Promise<SteerResult> {
  const cfg = spec.study.steer;
  const inputs = await loadSteeringInputs(spec, ctx.runDir);
  const opened = await openStudyModel(spec, ctx.runDir);
  try {
    const grid = expandFamilies(cfg.families, opened.model.config);
    if (!grid.some((s) => s.id === cfg.primary))
      throw new Error(`steer.primary: '${cfg.primary}' is not a setting of this model's grid`);
    inputs.sublayerMeans = await sublayerMeans(
      cfg.families,
      opened.model,
      opened.tokenizer.padId,
      ctx.runDir,
      spec.study.record.batchSize,
    );
    inputs.calibrations = await calibrations(spec, ctx.runDir, grid, inputs, opened);
    const runs = steeringRuns(spec, opened);
    const base = runs.decode([]);
    const plan = (s: SettingSpec, zero = false) =>
      planSetting(s, inputs, opened.model, spec.study.seed, zero);
    const checks = alphaZeroChecks(grid, runs, base, (s) => plan(s, true));
    const results: SteeringSetting[] = [];
    for (const [k, s] of grid.entries()) {
      checkAborted(ctx);
      results.push(runSetting(spec, runs, base, s, plan(s)));
      ctx.progress({ stage: 'steer', done: k + 1, total: grid.length, detail: s.id });
    }
    const holm = applyHolm(results);
    const file: SteeringFile = {
      config_hash: hash,
      primary: cfg.primary,
      items: runs.items,
      capabilityItems: runs.capabilityItems,
      capabilityShortcutBaseline: runs.capabilityShortcutBaseline,
      excludedSites: excludedResidSites(inputs),
      unsteered: base.outcome,
      alphaZero: { identicalOutputs: true, mismatches: 0, checks },
      holm,
      settings: results,
    };
    await writeJson(runPath(ctx.runDir, RUN_FILES.steering), file);
    for (const m of results.flatMap(steeringMeasurements)) ctx.metrics?.record({ kind: 'steering', ...m });
    const p = results.find((s) => s.id === cfg.primary)!;
    return {
      settings: results.length,
      unsteered: base.outcome.counts,
      alphaZeroIdentical: true,
      primary: {
        id: p.id,
        mem_to_gen: p.mem_to_gen,
        mem_to_gen_control: p.mem_to_gen_control,
        gen_to_mem: p.gen_to_mem,
        gen_to_mem_control: p.gen_to_mem_control,
      },
      holmSurvivors: holm.surviving.length,
    };
  } finally {
    opened.dispose();
  }
}

export const steerStage = defineStudyStage<SteerResult>({
  name: 'steer',
  group: 'steering',
  upstream: ['train', 'pairs', 'record', 'stats', 'probes'],
  reads: [
    `${RUN_FILES.checkpoint}/`,
    RUN_FILES.pairs,
    RUN_FILES.activations,
    RUN_FILES.stats,
    RUN_FILES.probes,
  ],
  outputs: [RUN_FILES.steering],
  config: (spec) => ({
    steer: spec.study.steer,
    seed: spec.study.seed,
    excludeEmbedding: spec.study.stats.excludeEmbedding,
    task: spec.task ?? null,
  }),
  run: runSteer,
  onChangedOutput: 'rerun',
});

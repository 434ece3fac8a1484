/**
 * Stage `steer` (docs/method.md §7): decode a fresh conflict set unsteered, then under every setting
 * of the configured intervention families (./config.ts) — its targeted run(s) and their controls
 * (./plan/plan.ts). Each run is also scored on ordinary rule items (capability control). Every
 * intervention path at its identity (α = 0, or no coordinates) must reproduce the unsteered outputs
 * exactly; the stage fails if one does not. Writes steering.json.
 */
import { writeJson } from '@memgen/common';
import type { SteeringMeasurement } from '../../metrics.js';
import { defineStudyStage } from '../../registry/declaration.js';
import { checkAborted, type StageContext } from '../../stage.js';
import { RUN_DIR_FILES, runPath } from '../common/run-dir.js';
import type { StudyModel, StudySpec } from '../common/study-model.js';
import { modelRunConfig, openStudyModel } from '../common/study-model.js';
import { PAIRS_FILES } from '../pairs/files.js';
import { type PairLine, readPairs } from '../pairs/pairs-file.js';
import { PROBES_FILES } from '../probes/files.js';
import { RECORD_FILES } from '../record/files.js';
import { STATS_FILES } from '../stats/files.js';
import { prepareAttention } from './attention/inputs.js';
import { runStatementKeys } from './attention/keys.js';
import { STEER_FILES } from './files.js';
import { DEFAULT_LEARN_CONFIG } from './learn/config.js';
import { learnSubspaces } from './learn/das-learned.js';
import { writeDirections } from './learn/directions-file.js';
import { learnDirections } from './learn/learned.js';
import type { SpanKeys } from './learn/placement.js';
import { learnedOf, reliabilityOf } from './learn/reliability.js';
import { memberPrompts } from './learn/split.js';
import { calibrateGrid, needsCalibration } from './plan/calibration.js';
import { calibrateHeads, needsHeadCalibration } from './plan/head-calibration.js';
import { expandFamilies, type SettingSpec } from './plan/ids.js';
import { loadSteeringInputs, type SteeringInputs } from './plan/inputs.js';
import { planSetting } from './plan/plan.js';
import type { SublayerCalibration } from './plan/setting-plan.js';
import { sublayerMeans } from './plan/sublayers.js';
import { alphaZeroChecks } from './runs/alpha-zero.js';
import { type DecodedRun, type SteeringRuns, steeringRuns } from './runs/runs.js';
import { runSetting } from './runs/setting.js';
import { openSettingStore, type SettingStore } from './runs/setting-store.js';
import { applyHolm, type SettingSummary } from './runs/summary.js';
import type { SteeringFile, SteeringSetting, SteerResult } from './steering-file.js';

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

/**
 * pairs.jsonl split once: the training split (the first steer.calibrationPairs pairs, on which
 * calibrations choose and directions are learned) and the held-out rest.
 */
interface PairSplit {
  training: PairLine[];
  heldOut: PairLine[];
}

async function splitPairs(spec: StudySpec, runDir: string): Promise<PairSplit> {
  const pairs = await readPairs(runPath(runDir, PAIRS_FILES.pairs));
  const n = spec.study.steer.calibrationPairs;
  return { training: pairs.slice(0, n), heldOut: pairs.slice(n) };
}

/** The calibrated settings' sublayers, chosen on the training split. */
function calibrations(
  spec: StudySpec,
  training: readonly PairLine[],
  grid: readonly SettingSpec[],
  inputs: SteeringInputs,
  opened: StudyModel,
): Map<string, SublayerCalibration> | undefined {
  if (!grid.some(needsCalibration)) return undefined;
  const { model, tokenizer } = opened;
  return calibrateGrid(grid, inputs, model, tokenizer.padId, training, spec.study.record.batchSize);
}

/**
 * The learned directions and subspaces of the grid's direction and das settings, written to
 * directions.safetensors.
 */
async function learned(
  spec: StudySpec,
  runDir: string,
  training: readonly PairLine[],
  grid: readonly SettingSpec[],
  opened: StudyModel,
  spans: SpanKeys,
) {
  const li = {
    model: opened.model,
    padId: opened.tokenizer.padId,
    task: opened.task,
    tokenizer: opened.tokenizer,
    pairs: training,
    cfg: spec.study.steer.learn ?? DEFAULT_LEARN_CONFIG,
    seed: spec.study.seed,
    spans,
  };
  const out = { directions: learnDirections(grid, li), subspaces: learnSubspaces(grid, li) };
  await writeDirections(runPath(runDir, STEER_FILES.directions), out.directions, out.subspaces);
  return out;
}

/** The calibrated head-scale settings' heads, chosen on the training split. */
function headCalibrations(
  spec: StudySpec,
  training: readonly PairLine[],
  grid: readonly SettingSpec[],
  opened: StudyModel,
) {
  const wanted = grid.filter(needsHeadCalibration);
  if (wanted.length === 0) return undefined;
  const batch = spec.study.record.batchSize;
  return new Map(
    wanted.map(
      (s) => [s.id, calibrateHeads(s, opened.model, opened.tokenizer.padId, training, batch)] as const,
    ),
  );
}

/** The model's grid, checked to hold steer.primary, with the sublayer means and calibrations it needs. */
async function prepareGrid(
  spec: StudySpec,
  runDir: string,
  training: readonly PairLine[],
  inputs: SteeringInputs,
  opened: StudyModel,
) {
  const cfg = spec.study.steer;
  const grid = expandFamilies(cfg.families, opened.model.config);
  if (!grid.some((s) => s.id === cfg.primary))
    throw new Error(`steer.primary: '${cfg.primary}' is not a setting of this model's grid`);
  inputs.sublayerMeans = await sublayerMeans(
    cfg.families,
    opened.model,
    opened.tokenizer.padId,
    runDir,
    spec.study.record.batchSize,
  );
  inputs.calibrations = calibrations(spec, training, grid, inputs, opened);
  inputs.headCalibrations = headCalibrations(spec, training, grid, opened);
  // One set of statement keys (memoised per prompt) for attention settings and spans alike.
  const spans = runStatementKeys(opened);
  prepareAttention(grid, inputs, opened, training, spec.study.record.batchSize, spans);
  const out = await learned(spec, runDir, training, grid, opened, spans);
  inputs.learned = out.directions;
  inputs.subspaces = out.subspaces;
  return grid;
}

/** Per-item reliability of the pre-declared setting, when it is a learned direction. */
function primaryReliability(
  spec: StudySpec,
  heldOut: readonly PairLine[],
  grid: readonly SettingSpec[],
  results: readonly SteeringSetting[],
  inputs: SteeringInputs,
  opened: StudyModel,
) {
  const primary = grid.find((s) => s.id === spec.study.steer.primary)!;
  const learned = learnedOf(primary, inputs.learned);
  if (!learned) return undefined;
  return reliabilityOf(primary, results.find((r) => r.id === primary.id)!.runs, learned, opened, heldOut);
}

/** The record's summary: the grid's size, the unsteered counts and the pre-declared setting. */
function steerResult(file: SteeringFile): SteerResult {
  const p = file.settings.find((s) => s.id === file.primary)!;
  return {
    settings: file.settings.length,
    unsteered: file.unsteered.counts,
    alphaZeroIdentical: true,
    primary: {
      id: p.id,
      mem_to_gen: p.mem_to_gen,
      mem_to_gen_control: p.mem_to_gen_control,
      gen_to_mem: p.gen_to_mem,
      gen_to_mem_control: p.gen_to_mem_control,
    },
    holmSurvivors: file.holm.surviving.length,
  };
}

/**
 * The identity checks, then every setting of the grid in order; a setting an earlier attempt
 * finished (./runs/setting-store.ts) is read back instead of measured again.
 */
async function measureGrid(
  spec: StudySpec,
  ctx: StageContext,
  grid: readonly SettingSpec[],
  inputs: SteeringInputs,
  opened: StudyModel,
  runs: SteeringRuns,
  base: DecodedRun,
  store: SettingStore | undefined,
) {
  const plan = (s: SettingSpec, zero = false) => planSetting(s, inputs, opened.model, spec.study.seed, zero);
  const checks = alphaZeroChecks(grid, runs, base, (s) => plan(s, true));
  if (store?.resumed) ctx.log(`steer: resuming with ${store.resumed} of ${grid.length} settings finished`);
  const results: SteeringSetting[] = [];
  for (const [k, s] of grid.entries()) {
    checkAborted(ctx);
    let result = store?.get(s.id);
    if (!result) {
      result = runSetting(spec, runs, base, s, plan(s));
      await store?.put(result);
    }
    results.push(result);
    ctx.progress({ stage: 'steer', done: k + 1, total: grid.length, detail: s.id });
  }
  return { checks, results };
}

async function runSteer(spec: StudySpec, ctx: StageContext, hash: string): Promise<SteerResult> {
  const cfg = spec.study.steer;
  const inputs = await loadSteeringInputs(spec, ctx.runDir);
  const opened = await openStudyModel(spec, ctx.runDir);
  try {
    const pairs = await splitPairs(spec, ctx.runDir);
    const grid = await prepareGrid(spec, ctx.runDir, pairs.training, inputs, opened);
    // Learned directions never see the steering set: items equal to a training member are left out.
    const leaveOut =
      inputs.learned?.size || inputs.subspaces?.size ? memberPrompts(pairs.training) : undefined;
    const runs = steeringRuns(spec, opened, leaveOut);
    const base = runs.decode([]);
    // Without a resume key (a library caller running the stage alone) nothing is kept.
    const store = ctx.resumeKey ? await openSettingStore(ctx.runDir, ctx.resumeKey, ctx.log) : undefined;
    const { checks, results } = await measureGrid(spec, ctx, grid, inputs, opened, runs, base, store);
    const holm = applyHolm(results);
    const reliability = primaryReliability(spec, pairs.heldOut, grid, results, inputs, opened);
    const file: SteeringFile = {
      config_hash: hash,
      primary: cfg.primary,
      items: runs.items,
      itemsLeftOut: runs.itemsLeftOut,
      capabilityItems: runs.capabilityItems,
      capabilityShortcutBaseline: runs.capabilityShortcutBaseline,
      excludedSites: excludedResidSites(inputs),
      unsteered: base.outcome,
      alphaZero: { identicalOutputs: true, mismatches: 0, checks },
      holm,
      ...(reliability ? { reliability } : {}),
      settings: results,
    };
    await writeJson(runPath(ctx.runDir, STEER_FILES.steering), file);
    await store?.clear();
    for (const m of results.flatMap(steeringMeasurements)) ctx.metrics?.record({ kind: 'steering', ...m });
    return steerResult(file);
  } finally {
    opened.dispose();
  }
}

export const steerStage = defineStudyStage<SteerResult>({
  name: 'steer',
  group: 'steering',
  upstream: ['train', 'pairs', 'record', 'stats', 'probes'],
  reads: [
    `${RUN_DIR_FILES.checkpoint}/`,
    PAIRS_FILES.pairs,
    RECORD_FILES.activations,
    STATS_FILES.stats,
    PROBES_FILES.probes,
  ],
  outputs: [STEER_FILES.steering, STEER_FILES.directions],
  config: (spec) => ({ steer: spec.study.steer, ...modelRunConfig(spec) }),
  run: runSteer,
  onChangedOutput: 'rerun',
});

/**
 * Stage `steer` (SPEC §7): decode a fresh conflict set unsteered, then under every (unit, α, top-N)
 * setting three times — toward mem, toward gen, and a random control of the same size — at the last
 * position of every forward pass. Each run is also scored on ordinary rule items (capability
 * control). α = 0 must reproduce the unsteered outputs exactly; the stage fails if it does not.
 * Writes steering.json.
 */
import { type BehaviourLabel, type LabelCounts, type SwitchComparison, topNMask } from '@memgen/analysis';
import { writeJson } from '@memgen/common';
import { defineStudyStage } from '../registry/declaration.js';
import { checkAborted, type StageContext } from '../stage.js';
import { RUN_FILES, runPath } from './run-dir.js';
import { excludedSites, readStatistics, type SiteStatistics } from './stats-file.js';
import {
  type DecodedRun,
  type RunOutcome,
  type SteeredRun,
  type SteeringRuns,
  steeredRun,
  steeringRuns,
  switchVersusControl,
} from './steering-runs.js';
import { type AlphaUnit, maxAbsShift, randomShifts, targetedShifts } from './steering-vectors.js';
import type { StudySpec } from './study-model.js';
import { openStudyModel } from './study-model.js';

export interface SteeringSetting {
  unit: AlphaUnit;
  alpha: number;
  topFraction: number;
  /** Coordinates shifted (top-N count; the random control shifts as many). */
  coordinates: number;
  /** m: the largest |targeted shift|, the half-width of the random shifts. */
  maxShift: number;
  toMem: SteeredRun;
  toGen: SteeredRun;
  random: SteeredRun;
  /** Mem→Gen under the gen-steered run vs the random run; null when no item was mem unsteered. */
  memToGen: SwitchComparison | null;
  /** Gen→Mem under the mem-steered run vs the random run; null when no item was gen unsteered. */
  genToMem: SwitchComparison | null;
}

export interface SteeringFile {
  config_hash: string;
  site: 'resid' | 'mlp.post';
  items: number;
  capabilityItems: number;
  /** Mean over the capability items of the best answer-free heuristic's expected accuracy. */
  capabilityShortcutBaseline: number;
  excludedSites: string[];
  unsteered: RunOutcome;
  /** α = 0 sanity check: targeted at α = 0 must reproduce the unsteered outputs. */
  alphaZero: { identicalOutputs: boolean; mismatches: number };
  settings: SteeringSetting[];
}

export interface SteerResult {
  settings: number;
  unsteered: LabelCounts;
  alphaZeroIdentical: boolean;
}

/** The (unit, α, top-N) settings of the grid, in the file's order. */
function settingGrid(cfg: StudySpec['study']['steer']) {
  return (['nmd', 'sd'] as const).flatMap((unit) =>
    cfg.alphas[unit].flatMap((alpha) =>
      cfg.topFractions.map((topFraction) => ({ unit, alpha, topFraction })),
    ),
  );
}

/** The statistics of the steered site, and the sites excluded from selection. */
async function steeringSite(
  spec: StudySpec,
  runDir: string,
): Promise<{ kind: SiteStatistics; exclude: number[] }> {
  const site = spec.study.steer.site;
  const stats = await readStatistics(runPath(runDir, RUN_FILES.stats));
  const kind = site === 'resid' ? stats.resid : stats.mlpPost;
  if (!kind) throw new Error(`steering site '${site}' needs ${site} statistics in ${RUN_FILES.stats}`);
  const exclude = site === 'resid' ? excludedSites(kind.sites, spec.study.stats.excludeEmbedding) : [];
  return { kind, exclude };
}

/** α = 0 must reproduce the unsteered texts exactly, or the intervention path is broken. */
function checkAlphaZero(
  runs: SteeringRuns,
  base: DecodedRun,
  kind: SiteStatistics,
  exclude: number[],
  first: number,
): number {
  const selection = topNMask(kind.r, first, { excludeSites: exclude }).coordinates;
  const zero = runs.decode(targetedShifts(selection, kind.nmd, kind.sd, 'nmd', 0, 1));
  const mismatches = zero.texts.filter((t, i) => t !== base.texts[i]).length;
  if (mismatches > 0)
    throw new Error(`steering with α = 0 changed ${mismatches} outputs: the intervention path is broken`);
  return mismatches;
}

/** One setting: toward mem, toward gen, and a random control of as many coordinates and the same m. */
function steerSetting(
  spec: StudySpec,
  runs: SteeringRuns,
  site: { kind: SiteStatistics; exclude: number[] },
  before: BehaviourLabel[],
  g: { unit: AlphaUnit; alpha: number; topFraction: number },
  k: number,
): SteeringSetting {
  const { kind, exclude } = site;
  const { seed } = spec.study;
  const resamples = spec.study.steer.bootstrap;
  const selection = topNMask(kind.r, g.topFraction, { excludeSites: exclude }).coordinates;
  const toMemShifts = targetedShifts(selection, kind.nmd, kind.sd, g.unit, g.alpha, 1);
  const m = maxAbsShift(toMemShifts);
  const toMem = runs.decode(toMemShifts);
  const toGen = runs.decode(targetedShifts(selection, kind.nmd, kind.sd, g.unit, g.alpha, -1));
  const randomRun = randomShifts(
    kind.nmd.sites,
    kind.nmd.width,
    exclude,
    selection.length,
    m,
    seed * 100_003 + k + 1,
  );
  const random = runs.decode(randomRun);
  return {
    ...g,
    coordinates: selection.length,
    maxShift: m,
    toMem: steeredRun(before, toMem, resamples, seed + 3 * k),
    toGen: steeredRun(before, toGen, resamples, seed + 3 * k + 1),
    random: steeredRun(before, random, resamples, seed + 3 * k + 2),
    memToGen: switchVersusControl(before, toGen.labels, random.labels, 'mem'),
    genToMem: switchVersusControl(before, toMem.labels, random.labels, 'gen'),
  };
}

async function runSteer(spec: StudySpec, ctx: StageContext, hash: string): Promise<SteerResult> {
  const cfg = spec.study.steer;
  const site = await steeringSite(spec, ctx.runDir);
  const opened = await openStudyModel(spec, ctx.runDir);
  try {
    const runs = steeringRuns(spec, opened, site.kind);
    const base = runs.decode([]);
    const mismatches = checkAlphaZero(runs, base, site.kind, site.exclude, cfg.topFractions[0]!);
    const grid = settingGrid(cfg);
    const results: SteeringSetting[] = [];
    for (const [k, g] of grid.entries()) {
      checkAborted(ctx);
      results.push(steerSetting(spec, runs, site, base.labels, g, k));
      const detail = `${g.unit} α=${g.alpha} top ${(100 * g.topFraction).toFixed(0)} %`;
      ctx.progress({ stage: 'steer', done: k + 1, total: grid.length, detail });
    }
    const file: SteeringFile = {
      config_hash: hash,
      site: cfg.site,
      items: runs.items,
      capabilityItems: runs.capabilityItems,
      capabilityShortcutBaseline: runs.capabilityShortcutBaseline,
      excludedSites: site.exclude.map((s) => site.kind.sites[s]!),
      unsteered: base.outcome,
      alphaZero: { identicalOutputs: true, mismatches },
      settings: results,
    };
    await writeJson(runPath(ctx.runDir, RUN_FILES.steering), file);
    return { settings: results.length, unsteered: base.outcome.counts, alphaZeroIdentical: true };
  } finally {
    opened.dispose();
  }
}

export const steerStage = defineStudyStage<SteerResult>({
  name: 'steer',
  group: 'steering',
  upstream: ['train', 'stats'],
  reads: [`${RUN_FILES.checkpoint}/`, RUN_FILES.stats],
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

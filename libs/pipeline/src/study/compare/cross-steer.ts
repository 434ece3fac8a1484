/**
 * Steering one run's model with another run's neurons (docs/method.md §8, inter-task): run B's steering set
 * is decoded unsteered, then every coordinate-selecting setting of the study's steering grid twice on
 * the same items — with B's own statistics (top-N mask by |r|, NMD, sd) and with A's — each beside
 * its matched control (as many random coordinates, the same shift size). Models of one size share
 * coordinates only by index, so A's neurons moving B beyond the matched control would mean the two
 * runs put the decision in the same coordinates. Used by `memgen compare --steer`.
 */
import type { LabelCounts } from '@memgen/analysis';
import { runPath } from '../common/run-dir.js';
import { openStudyModel, type StudySpec } from '../common/study-model.js';
import { parseStudyConfig } from '../config.js';
import { STATS_FILES } from '../stats/files.js';
import { readStatistics } from '../stats/stats-file.js';
import type { SteerFamily } from '../steer/config.js';
import { expandFamilies } from '../steer/plan/ids.js';
import { loadSteeringInputs, type SiteInputs, type SteeringInputs } from '../steer/plan/inputs.js';
import { planSetting } from '../steer/plan/plan.js';
import { steeringRuns } from '../steer/runs/runs.js';
import { runSetting } from '../steer/runs/setting.js';
import { applyHolm, type HolmSummary } from '../steer/runs/summary.js';
import type { SteeringSetting } from '../steer/steering-file.js';

/** A setting's summary and plan, without its per-item runs. */
export type SettingNumbers = Omit<SteeringSetting, 'runs' | 'memToGen' | 'genToMem'>;

/** One setting with B's own coordinates and with A's (`borrowed`). */
export interface CrossSteeringSetting {
  id: string;
  own: SettingNumbers;
  borrowed: SettingNumbers;
}

function numbers({ runs: _runs, memToGen: _m, genToMem: _g, ...rest }: SteeringSetting): SettingNumbers {
  return rest;
}

export interface CrossSteering {
  /** The run whose statistics choose the coordinates (A). */
  from: string;
  /** The run whose model and steering set are decoded (B). */
  to: string;
  /** Study seed of the steering set and the controls. */
  seed: number;
  items: number;
  unsteered: LabelCounts;
  /** Holm over the borrowed settings' tests (targeted vs matched control). */
  holmBorrowed: HolmSummary;
  /** Holm over the own settings' tests, as the steering stage would over this grid. */
  holmOwn: HolmSummary;
  settings: CrossSteeringSetting[];
}

/** Steering across runs as `memgen compare` keeps it: the runs named by their indices. */
export type RunCrossSteering = Omit<CrossSteering, 'from' | 'to'> & { from: number; to: number };

/** Families whose coordinates or direction come from the statistics (not heads or sublayers, not probes). */
export function usesStatistics(f: SteerFamily): boolean {
  if (f.kind === 'add') return f.direction !== 'probe' && 'top' in f.select;
  return (f.kind === 'mean-ablate' || f.kind === 'scale') && 'top' in f.select;
}

/** `inputs` with every site's statistics replaced by the same site's of `fromDir`. */
async function borrowStatistics(inputs: SteeringInputs, fromDir: string, toDir: string) {
  const stats = await readStatistics(runPath(fromDir, STATS_FILES.stats));
  const swap = (own: SiteInputs | undefined, site: 'resid' | 'mlp.post'): SiteInputs | undefined => {
    if (!own) return undefined;
    const theirs = site === 'resid' ? stats.resid : stats.mlpPost;
    if (!theirs) throw new Error(`${fromDir} has no ${site} statistics to steer ${toDir} with`);
    const same =
      theirs.r.sites === own.stats.r.sites &&
      theirs.r.width === own.stats.r.width &&
      theirs.sites.every((h, i) => h === own.stats.sites[i]);
    if (!same) {
      throw new Error(
        `${fromDir}'s ${site} statistics [${theirs.r.sites}, ${theirs.r.width}] do not match ` +
          `${toDir}'s [${own.stats.r.sites}, ${own.stats.r.width}]: only runs of one model size can steer each other`,
      );
    }
    return { ...own, stats: theirs };
  };
  return { ...inputs, resid: swap(inputs.resid, 'resid'), 'mlp.post': swap(inputs['mlp.post'], 'mlp.post') };
}

/**
 * Decodes `toDir`'s steering set under each statistics-based setting of the default steering grid
 * (study config `study`, seed included), with its own coordinates and with `fromDir`'s.
 * @throws Error when a run lacks its checkpoint or statistics, or the statistics differ in shape.
 */
export async function crossSteer(
  fromDir: string,
  toDir: string,
  study: unknown = {},
): Promise<CrossSteering> {
  const config = parseStudyConfig(study);
  const families = config.steer.families.filter(usesStatistics);
  if (families.length === 0) throw new Error('the steering grid has no setting that selects coordinates');
  const spec: StudySpec = { study: { ...config, steer: { ...config.steer, families } } };
  const own = await loadSteeringInputs(spec, toDir);
  const borrowed = await borrowStatistics(own, fromDir, toDir);
  const opened = await openStudyModel(spec, toDir);
  try {
    const grid = expandFamilies(families, opened.model.config);
    const runs = steeringRuns(spec, opened);
    const base = runs.decode([]);
    const run = (s: (typeof grid)[number], inputs: SteeringInputs) =>
      numbers(runSetting(spec, runs, base, s, planSetting(s, inputs, opened.model, config.seed)));
    const settings = grid.map((s) => ({ id: s.id, own: run(s, own), borrowed: run(s, borrowed) }));
    return {
      from: fromDir,
      to: toDir,
      seed: config.seed,
      items: runs.items,
      unsteered: base.outcome.counts,
      holmBorrowed: applyHolm(settings.map((s) => s.borrowed)),
      holmOwn: applyHolm(settings.map((s) => s.own)),
      settings,
    };
  } finally {
    opened.dispose();
  }
}

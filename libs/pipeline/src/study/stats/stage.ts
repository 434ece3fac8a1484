/**
 * Stage `stats` (docs/method.md §5): NMD, point-biserial r and pooled sd per coordinate, the global |r|
 * ranking's head, mean |NMD| by layer, and whether the largest |r| exceeds what label permutations
 * give (so the report can say "at noise level" when that is the truth). Writes stats.safetensors.
 */
import {
  meanAbsBySite,
  neuronMeanDifference,
  permutationNoiseLevel,
  pointBiserial,
  pooledStandardDeviation,
  quantile,
  type SiteMatrix,
  topN,
} from '@memgen/analysis';
import { type Stream, stream } from '@memgen/common';
import { defineStudyStage } from '../../registry/declaration.js';
import type { StageContext } from '../../stage.js';
import { runPath } from '../common/run-dir.js';
import type { StudySpec } from '../common/study-model.js';
import { type ActivationSet, readActivations } from '../record/activations-file.js';
import { RECORD_FILES } from '../record/files.js';
import { STATS_FILES } from './files.js';
import { excludedSites, type SiteStatistics, type StudyStatistics, writeStatistics } from './stats-file.js';

export interface SiteSummary {
  site: string;
  meanAbsNmd: number;
  /** Mean pooled sd of the site's coordinates: the scale NMD is small or large against. */
  meanSd: number;
  maxAbsR: number;
}

export interface NoiseSummary {
  /** max |r| over the eligible coordinates. */
  observedMaxAbsR: number;
  /** 95th percentile of max |r| under label permutations. */
  threshold95: number;
  /** 99th percentile of the same null distribution. */
  threshold99: number;
  pValue: number;
  /** Eligible coordinates with |r| above threshold95. */
  countAboveThreshold: number;
  atNoiseLevel: boolean;
  permutations: number;
}

export interface RankedEntry {
  site: string;
  dim: number;
  r: number;
  nmd: number;
}

export interface SiteKindSummary {
  sites: SiteSummary[];
  excludedSites: string[];
  noise: NoiseSummary;
  /** The 10 coordinates of largest |r| (eligible sites only). */
  top: RankedEntry[];
}

export interface StatsResult {
  pairs: number;
  resid: SiteKindSummary;
  mlpPost: SiteKindSummary | null;
}

function maxAbsBySite(m: SiteMatrix): number[] {
  return Array.from({ length: m.sites }, (_, s) => {
    let max = 0;
    for (let j = 0; j < m.width; j++) max = Math.max(max, Math.abs(m.values[s * m.width + j]!));
    return max;
  });
}

function meanBySite(m: SiteMatrix): number[] {
  return Array.from({ length: m.sites }, (_, s) => {
    let sum = 0;
    for (let j = 0; j < m.width; j++) sum += m.values[s * m.width + j]!;
    return sum / m.width;
  });
}

/** Statistics and their summary for one activation set; the label permutations come from `permutationStream`. */
export function analyseSet(
  set: ActivationSet,
  exclude: number[],
  permutations: number,
  permutationStream: Stream,
): { stats: SiteStatistics; summary: SiteKindSummary } {
  const { mem, gen } = set;
  const nmd = neuronMeanDifference(mem, gen);
  const r = pointBiserial(mem, gen);
  const sd = pooledStandardDeviation(mem, gen);
  const noise = permutationNoiseLevel(mem, gen, permutationStream, { permutations, excludeSites: exclude });
  const meanAbs = meanAbsBySite(nmd);
  const meanSd = meanBySite(sd);
  const maxR = maxAbsBySite(r);
  const top = topN(r, 10, { excludeSites: exclude }).coordinates.map((c) => ({
    site: set.sites[c.site]!,
    dim: c.dim,
    r: c.r,
    nmd: nmd.values[c.index]!,
  }));
  return {
    stats: { sites: set.sites, nmd, r, sd },
    summary: {
      sites: set.sites.map((site, s) => ({
        site,
        meanAbsNmd: meanAbs[s]!,
        meanSd: meanSd[s]!,
        maxAbsR: maxR[s]!,
      })),
      excludedSites: exclude.map((s) => set.sites[s]!),
      noise: {
        observedMaxAbsR: noise.observedMaxAbsR,
        threshold95: noise.threshold,
        threshold99: quantile(noise.nullMaxAbsR, 0.99),
        pValue: noise.pValue,
        countAboveThreshold: noise.countAboveThreshold,
        atNoiseLevel: noise.atNoiseLevel,
        permutations,
      },
      top,
    },
  };
}

async function runStats(spec: StudySpec, ctx: StageContext, hash: string): Promise<StatsResult> {
  const cfg = spec.study.stats;
  const acts = await readActivations(runPath(ctx.runDir, RECORD_FILES.activations));
  const permutationStream = stream(spec.study.seed, 'stats/permutations');
  const resid = analyseSet(
    acts.resid,
    excludedSites(acts.resid.sites, cfg.excludeEmbedding),
    cfg.permutations,
    permutationStream.derive('resid'),
  );
  ctx.progress({ stage: 'stats', done: 1, total: acts.mlpPost ? 2 : 1 });
  const mlp = acts.mlpPost
    ? analyseSet(acts.mlpPost, [], cfg.permutations, permutationStream.derive('mlp-post'))
    : undefined;
  const stats: StudyStatistics = { resid: resid.stats, configHash: hash };
  if (mlp) stats.mlpPost = mlp.stats;
  await writeStatistics(runPath(ctx.runDir, STATS_FILES.stats), stats);
  const n = acts.resid.mem.members;
  ctx.log(
    `stats: ${n} pairs, max |r| ${resid.summary.noise.observedMaxAbsR.toFixed(3)} vs permutation 95 % ` +
      `${resid.summary.noise.threshold95.toFixed(3)} (p = ${resid.summary.noise.pValue.toFixed(3)})`,
  );
  return { pairs: n, resid: resid.summary, mlpPost: mlp?.summary ?? null };
}

export const statsStage = defineStudyStage<StatsResult>({
  name: 'stats',
  group: 'fitting',
  upstream: ['record'],
  outputs: [STATS_FILES.stats],
  config: (spec) => ({ stats: spec.study.stats, seed: spec.study.seed }),
  run: runStats,
  onChangedOutput: 'rerun',
});

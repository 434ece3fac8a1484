/**
 * What the steering settings are built from, per kind of site: NMD, r and sd (stats.safetensors),
 * the class means (activations.safetensors, only when a mean-ablation asks for them), the probe
 * directions (probes.json, only when a probe family asks for them), and which sites are eligible.
 */
import { type Coordinate, coordinateMeans, type SiteMatrix, topNMask } from '@memgen/analysis';
import { readJson } from '@memgen/common';
import { blockHook } from '@memgen/model';
import { runPath } from '../../common/run-dir.js';
import type { StudySpec } from '../../common/study-model.js';
import { PROBES_FILES } from '../../probes/files.js';
import type { ProbesFile, SiteDirection } from '../../probes/stage.js';
import { readActivations } from '../../record/activations-file.js';
import { RECORD_FILES } from '../../record/files.js';
import { STATS_FILES } from '../../stats/files.js';
import { excludedSites, readStatistics, type SiteStatistics } from '../../stats/stats-file.js';
import type { AttentionCalibration } from '../attention/calibration.js';
import { familySite, type SteerFamily, type SteerSelection } from '../config.js';
import type { LearnedSubspace } from '../learn/das-learned.js';
import type { LearnedDirection } from '../learn/learned.js';
import type { SpanKeys } from '../learn/placement.js';
import type { HeadCalibration } from './head-calibration.js';
import type { SublayerCalibration } from './setting-plan.js';

export type SteeredSite = 'resid' | 'mlp.post';

/** Per-coordinate class means `[sites, width]` of the recorded flipped-pair members. */
export interface ClassMeans {
  mem: SiteMatrix;
  gen: SiteMatrix;
  /** The mean of both classes (mem and gen members pooled). */
  pooled: SiteMatrix;
}

export interface SiteInputs {
  site: SteeredSite;
  /** Hook name of each site index. */
  hooks: string[];
  stats: SiteStatistics;
  /** Site indices never steered (the embedding, when stats.excludeEmbedding). */
  exclude: number[];
  means: ClassMeans | null;
  /** Probe weights `[sites, width]` in raw units, positive toward mem. */
  probe: SiteMatrix | null;
}

export interface SteeringInputs {
  resid?: SiteInputs;
  'mlp.post'?: SiteInputs;
  /** Pooled mean last-position output of each sublayer a sublayer-ablate family sets (by hook). */
  sublayerMeans?: Map<string, Float32Array>;
  /** The sublayers chosen for each setting with calibrated sublayers (by setting id). */
  calibrations?: Map<string, SublayerCalibration>;
  /** The heads chosen for each head-scale setting with calibrated heads (by setting id). */
  headCalibrations?: Map<string, HeadCalibration>;
  /** The signed heads chosen for each attention setting with calibrated heads (by setting id). */
  attentionCalibrations?: Map<string, AttentionCalibration>;
  /** The keys of each span kind of the prompts, for attention settings (color prompts only). */
  attentionKeys?: SpanKeys;
  /** The learned directions of the grid's direction settings (by ../learn/learned.ts learnKey). */
  learned?: Map<string, LearnedDirection>;
  /** The learned subspaces of the grid's das settings (by ../learn/das-learned.ts subspaceKey). */
  subspaces?: Map<string, LearnedSubspace>;
}

function probeMatrix(rows: SiteDirection[], hooks: string[], width: number, path: string): SiteMatrix {
  const values = new Float64Array(hooks.length * width);
  hooks.forEach((hook, s) => {
    const row = rows.find((r) => r.site === hook);
    if (!row || row.weights.length !== width)
      throw new Error(`${path}: no probe direction of width ${width} for site '${hook}'`);
    values.set(row.weights, s * width);
  });
  return { values, sites: hooks.length, width };
}

async function readProbeDirections(runDir: string, site: SteeredSite, stats: SiteStatistics) {
  const path = runPath(runDir, PROBES_FILES.probes);
  const file = await readJson<ProbesFile>(path);
  if (!file.directions)
    throw new Error(
      `${path} has no probe directions (written before they were kept); rerun the probes stage`,
    );
  const rows = site === 'resid' ? file.directions.resid : file.directions.mlpPost;
  if (!rows) throw new Error(`${path} has no ${site} probe directions`);
  return probeMatrix(rows, stats.sites, stats.nmd.width, path);
}

/** The inputs of every site the families steer (head ablations need none). */
export async function loadSteeringInputs(spec: StudySpec, runDir: string): Promise<SteeringInputs> {
  const families = spec.study.steer.families;
  const used = (site: SteeredSite, test: (f: SteerFamily) => boolean = () => true) =>
    families.some((f) => familySite(f) === site && test(f));
  const stats = await readStatistics(runPath(runDir, STATS_FILES.stats));
  const needsMeans = (['resid', 'mlp.post'] as const).some((s) => used(s, (f) => f.kind === 'mean-ablate'));
  const acts = needsMeans ? await readActivations(runPath(runDir, RECORD_FILES.activations)) : null;
  const out: SteeringInputs = {};
  for (const site of ['resid', 'mlp.post'] as const) {
    if (!used(site)) continue;
    const kind = site === 'resid' ? stats.resid : stats.mlpPost;
    if (!kind) throw new Error(`steering site '${site}' needs ${site} statistics in ${STATS_FILES.stats}`);
    const set = acts ? (site === 'resid' ? acts.resid : acts.mlpPost) : undefined;
    const mem = set ? coordinateMeans(set.mem) : null;
    const gen = set ? coordinateMeans(set.gen) : null;
    out[site] = {
      site,
      hooks: kind.sites,
      stats: kind,
      exclude: site === 'resid' ? excludedSites(kind.sites, spec.study.stats.excludeEmbedding) : [],
      means: mem && gen ? { mem, gen, pooled: pooledMean(mem, gen) } : null,
      probe: used(site, (f) => f.kind === 'add' && f.direction === 'probe')
        ? await readProbeDirections(runDir, site, kind)
        : null,
    };
  }
  return out;
}

/** (mem + gen) / 2: the pooled mean of two classes of equal size (one member of each per pair). */
function pooledMean(mem: SiteMatrix, gen: SiteMatrix): SiteMatrix {
  return { ...mem, values: mem.values.map((m, c) => (m + gen.values[c]!) / 2) };
}

/**
 * The selected coordinates: the top fraction of the eligible ones by |r|, or every coordinate of
 * the named blocks (all eligible blocks for 'all').
 * @throws Error naming a block the site list does not have, or an excluded one
 */
export function selectCoordinates(inputs: SiteInputs, select: SteerSelection): Coordinate[] {
  const { stats, exclude } = inputs;
  if ('top' in select) return topNMask(stats.r, select.top, { excludeSites: exclude }).coordinates;
  const width = stats.nmd.width;
  const suffix = inputs.site === 'resid' ? 'resid_post' : 'mlp.post';
  const sites =
    select.blocks === 'all'
      ? stats.sites.map((_, s) => s).filter((s) => !exclude.includes(s))
      : select.blocks.map((b) => {
          const s = stats.sites.indexOf(blockHook(b, suffix));
          if (s < 0) throw new Error(`steering selects block ${b}, which has no ${inputs.site} site`);
          return s;
        });
  return sites.flatMap((site) =>
    Array.from({ length: width }, (_, dim) => ({ site, dim, index: site * width + dim })),
  );
}

/**
 * Consistency across runs (docs/method.md §8: across training seeds, and across tasks at equal model size):
 * for every pair of run directories, Dice of their top-N |r| masks beside random masks of the same
 * sizes, and Spearman's ρ of their NMD vectors. Used by `memgen compare RUN...`.
 */
import { stream } from '@memgen/common';
import { table } from '../common/markdown.js';
import { num, pValue } from '../common/verdicts.js';
import { compareSelections, type MaskOverlap } from '../consistency/overlap.js';
import { excludedSites } from '../stats/stats-file.js';
import { crossSteer, type RunCrossSteering } from './cross-steer.js';
import { crossSteeringMarkdown } from './cross-steer-markdown.js';
import { type VerifiedRun, verifiedIdentity, verifiedRuns, verifySteeringSources } from './verified-runs.js';

export interface CompareOptions {
  topFractions?: number[];
  randomDraws?: number;
  /** Random neuron reorderings of the Spearman baseline [200]. */
  nullDraws?: number;
  /** Seed of the random baselines [0]; runs a and b draw under the purpose 'compare/runs-<a>-<b>'. */
  seed?: number;
  excludeEmbedding?: boolean;
  /**
   * Also steer each run with every other run's neurons where their tasks differ (cross-steer.ts), with
   * this study config (its seed draws the steering set and the controls).
   */
  steer?: { study?: unknown };
}

export interface RunIdentity {
  dir: string;
  task: string | null;
  seed: number | null;
  pairs: number | null;
  /** [sites, width] of the statistics. */
  shape: [number, number];
}

export interface RunPairComparison {
  /** Indices into `runs`. */
  a: number;
  b: number;
  spearmanNmd: number;
  /** 95th percentile of ρ with one run's neurons in random order. */
  spearmanNull95: number;
  overlaps: MaskOverlap[];
}

export interface RunComparison {
  runs: RunIdentity[];
  comparisons: RunPairComparison[];
  excludedSites: string[];
  /** Steering run `to` with run `from`'s coordinates (indices into `runs`); empty unless asked. */
  steering: RunCrossSteering[];
}

async function identify(run: VerifiedRun): Promise<RunIdentity> {
  const { pairs, seed } = await verifiedIdentity(run);
  return {
    dir: run.dir,
    task: pairs?.task.name ?? null,
    seed,
    pairs: pairs?.kept ?? null,
    shape: [run.stats.r.sites, run.stats.r.width],
  };
}

/**
 * Compares the statistics of every pair of runs.
 * @throws Error when fewer than two runs are given, two are one run, a run has no stats.safetensors
 *   or one its chain does not vouch for (verified-runs.ts), or two runs' statistics differ in shape
 *   (different model sizes cannot be compared coordinate by coordinate).
 */
export async function compareRuns(
  dirs: readonly string[],
  options: CompareOptions = {},
): Promise<RunComparison> {
  if (dirs.length < 2) throw new Error(`compare needs at least two run directories, got ${dirs.length}`);
  const verified = await verifiedRuns(dirs);
  const stats = verified.map((v) => v.stats);
  const runs = await Promise.all(verified.map(identify));
  const first = runs[0]!;
  for (const r of runs) {
    if (r.shape[0] !== first.shape[0] || r.shape[1] !== first.shape[1]) {
      throw new Error(
        `${r.dir} has statistics of shape [${r.shape}] but ${first.dir} has [${first.shape}]: ` +
          'only runs of the same model size can be compared',
      );
    }
  }
  const exclude = excludedSites(stats[0]!.sites, options.excludeEmbedding ?? true);
  const comparisons: RunPairComparison[] = [];
  for (let a = 0; a < dirs.length; a++) {
    for (let b = a + 1; b < dirs.length; b++) {
      const c = compareSelections(stats[a]!, stats[b]!, {
        exclude,
        topFractions: options.topFractions ?? [0.05, 0.1],
        draws: options.randomDraws ?? 1000,
        nullDraws: options.nullDraws ?? 200,
        stream: stream(options.seed ?? 0, `compare/runs-${a}-${b}`),
      });
      comparisons.push({ a, b, ...c });
    }
  }
  if (options.steer) for (const v of verified) await verifySteeringSources(v);
  const steering = options.steer ? await steerAcross(runs, options.steer.study) : [];
  return { runs, comparisons, excludedSites: exclude.map((s) => stats[0]!.sites[s]!), steering };
}

/** Every ordered pair of runs of different tasks: the second steered with the first's coordinates. */
async function steerAcross(runs: readonly RunIdentity[], study: unknown): Promise<RunComparison['steering']> {
  const tasks = new Set(runs.map((r) => r.task));
  if (tasks.size < 2 || tasks.has(null)) {
    throw new Error(
      `steering across runs needs runs of at least two known tasks, got ${[...tasks].map((t) => t ?? 'unknown').join(', ')}`,
    );
  }
  const out: RunComparison['steering'] = [];
  for (const [from, a] of runs.entries()) {
    for (const [to, b] of runs.entries()) {
      if (a.task === b.task) continue;
      const { from: _f, to: _t, ...result } = await crossSteer(a.dir, b.dir, study);
      out.push({ from, to, ...result });
    }
  }
  return out;
}

/** Whether the overlap exceeds the 95th percentile of uniform and of layer-matched random masks. */
function overlapVerdict(o: MaskOverlap): string {
  if (o.dice === null || o.random95 === null) return 'undefined (empty masks)';
  if (o.dice <= o.random95) return 'indistinguishable from random masks';
  if (o.layerMatched && o.dice <= o.layerMatched.random95)
    return 'above random masks, not above layer-matched';
  return 'above random and layer-matched masks';
}

/** The comparison as Markdown: runs, then one row per run pair and mask size. */
export function comparisonMarkdown(c: RunComparison): string {
  const name = (i: number) => {
    const r = c.runs[i]!;
    return `${i + 1}: ${r.task ?? '?'} seed ${r.seed ?? '?'}`;
  };
  const runs = table(
    ['run', 'directory', 'task', 'seed', 'pairs'],
    c.runs.map((r, i) => [
      String(i + 1),
      r.dir,
      r.task ?? '—',
      String(r.seed ?? '—'),
      String(r.pairs ?? '—'),
    ]),
  );
  const rows = c.comparisons.flatMap((p) =>
    p.overlaps.map((o) => [
      `${name(p.a)} vs ${name(p.b)}`,
      `top ${(100 * o.topFraction).toFixed(0)} %`,
      num(o.dice),
      `${num(o.expectedRandom)} / ${num(o.random95)}`,
      o.pValue === null ? '—' : pValue(o.pValue),
      `${num(o.layerMatched?.expected ?? null)} / ${num(o.layerMatched?.random95 ?? null)}`,
      o.layerMatched ? pValue(o.layerMatched.pValue) : '—',
      overlapVerdict(o),
      `${num(p.spearmanNmd)} (null 95 %: ${num(p.spearmanNull95)})`,
    ]),
  );
  return [
    runs,
    table(
      [
        'runs',
        'mask',
        'Dice',
        'random: expected / 95th pct',
        'p',
        'layer-matched: expected / 95th pct',
        'p (layer-matched)',
        'verdict',
        'Spearman ρ of NMD',
      ],
      rows,
    ),
    'Dice compares the top-N |r| masks with random masks of the same sizes, and with layer-matched random ' +
      "masks (each mask's count in every site kept, drawn within the site): masks that sit in the same " +
      'layers overlap beyond uniform random masks for that reason alone. Spearman ρ of the NMD vectors ' +
      "is shown beside its 95th percentile with one run's neurons in random order.",
    c.excludedSites.length > 0 ? `Excluded sites: ${c.excludedSites.join(', ')}.` : '',
    crossSteeringMarkdown(c.steering, name),
  ]
    .filter((s) => s !== '')
    .join('\n\n');
}

/**
 * Every alignment-search subspace a grid needs (./das.ts), learned once per family — its α only set
 * how far steering moves — with what steering needs beside it: the class means of the training
 * members at the site (the targets), the mean shift it makes on them (the norm of its matched
 * control), how well the interchange itself fits the split, and its shuffled-label twin (the same
 * search on pairs whose members were swapped by a fair coin, steered toward those pairs' means).
 */
import { type Stream, stream } from '@memgen/common';
import type { GPT, Intervention } from '@memgen/model';
import { countInto, type DirectionCounts, emptyCounts } from '../../patching/runs.js';
import type { SettingSpec } from '../plan/ids.js';
import type { DasFamily, LearnConfig } from './config.js';
import { type InterchangeRows, interchangeTokens, learnSubspace, orthonormalise } from './das.js';
import { calibratedSite, fixedSite, type LearnInputs, split, swapped } from './learned.js';
import type { SiteChoice, SiteLever } from './site-choice.js';
import { columnMeans, lastRows, meanRowNorm } from './site-rows.js';
import type { MemberRows, TrainingSplit } from './split.js';

/** [W] class means of the training members at a site's last position. */
export interface ClassMeans {
  gen: Float32Array;
  mem: Float32Array;
}

/** One subspace and the class means it steers toward. */
export interface SubspaceFit {
  /** [rank, W] orthonormal rows, row-major. */
  basis: Float32Array;
  means: ClassMeans;
  /** The site's mean activation norm over the members (for comparison with directions). */
  unit: number;
  /** Mean L2 norm of the α = 1 shift: toward gen over the mem members, toward mem over the gen members. */
  shift: { toGen: number; toMem: number };
  /** Members the interchange with their partner moved to the partner's answer, per direction. */
  interchange: { memToGen: DirectionCounts; genToMem: DirectionCounts };
}

export interface LearnedSubspace extends SubspaceFit {
  hook: string;
  rank: number;
  shuffled: SubspaceFit;
  choice: SiteChoice | null;
  /** Training pairs whose members answer differently (the rows learned on). */
  pairs: number;
}

/** The key of a family's subspace (shared by its α). */
export const subspaceKey = (s: Pick<SettingSpec, 'familyIndex'>) => `f${s.familyIndex}-das`;

/** The coordinates of `v` [W] in `basis` [k, W]. */
export function coordinatesIn(basis: Float32Array, v: Float32Array): number[] {
  const W = v.length;
  return Array.from({ length: basis.length / W }, (_, a) =>
    v.reduce((s, x, j) => s + x * basis[a * W + j]!, 0),
  );
}

const mean = (rows: Float32Array, W: number) => Float32Array.from(columnMeans(rows, rows.length / W, W));

/** Mean over `rows` [n, W] of ‖B·(target − x)‖ — the L2 norm of the α = 1 shift (B has orthonormal rows). */
function meanShift(basis: Float32Array, rows: Float32Array, target: Float32Array, W: number): number {
  const t = coordinatesIn(basis, target);
  const n = rows.length / W;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = coordinatesIn(basis, rows.subarray(i * W, (i + 1) * W));
    sum += Math.hypot(...t.map((c, a) => c - x[a]!));
  }
  return sum / n;
}

function interchangeCounts(
  model: GPT,
  hook: string,
  basis: Float32Array,
  rows: MemberRows,
  sources: Float32Array,
) {
  const moved: InterchangeRows = { input: rows.input, sources, targets: rows.partner };
  const counts = emptyCounts();
  const tokens = interchangeTokens(model, hook, basis, moved);
  for (const [k, t] of tokens.entries()) countInto(counts, t, rows.own[k]!, rows.partner[k]!);
  return counts;
}

/** [rank, W] orthonormal random rows. */
export function randomBasis(rank: number, W: number, rng: Stream): Float32Array {
  return orthonormalise(
    Float32Array.from({ length: rank * W }, () => rng.normal()),
    W,
  );
}

/**
 * The search on `part` at `hook`: started from the class-mean difference and rank − 1 random rows.
 * @throws Error when the class means coincide
 */
export function fitSubspace(
  model: GPT,
  part: TrainingSplit,
  hook: string,
  rank: number,
  run: { cfg: LearnConfig; steps: number; rng: Stream },
): SubspaceFit {
  const W = model.hooks.point(hook).width;
  const [memRows, genRows] = [lastRows(model, part.mem.input, hook), lastRows(model, part.gen.input, hook)];
  const means = { gen: mean(genRows, W), mem: mean(memRows, W) };
  const init = new Float32Array(rank * W);
  init.set(means.gen.map((g, j) => g - means.mem[j]!));
  if (!init.some((x) => x !== 0))
    throw new Error(`alignment search at '${hook}': the class means coincide, no direction to start from`);
  for (let i = W; i < rank * W; i++) init[i] = run.rng.normal();
  const moves: InterchangeRows[] = [
    { input: part.mem.input, sources: genRows, targets: part.mem.partner },
    { input: part.gen.input, sources: memRows, targets: part.gen.partner },
  ];
  const basis = learnSubspace(model, { hook, moves, init }, run.cfg, run.steps);
  return {
    basis,
    means,
    unit: meanRowNorm([memRows, genRows], W),
    shift: { toGen: meanShift(basis, memRows, means.gen, W), toMem: meanShift(basis, genRows, means.mem, W) },
    interchange: {
      memToGen: interchangeCounts(model, hook, basis, part.mem, genRows),
      genToMem: interchangeCounts(model, hook, basis, part.gen, memRows),
    },
  };
}

/** The subspace set both ways at `hook`: the fit's coordinates moved α of the way to each class mean. */
export function subspaceSets(
  hook: string,
  fit: Pick<SubspaceFit, 'basis' | 'means'>,
  alpha: number,
  position: DasFamily['position'],
) {
  const set = (target: Float32Array): Intervention[] => [
    { kind: 'subspace', hook, basis: fit.basis, values: coordinatesIn(fit.basis, target), alpha, position },
  ];
  return { toGen: set(fit.means.gen), toMem: set(fit.means.mem) };
}

/** A subspace family's lever at a candidate site: the search at its first α, against a random subspace. */
function subspaceLever(model: GPT, f: DasFamily, cfg: LearnConfig, rng: Stream) {
  return (hook: string, learnOn: TrainingSplit): SiteLever => {
    const fit = fitSubspace(model, learnOn, hook, f.rank, { cfg, steps: cfg.choiceSteps, rng });
    const random = subspaceSets(
      hook,
      { ...fit, basis: randomBasis(f.rank, fit.means.gen.length, rng) },
      f.alphas[0]!,
      f.position,
    );
    const learned = subspaceSets(hook, fit, f.alphas[0]!, f.position);
    return { ...learned, randomToGen: random.toGen, randomToMem: random.toMem };
  };
}

/** One family's subspace and its twin. */
function learnFamily(li: LearnInputs, s: SettingSpec, full: TrainingSplit): LearnedSubspace {
  const f = s.family as DasFamily;
  const site = f.site;
  const choice =
    site === 'calibrated'
      ? calibratedSite(li, s.familyIndex, (rng) => subspaceLever(li.model, f, li.cfg, rng))
      : null;
  const hook = site === 'calibrated' ? choice!.hook : fixedSite(li.model, site);
  const key = subspaceKey(s);
  const run = (purpose: string) => ({
    cfg: li.cfg,
    steps: li.cfg.steps,
    rng: stream(li.seed, `steer/learn/${key}/${purpose}`),
  });
  const fit = fitSubspace(li.model, full, hook, f.rank, run('init'));
  const shuffledSplit = split(li, swapped(li.pairs, stream(li.seed, `steer/learn/${key}/shuffle`)));
  try {
    const shuffled = fitSubspace(li.model, shuffledSplit, hook, f.rank, run('shuffled-init'));
    return { ...fit, hook, rank: f.rank, shuffled, choice, pairs: full.pairs };
  } finally {
    shuffledSplit.dispose();
  }
}

/** The subspace of every das family of the grid, by subspaceKey. */
export function learnSubspaces(grid: readonly SettingSpec[], li: LearnInputs): Map<string, LearnedSubspace> {
  const out = new Map<string, LearnedSubspace>();
  const wanted = grid.filter((s) => s.family.kind === 'das');
  if (wanted.length === 0) return out;
  const full = split(li, li.pairs);
  try {
    for (const s of wanted) if (!out.has(subspaceKey(s))) out.set(subspaceKey(s), learnFamily(li, s, full));
  } finally {
    full.dispose();
  }
  return out;
}

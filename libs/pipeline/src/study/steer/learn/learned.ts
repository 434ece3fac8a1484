/**
 * Every learned direction a grid needs, learned once per (family, α) — the settings that keep fewer
 * coordinates restrict the same vectors — with its shuffled-label twin: the same learner on the
 * same pairs with each pair's two members swapped by a fair coin, so that no class signal is left.
 */
import { type Stream, stream } from '@memgen/common';
import { blockHook, type GPT } from '@memgen/model';
import type { Task, Tokenizer } from '@memgen/tasks';
import type { PairLine } from '../../pairs/pairs-file.js';
import type { SettingSpec } from '../plan/ids.js';
import type { DirectionFamily, DirectionSite, LearnConfig } from './config.js';
import { learnPair, type VectorPair } from './learn-pair.js';
import { type Placement, placementOf, type SpanKeys } from './placement.js';
import { chooseSite, directionLever, type SiteChoice, type SiteLever } from './site-choice.js';
import { type SiteSummary, summariseSite } from './site-rows.js';
import { type TrainingSplit, trainingSplit } from './split.js';

export interface LearnedDirection {
  hook: string;
  /** Where the vectors are added. */
  position: Placement;
  /** The site's mean activation norm over the training members: α's unit. */
  unit: number;
  /** The vectors' L2 norm, α · unit. */
  norm: number;
  vectors: VectorPair;
  shuffled: VectorPair;
  /** [width] |r| of each coordinate with the class over the training members. */
  absR: Float32Array;
  /** How a calibrated site was chosen; null for a fixed site. */
  choice: SiteChoice | null;
  /** Training pairs whose members answer differently (the rows learned on). */
  pairs: number;
}

/** The key shared by a family's settings at one α. */
export const learnKey = (s: Pick<SettingSpec, 'familyIndex' | 'alpha'>) => `f${s.familyIndex}-a${s.alpha}`;

export interface LearnInputs {
  model: GPT;
  padId: number;
  task: Task;
  tokenizer: Tokenizer;
  /** The training split: the first steer.calibrationPairs pairs of pairs.jsonl. */
  pairs: readonly PairLine[];
  cfg: LearnConfig;
  seed: number;
  /** The statements of each color prompt, for directions at position 'asked'. */
  spans?: SpanKeys;
}

/** A direction family with its position as the model takes it. */
const placed = (li: LearnInputs, f: DirectionFamily) => ({
  ...f,
  position: placementOf(f.position, li.spans),
});

/** The training split of `pairs` with li's rule items to keep. */
export function split(li: LearnInputs, pairs: readonly PairLine[]): TrainingSplit {
  const keep = { task: li.task, tokenizer: li.tokenizer, items: li.cfg.keepItems };
  return trainingSplit(li.model, li.padId, pairs, {
    ...keep,
    rng: stream(li.seed, 'steer/learn/keep-items'),
  });
}

/** `pairs` with each pair's two members swapped by a fair coin: the shuffled-label twin's input. */
export function swapped(pairs: readonly PairLine[], rng: Stream): PairLine[] {
  return pairs.map((p) => (rng.bit() ? { ...p, mem: p.gen, gen: p.mem } : p));
}

type Site = { hook: string; choice: SiteChoice | null };

/**
 * A calibrated family's site: `leverAt` scores every candidate, learned on the split's first half and
 * scored on its second half (./site-choice.ts).
 */
export function calibratedSite(
  li: LearnInputs,
  familyIndex: number,
  leverAt: (rng: Stream) => (hook: string, learnOn: TrainingSplit) => SiteLever,
): SiteChoice {
  const h = Math.ceil(li.pairs.length / 2);
  const halves: [TrainingSplit, TrainingSplit] = [
    split(li, li.pairs.slice(0, h)),
    split(li, li.pairs.slice(h)),
  ];
  try {
    return chooseSite(li.model, halves, leverAt(stream(li.seed, `steer/learn/f${familyIndex}/site-choice`)));
  } finally {
    for (const part of halves) part.dispose();
  }
}

/** A fixed site's hook. @throws Error when its block is outside the model */
export function fixedSite(model: GPT, site: DirectionSite): string {
  if (site.block >= model.config.nLayer)
    throw new Error(
      `a learned family's site: block ${site.block} is outside the model's ${model.config.nLayer}`,
    );
  return blockHook(site.block, site.site);
}

/**
 * The family's site: its fixed one, or the calibrated choice — made once per family, at its first
 * α, and shared by all its α.
 */
function familySite(li: LearnInputs, s: SettingSpec, unitOf: (h: string) => number): Site {
  const f = s.family as DirectionFamily;
  if (f.site !== 'calibrated') return { hook: fixedSite(li.model, f.site), choice: null };
  const choice = calibratedSite(li, s.familyIndex, (rng) =>
    directionLever(li.model, placed(li, f), f.alphas[0]!, li.cfg, unitOf, rng),
  );
  return { hook: choice.hook, choice };
}

/** The learned direction of one (family, α). */
function learnOne(
  li: LearnInputs,
  s: SettingSpec,
  full: TrainingSplit,
  site: Site,
  summary: SiteSummary,
): LearnedDirection {
  const f = placed(li, s.family as DirectionFamily);
  const { hook, choice } = site;
  const norm = s.alpha! * summary.meanNorm;
  const vectors = learnPair(li.model, full, hook, f, norm, li.cfg, li.cfg.steps, summary.genMinusMem);
  const shuffledSplit = split(li, swapped(li.pairs, stream(li.seed, `steer/learn/${learnKey(s)}/shuffle`)));
  try {
    const shuffled = learnPair(li.model, shuffledSplit, hook, f, norm, li.cfg, li.cfg.steps);
    const unit = summary.meanNorm;
    const { position } = f;
    return { hook, position, unit, norm, vectors, shuffled, absR: summary.absR, choice, pairs: full.pairs };
  } finally {
    shuffledSplit.dispose();
  }
}

/** The learned direction of every (family, α) of the grid's direction settings, by learnKey. */
export function learnDirections(
  grid: readonly SettingSpec[],
  li: LearnInputs,
): Map<string, LearnedDirection> {
  const out = new Map<string, LearnedDirection>();
  const wanted = grid.filter((s) => s.family.kind === 'direction');
  if (wanted.length === 0) return out;
  const full = split(li, li.pairs);
  try {
    // One summary per site over the full split: α's unit for the site choice and the learners.
    const summaries = new Map<string, SiteSummary>();
    const summaryOf = (hook: string) => {
      if (!summaries.has(hook)) summaries.set(hook, summariseSite(li.model, full, hook));
      return summaries.get(hook)!;
    };
    const sites = new Map<number, Site>();
    for (const s of wanted) {
      if (out.has(learnKey(s))) continue;
      if (!sites.has(s.familyIndex))
        sites.set(
          s.familyIndex,
          familySite(li, s, (hook) => summaryOf(hook).meanNorm),
        );
      const site = sites.get(s.familyIndex)!;
      out.set(learnKey(s), learnOne(li, s, full, site, summaryOf(site.hook)));
    }
  } finally {
    full.dispose();
  }
  return out;
}

/**
 * The rule that picks a calibrated learned direction's site, per model, on the training split only:
 * every candidate site (each block's attn.out and mlp.out, and each block's resid_post but the
 * last — a fixed vector there is a fixed logit shift, which cannot pick an item's own answer) gets
 * the family's learner on the split's first half (choiceSteps steps for the gradient learner), and
 * its vectors are scored on the second half: members moved to their partner's answer, net of
 * members moved to neither answer and of members a random vector of the same norm moves to their
 * partner's answer there, summed over both directions — the site where a learned vector does most
 * beyond what any vector of its size does. The best score wins; ties go to the earlier site. The
 * steering set is never seen.
 */
import type { Stream } from '@memgen/common';
import { blockHook, type GPT } from '@memgen/model';
import type { DirectionCounts } from '../../patching/runs.js';
import type { DirectionFamily, LearnConfig } from './config.js';
import { countMoves, learnPair } from './learn-pair.js';
import { randomVector } from './random-vector.js';
import type { TrainingSplit } from './split.js';

export interface SiteCandidate {
  hook: string;
  memToGen: DirectionCounts;
  genToMem: DirectionCounts;
  /** Members a random vector of the same norm moved to their partner's answer, per direction. */
  randomMemToGen: number;
  randomGenToMem: number;
  score: number;
}

export interface SiteChoice {
  /** Pairs the vectors were learned on, and pairs they were scored on. */
  learnedOn: number;
  scoredOn: number;
  candidates: SiteCandidate[];
  hook: string;
}

/** Candidate sites in forward order. */
export function candidateSites(nLayer: number): string[] {
  return Array.from({ length: nLayer }, (_, i) => [
    blockHook(i, 'attn.out'),
    blockHook(i, 'mlp.out'),
    ...(i < nLayer - 1 ? [blockHook(i, 'resid_post')] : []),
  ]).flat();
}

/**
 * Chooses the site for `f` at norm `alpha` × each site's mean activation norm.
 * @param halves the training split's first half (learning) and second half (scoring)
 */
export function chooseSite(
  model: GPT,
  halves: [TrainingSplit, TrainingSplit],
  f: DirectionFamily,
  alpha: number,
  cfg: LearnConfig,
  unitOf: (hook: string) => number,
  rng: Stream,
): SiteChoice {
  const [learnOn, scoreOn] = halves;
  const candidates = candidateSites(model.config.nLayer).map((hook): SiteCandidate => {
    const norm = alpha * unitOf(hook);
    const v = learnPair(model, learnOn, hook, f, norm, cfg, cfg.choiceSteps);
    const memToGen = countMoves(model, scoreOn.mem, hook, v.toGen, f.position);
    const genToMem = countMoves(model, scoreOn.gen, hook, v.toMem, f.position);
    const width = v.toGen.length;
    const random = randomVector(width, [...Array(width).keys()], norm, rng);
    const randomMemToGen = countMoves(model, scoreOn.mem, hook, random, f.position).switched;
    const randomGenToMem = countMoves(model, scoreOn.gen, hook, random, f.position).switched;
    const net = (c: DirectionCounts, r: number) => c.switched - c.other - r;
    const score = net(memToGen, randomMemToGen) + net(genToMem, randomGenToMem);
    return { hook, memToGen, genToMem, randomMemToGen, randomGenToMem, score };
  });
  let best = candidates[0]!;
  for (const c of candidates) if (c.score > best.score) best = c;
  return { learnedOn: learnOn.pairs, scoredOn: scoreOn.pairs, candidates, hook: best.hook };
}

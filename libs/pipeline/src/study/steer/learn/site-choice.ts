/**
 * The rule that picks a calibrated learned direction's site, per model, on the training split only:
 * every candidate site (each block's attn.out and mlp.out, and each block's resid_post but the
 * last — a fixed vector there is a fixed logit shift, which cannot pick an item's own answer) gets
 * the family's learner on the split's first half (choiceSteps steps for the gradient learner), and
 * its vectors are scored on the second half: members moved to their partner's answer, net of
 * members moved to neither answer and of members a random lever of the same size moves to their
 * partner's answer there (a random vector of the same norm; for a subspace, a random subspace of
 * the same rank set the same way), summed over both directions — the site where the learned lever
 * does most beyond what any lever of its size does. The best score wins; ties go to the earlier
 * site. The steering set is never seen.
 */

import type { Stream } from '@memgen/common';
import { blockHook, type GPT, type Intervention } from '@memgen/model';
import type { DirectionCounts } from '../../patching/runs.js';
import type { DirectionFamily, LearnConfig } from './config.js';
import { countWith, learnPair } from './learn-pair.js';
import type { Placement } from './placement.js';
import { randomVector } from './random-vector.js';
import type { TrainingSplit } from './split.js';

export interface SiteCandidate {
  hook: string;
  memToGen: DirectionCounts;
  genToMem: DirectionCounts;
  /** Members a random lever of the same size moved to their partner's answer, per direction. */
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

/** What a candidate site's learner hands the scorer: its lever both ways, and a random one of its size. */
export interface SiteLever {
  toGen: Intervention[];
  toMem: Intervention[];
  randomToGen: Intervention[];
  randomToMem: Intervention[];
}

/**
 * Chooses the site: `leverAt` learns a candidate's lever on the first half; it is scored on the second.
 * @param halves the training split's first half (learning) and second half (scoring)
 */
export function chooseSite(
  model: GPT,
  halves: [TrainingSplit, TrainingSplit],
  leverAt: (hook: string, learnOn: TrainingSplit) => SiteLever,
): SiteChoice {
  const [learnOn, scoreOn] = halves;
  const candidates = candidateSites(model.config.nLayer).map((hook): SiteCandidate => {
    const lever = leverAt(hook, learnOn);
    const memToGen = countWith(model, scoreOn.mem, lever.toGen);
    const genToMem = countWith(model, scoreOn.gen, lever.toMem);
    const randomMemToGen = countWith(model, scoreOn.mem, lever.randomToGen).switched;
    const randomGenToMem = countWith(model, scoreOn.gen, lever.randomToMem).switched;
    const net = (c: DirectionCounts, r: number) => c.switched - c.other - r;
    const score = net(memToGen, randomMemToGen) + net(genToMem, randomGenToMem);
    return { hook, memToGen, genToMem, randomMemToGen, randomGenToMem, score };
  });
  let best = candidates[0]!;
  for (const c of candidates) if (c.score > best.score) best = c;
  return { learnedOn: learnOn.pairs, scoredOn: scoreOn.pairs, candidates, hook: best.hook };
}

/**
 * A learned direction's lever at `hook`: the family's learner at norm `alpha` × the site's mean
 * activation norm, against one random vector of that norm.
 */
export function directionLever(
  model: GPT,
  f: Pick<DirectionFamily, 'learn'> & { position: Placement },
  alpha: number,
  cfg: LearnConfig,
  unitOf: (hook: string) => number,
  rng: Stream,
) {
  return (hook: string, learnOn: TrainingSplit): SiteLever => {
    const norm = alpha * unitOf(hook);
    const v = learnPair(model, learnOn, hook, f, norm, cfg, cfg.choiceSteps);
    const width = v.toGen.length;
    const random = randomVector(width, [...Array(width).keys()], norm, rng);
    const add = (vector: Float32Array): Intervention[] => [
      { kind: 'add', hook, vector, position: f.position },
    ];
    return { toGen: add(v.toGen), toMem: add(v.toMem), randomToGen: add(random), randomToMem: add(random) };
  };
}

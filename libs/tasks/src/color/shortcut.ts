/**
 * Answer-free heuristics for color stories and the accuracy each would reach on one item.
 * A model whose rule accuracy does not beat the best of these has not shown that it reads the
 * story (small models trained without a balanced option learn `onceStated`, ≈ 0.47, and no lookup; docs/method.md §2).
 *
 * Each heuristic names a candidate set and guesses uniformly in it, so its expected accuracy on an
 * item is [answer ∈ set] / |set| (0 for an empty set).
 */
import type { Rng } from '../rng.js';
import { colorCounts, type ParsedStory } from './parse.js';

export const COLOR_HEURISTICS = ['randomCandidate', 'onceStated', 'sharedRole'] as const;
export type ColorHeuristic = (typeof COLOR_HEURISTICS)[number];

/**
 * The candidate colors of a heuristic:
 * - `randomCandidate`: every color stated in the prompt;
 * - `onceStated`: the colors stated exactly once (in the authors' stories the answer always is);
 * - `sharedRole`: colors stated by a name whose role another name also has, ignoring the question
 *   (in the authors' stories usually only the clue's role is shared).
 */
export function heuristicCandidates(
  heuristic: ColorHeuristic,
  story: ParsedStory,
  colors: ReadonlySet<string>,
): string[] {
  const counts = colorCounts(story, colors);
  if (heuristic === 'randomCandidate') return [...counts.keys()];
  if (heuristic === 'onceStated') return [...counts].filter(([, n]) => n === 1).map(([c]) => c);
  const holders = new Map<string, Set<string>>();
  for (const s of story.statements) {
    if (colors.has(s.value)) continue;
    const set = holders.get(s.value) ?? new Set<string>();
    set.add(s.name);
    holders.set(s.value, set);
  }
  const sharing = new Set<string>();
  for (const names of holders.values()) if (names.size >= 2) for (const n of names) sharing.add(n);
  return [
    ...new Set(
      story.statements.filter((s) => sharing.has(s.name) && colors.has(s.value)).map((s) => s.value),
    ),
  ];
}

/** Expected accuracy of every heuristic on an item whose answer is `answer`. */
export function heuristicScores(story: ParsedStory, answer: string, colors: ReadonlySet<string>) {
  const out: Record<string, number> = {};
  for (const h of COLOR_HEURISTICS) {
    const cands = heuristicCandidates(h, story, colors);
    out[h] = cands.includes(answer) ? 1 / cands.length : 0;
  }
  return out as Record<ColorHeuristic, number>;
}

/** One guess of a heuristic (null when it has no candidate): to run the heuristic, not to score it. */
export function heuristicGuess(
  heuristic: ColorHeuristic,
  story: ParsedStory,
  colors: ReadonlySet<string>,
  rng: Rng,
): string | null {
  const cands = heuristicCandidates(heuristic, story, colors);
  return cands.length === 0 ? null : rng.pick(cands);
}

/**
 * What each candidate operation does to the flipped pairs' members, as calibrations read it: one
 * plain forward pass per batch for the members' own first answer tokens, then one per candidate
 * with its interventions; a member's new first token is its partner's ('switched'), its own
 * ('kept') or neither ('other'). Rows are [mem members…, gen members…] as in patching; only pairs
 * whose members answer differently count.
 */
import { disposeInput, type GPT, type Intervention, withInterventions } from '@memgen/model';
import { memberInput } from '../../pairs/member-input.js';
import type { PairLine } from '../../pairs/pairs-file.js';
import { countInto, emptyCounts, firstTokens } from '../../patching/runs.js';
import type { CandidateCounts } from './setting-plan.js';

/**
 * Counts every candidate over `pairs`.
 * @throws Error naming `what` when no pair has members that answer differently
 */
export function countCandidates(
  model: GPT,
  padId: number,
  pairs: readonly PairLine[],
  batchSize: number,
  candidates: readonly { hook: string; interventions: Intervention[] }[],
  what: string,
): { pairsUsable: number; candidates: CandidateCounts[] } {
  const counts = candidates.map((c) => ({ hook: c.hook, memToGen: emptyCounts(), genToMem: emptyCounts() }));
  let usable = 0;
  for (let from = 0; from < pairs.length; from += batchSize) {
    const batch = pairs.slice(from, from + batchSize);
    const b = batch.length;
    const input = memberInput(batch, padId);
    try {
      const base = firstTokens(model, input);
      const rows = batch.map((_, k) => k).filter((k) => base[k] !== base[b + k]);
      usable += rows.length;
      for (const [c, candidate] of candidates.entries()) {
        const tokens = withInterventions(model, candidate.interventions, () => firstTokens(model, input));
        for (const k of rows) {
          countInto(counts[c]!.memToGen, tokens[k]!, base[k]!, base[b + k]!);
          countInto(counts[c]!.genToMem, tokens[b + k]!, base[b + k]!, base[k]!);
        }
      }
    } finally {
      disposeInput(input);
    }
  }
  if (usable === 0) throw new Error(`${what}: no calibration pair has members that answer differently`);
  return { pairsUsable: usable, candidates: counts };
}

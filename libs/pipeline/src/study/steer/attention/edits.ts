/** A signed head set's attention edits: one attend intervention per (block, sign) touched. */
import type { Intervention, KeySelector } from '@memgen/model';
import type { SignedHead } from './config.js';

/** Signed heads as a name: `b1h0+` boosted, `b1h0-` suppressed. */
export const signedHeadName = (h: SignedHead) => `b${h.block}h${h.head}${h.sign > 0 ? '+' : '-'}`;

/** The edits of `heads` at logit magnitude `alpha` (0 = the identity through the same path). */
export function attentionEdits(
  heads: readonly SignedHead[],
  alpha: number,
  keys: KeySelector,
): Intervention[] {
  const groups = new Map<string, SignedHead[]>();
  for (const h of heads) {
    const k = `${h.block}:${h.sign}`;
    groups.set(k, [...(groups.get(k) ?? []), h]);
  }
  return [...groups.values()]
    .sort((a, b) => a[0]!.block - b[0]!.block || b[0]!.sign - a[0]!.sign)
    .map((hs) => ({
      kind: 'attend' as const,
      block: hs[0]!.block,
      heads: hs.map((h) => h.head).sort((a, b) => a - b),
      logit: hs[0]!.sign * alpha,
      keys,
    }));
}

/**
 * The book's check of steering against the strength the paper reports, beside what patching does at
 * the same site. Per qualified run with a patching map: the pre-declared setting's Mem→Gen and
 * Gen→Mem beside its matched control and whether it meets the strong criterion (docs/method.md §7);
 * the grid's best setting — the largest smaller direction among settings beyond their matched
 * control after Holm both ways, found after the fact and so a lead — and, for each, the patching
 * map at its site: the partner's whole last-position activation exchanged there, the most an
 * intervention at that site and position moves.
 */
import { pct, table } from '@memgen/pipeline';
import type { BookPatchSite, BookRun, BookSetting } from './book-runs.js';

/** The strong criterion's thresholds (docs/method.md §7). */
export const STRONG = { rate: 0.5, control: 0.05, ratio: 10, holm: 0.05, capability: 0.9 } as const;

type Direction = 'mem_to_gen' | 'gen_to_mem';
const DIRECTIONS: readonly Direction[] = ['mem_to_gen', 'gen_to_mem'];

/** Whether one direction of `s` beats its matched control after Holm. */
function beyondControl(s: BookSetting, d: Direction): boolean {
  const [rate, control, p] = [s[d], s[`${d}_control`], s[`holm_p_${d}`]];
  return rate !== null && control !== null && p !== null && rate > control && p < STRONG.holm;
}

/**
 * Both directions ≥ 50 %, each matched control ≤ 5 % and at least 10× below, Holm p < 0.05 both
 * ways, and capability ≥ 0.9 × the unsteered model's.
 */
export function meetsStrongCriterion(s: BookSetting): boolean {
  const directions = DIRECTIONS.every((d) => {
    const [rate, control] = [s[d], s[`${d}_control`]];
    if (rate === null || control === null || !beyondControl(s, d)) return false;
    return rate >= STRONG.rate && control <= STRONG.control && control * STRONG.ratio <= rate;
  });
  const { capability: c, capability_unsteered: u } = s;
  return directions && c !== null && u !== null && c >= STRONG.capability * u;
}

/** Whether both directions of `s` beat their matched control after Holm. */
export const beyondBothWays = (s: BookSetting): boolean => DIRECTIONS.every((d) => beyondControl(s, d));

/** The smaller of a setting's two switch rates (null when either is missing). */
const weaker = (s: BookSetting) =>
  s.mem_to_gen === null || s.gen_to_mem === null ? null : Math.min(s.mem_to_gen, s.gen_to_mem);

/** The setting with the largest smaller direction among those beyond their control both ways. */
export function bestSetting(steering: readonly BookSetting[]): BookSetting | null {
  let best: BookSetting | null = null;
  for (const s of steering) {
    if (!beyondBothWays(s)) continue;
    if (best === null || weaker(s)! > weaker(best)!) best = s;
  }
  return best;
}

/**
 * Patching-map ids of the sites a setting acts at: its learned hook (with its span, e.g.
 * `blocks.0.resid_post@asked`), or its targets (heads as
 * `blocks.i.attn.z#hj`; an attention edit's signed head `b1h3+` is that head's mixed value at the
 * last position too, the only thing the edit changes).
 */
export function settingSites(s: BookSetting): string[] {
  // A direction added at a token span is bounded by patching that span at its site.
  if (s.learned?.hook) return [s.learned.span ? `${s.learned.hook}@${s.learned.span}` : s.learned.hook];
  return (s.targets ?? []).map((t) => {
    const bare = t.replace(/^(gen|mem):/, '');
    const head = /^b(\d+)h(\d+)[+-]?$/.exec(bare);
    return head ? `blocks.${head[1]}.attn.z#h${head[2]}` : bare;
  });
}

function patchCell(sites: readonly BookPatchSite[], s: BookSetting): string {
  const cells = [...new Set(settingSites(s))].map((id) => {
    const p = sites.find((x) => x.id === id);
    return p ? `\`${id}\` ${pct(p.mem_to_gen)} / ${pct(p.gen_to_mem)}` : `\`${id}\` not patched`;
  });
  return cells.length > 0 ? cells.join('; ') : '—';
}

const rates = (s: BookSetting) =>
  `${pct(s.mem_to_gen)} / ${pct(s.gen_to_mem)} vs ${pct(s.mem_to_gen_control)} / ${pct(s.gen_to_mem_control)}`;

/** The section, or null when no qualified run has both a pre-declared setting and a patching map. */
export function upperBoundSection(runs: readonly BookRun[]): string | null {
  const rows = runs.flatMap((r) => {
    const primary = r.steering.find((s) => s.id === r.primary);
    if (r.qualified !== true || !r.patching || !primary) return [];
    const best = bestSetting(r.steering);
    const sites = r.patching.sites;
    return [
      [
        r.run_id.includes(`-${r.size}-`) ? r.run_id : `${r.run_id} (${r.size})`,
        `\`${primary.id}\``,
        rates(primary),
        meetsStrongCriterion(primary) ? 'yes' : 'no',
        patchCell(sites, primary),
        best ? `\`${best.id}\` ${rates(best)}` : 'none beyond its control both ways',
        best ? patchCell(sites, best) : '—',
      ],
    ];
  });
  if (rows.length === 0) return null;
  return [
    '## Steering beside the patching upper bound',
    "Per qualified run: the pre-declared setting (Mem→Gen / Gen→Mem vs its matched control), whether it meets the strong criterion (both ≥ 50 %, control ≤ 5 % and ≥ 10× below, Holm p < 0.05 both ways, capability ≥ 0.9× unsteered; docs/method.md §7), and the patching map at its site — the partner's whole last-position activation exchanged there (Mem→Gen / Gen→Mem). The grid's best setting (largest smaller direction among those beyond their control after Holm both ways) is found after the fact: a lead, not a result.",
    table(
      [
        'run',
        'pre-declared',
        'Mem→Gen / Gen→Mem vs matched',
        'strong criterion',
        'patching at its site',
        'best in grid (lead)',
        'patching at its site',
      ],
      rows,
    ),
  ].join('\n\n');
}

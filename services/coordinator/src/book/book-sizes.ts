/**
 * The book's "across sizes" section: for every configuration trained at two or more model sizes
 * (same task, hops, preset and overrides), each study quantity against parameter count — every
 * qualified seed a point, mean ± sd per size — as a figure and a table. Unqualified seeds are
 * counted per size and never pooled.
 */
import { num, pct, table } from '@memgen/pipeline';
import { scalingChart } from '@memgen/report';
import { type Summary, summarise } from '../results.js';
import type { BookFigure } from './book-figures.js';
import { groupKey } from './book-groups.js';
import { meanSd } from './book-markdown.js';
import type { BookRun, BookSetting } from './book-runs.js';

/** A quantity read from one run: one value per series (e.g. targeted and its matched control). */
interface SizeQuantity {
  id: string;
  label: string;
  /** Rates are shown as %, on a [0, 1] axis. */
  rate: boolean;
  values(r: BookRun): Record<string, number | null>;
}

/** The site nearest a relative depth (0 = embedding, 1 = the last block's output) of a run's NMD profile. */
function nmdAtDepth(r: BookRun, depth: number): number | null {
  const sites = r.nmd_by_site;
  if (sites.length === 0) return null;
  return sites[Math.round(depth * (sites.length - 1))]?.mean_abs_nmd ?? null;
}

/**
 * The whole-component patching site at the last position that switches most (mean of both
 * directions), and its rate. The last block's output is left out: patched whole, it gives the
 * partner's answer by construction.
 */
export function strongestPatchSite(r: BookRun): { id: string; rate: number } | null {
  const all = (r.patching?.sites ?? []).filter((s) => s.selection === 'full' && !s.id.includes('@'));
  const last = Math.max(...all.map((s) => s.layer ?? -1));
  const sites = all.filter((s) => !(s.component === 'resid_post' && s.layer === last));
  let best: { id: string; rate: number } | null = null;
  for (const s of sites) {
    const rate = (s.mem_to_gen + s.gen_to_mem) / 2;
    if (best === null || rate > best.rate) best = { id: s.id, rate };
  }
  return best;
}

const primaryOf = (r: BookRun) => r.steering.find((s) => s.id === r.primary) ?? null;

export const SIZE_QUANTITIES: readonly SizeQuantity[] = [
  { id: 'flip_rate', label: 'flip rate', rate: true, values: (r) => ({ 'flip rate': r.flip_rate }) },
  {
    id: 'nmd_depth',
    label: 'mean |NMD| at relative depth ½ and 1',
    rate: false,
    values: (r) => ({ 'depth ½': nmdAtDepth(r, 0.5), 'depth 1': nmdAtDepth(r, 1) }),
  },
  {
    id: 'max_abs_r',
    label: 'max |r| beside its permutation 99th percentile',
    rate: false,
    values: (r) => ({ 'max |r|': r.max_abs_r, 'permutation p99': r.permutation_p99 }),
  },
  {
    id: 'probe_centred',
    label: 'best within-pair-centred probe beside its shuffled-label baseline',
    rate: true,
    values: (r) => {
      const best = [...r.probes].sort((a, b) => b.centred - a.centred)[0];
      return { probe: best?.centred ?? null, shuffled: best?.shuffled_centred ?? null };
    },
  },
  {
    id: 'patching',
    label: "patching map's strongest site, its switch rate",
    rate: true,
    values: (r) => ({ 'strongest site': strongestPatchSite(r)?.rate ?? null }),
  },
  {
    id: 'steering',
    label: 'primary steering beside its matched control',
    rate: true,
    values: (r) => {
      const p = primaryOf(r);
      return {
        'Mem→Gen': p?.mem_to_gen ?? null,
        'Mem→Gen matched': p?.mem_to_gen_control ?? null,
        'Gen→Mem': p?.gen_to_mem ?? null,
        'Gen→Mem matched': p?.gen_to_mem_control ?? null,
      };
    },
  },
  {
    id: 'capability',
    label: "capability under the primary setting, as a share of the unsteered model's",
    rate: true,
    values: (r) => {
      const p = primaryOf(r);
      return { capability: p ? capabilityShare(p) : null };
    },
  },
];

/** A setting's capability as a share of the unsteered model's (null when either is missing or 0). */
export function capabilityShare(s: BookSetting): number | null {
  return s.capability !== null && s.capability_unsteered ? s.capability / s.capability_unsteered : null;
}

/** One configuration across sizes, and its per-size summaries. */
export interface SizeSeries {
  key: string;
  task: string;
  hops: number | null;
  preset: string;
  sizes: { size: string; params: number | null; qualified: number; seeds: number }[];
  quantities: { id: string; label: string; by_size: { size: string; series: Record<string, Summary> }[] }[];
}

/** A group's key without its size: the configuration a size series follows. */
export const seriesKey = (r: BookRun): string => groupKey({ ...r, size: '' });

function summariseSeries(key: string, runs: readonly BookRun[]): SizeSeries {
  const sizes = [...new Set(runs.map((r) => r.size))]
    .map((size) => {
      const at = runs.filter((r) => r.size === size);
      const qualified = at.filter((r) => r.qualified === true).length;
      return { size, params: at[0]?.params ?? null, qualified, seeds: at.length };
    })
    .sort((a, b) => (a.params ?? 0) - (b.params ?? 0));
  const quantities = SIZE_QUANTITIES.map((q) => ({
    id: q.id,
    label: q.label,
    by_size: sizes.map(({ size }) => {
      const qualified = runs.filter((r) => r.size === size && r.qualified === true).map(q.values);
      const names = [...new Set(qualified.flatMap((v) => Object.keys(v)))];
      return {
        size,
        series: Object.fromEntries(names.map((n) => [n, summarise(qualified.map((v) => v[n] ?? null))])),
      };
    }),
  }));
  const first = runs[0]!;
  return { key, task: first.task, hops: first.hops, preset: first.preset, sizes, quantities };
}

/** Every configuration of the book trained at two or more sizes, smallest size first. */
export function sizeSeries(runs: readonly BookRun[]): SizeSeries[] {
  const keys = [...new Set(runs.map(seriesKey))];
  return keys
    .map((key) =>
      summariseSeries(
        key,
        runs.filter((r) => seriesKey(r) === key),
      ),
    )
    .filter((s) => s.sizes.length >= 2);
}

/** One figure per quantity of a series: each qualified seed a dot, mean ± sd per size. */
export function sizeFigures(s: SizeSeries, runs: readonly BookRun[]): BookFigure[] {
  const members = runs.filter((r) => seriesKey(r) === s.key && r.qualified === true && r.params !== null);
  return SIZE_QUANTITIES.flatMap((q) => {
    const points = members.flatMap((r) =>
      Object.entries(q.values(r))
        .filter(([, v]) => v !== null)
        .map(([series, value]) => ({ params: r.params, value, series })),
    );
    if (points.length === 0) return [];
    const summary = s.quantities
      .find((x) => x.id === q.id)!
      .by_size.flatMap(({ size, series }) =>
        Object.entries(series)
          .filter(([, m]) => m.mean !== null)
          .map(([name, m]) => ({
            params: s.sizes.find((z) => z.size === size)?.params ?? null,
            mean: m.mean,
            lower: m.mean! - (m.sd ?? 0),
            upper: m.mean! + (m.sd ?? 0),
            series: name,
          })),
      )
      .filter((row) => row.params !== null);
    const spec = scalingChart({
      title: `${s.key}: ${q.label}`,
      yTitle: q.label,
      ...(q.rate ? { yDomain: [0, 1] as [number, number] } : {}),
      points,
      summary,
    });
    return [{ name: `sizes-${s.key}-${q.id}`, spec }];
  });
}

function cell(m: Summary | undefined, rate: boolean): string {
  return m ? meanSd(m, (x) => (rate ? pct(x) : num(x))) : '—';
}

/** The section: per series, its sizes and a table of every quantity by size, then its figures. */
export function sizesSection(
  series: readonly SizeSeries[],
  runs: readonly BookRun[],
  figures: readonly string[],
): string {
  const parts = ['## Across sizes'];
  for (const s of series) {
    const head = [
      'quantity',
      ...s.sizes.map(
        (z) =>
          `${z.size} (${z.params?.toLocaleString('en-US') ?? '?'} params; ${z.qualified}/${z.seeds} qualified)`,
      ),
    ];
    const rows = SIZE_QUANTITIES.flatMap((q) => {
      const byName = s.quantities.find((x) => x.id === q.id)!.by_size;
      const names = [...new Set(byName.flatMap((b) => Object.keys(b.series)))];
      return names.map((n) => [`${q.label}: ${n}`, ...byName.map((b) => cell(b.series[n], q.rate))]);
    });
    const sites = s.sizes.map((z) => {
      const ids = runs
        .filter((r) => seriesKey(r) === s.key && r.size === z.size && r.qualified === true)
        .map((r) => strongestPatchSite(r)?.id ?? '—');
      return `${z.size}: ${ids.join(', ') || '—'}`;
    });
    parts.push(
      `### ${s.key}`,
      table(head, rows),
      `Strongest patching site per qualified seed — ${sites.join('; ')}.`,
      ...figures.filter((f) => f.startsWith(`sizes-${s.key}-`)).map((f) => `![${f}](figures/${f}.png)`),
    );
  }
  return parts.join('\n\n');
}

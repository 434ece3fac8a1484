/**
 * The report's patching section and its figure: how often replacing a member's last-position
 * activation at a site by its partner's switches the first answer token to the partner's, per site,
 * what the top-|r| coordinate sets do there beside random sets of the same size, and what patching
 * at token spans does.
 */
import { heatmap } from '@memgen/report';
import { type Figure, type FigureIndex, fig } from '../common/figures.js';
import { section, table } from '../common/markdown.js';
import { pctWithInterval } from '../common/verdicts.js';
import type { SpanKind } from './spans.js';
import type { PatchDirection, PatchingFile, PatchSiteResult } from './stage.js';

function cell(d: PatchDirection): string {
  return `${d.switched}/${d.n} = ${pctWithInterval(d.rate, d.interval[0], d.interval[1])}`;
}

function siteName(s: PatchSiteResult): string {
  if (s.selection === 'head') return `${s.hook} head ${s.head}`;
  if (s.selection === 'top') return `${s.hook}, top ${s.size} by abs(r)`;
  if (s.selection === 'random') return `${s.hook}, ${s.size} random`;
  if (s.selection === 'class-mean') return `${s.hook} ← the partner class's mean`;
  if (s.selection === 'own-mean') return `${s.hook} ← the own class's mean`;
  if (s.selection === 'span') return `${s.hook} at ${SPAN_NAMES[s.span!]}`;
  return s.hook;
}

function rows(sites: readonly PatchSiteResult[]): string[][] {
  return sites.map((s) => [
    siteName(s),
    String(s.size),
    cell(s.memToGen),
    cell(s.genToMem),
    `${s.memToGen.other} / ${s.genToMem.other}`,
  ]);
}

const SPAN_NAMES: Record<SpanKind, string> = {
  asked: "the asked name's statements",
  others: 'the other statements',
  story: 'every prompt position',
};

const HEADERS = ['site', 'coordinates', 'Mem→Gen switched', 'Gen→Mem switched', '"other" (M→G / G→M)'];

/** What a patching-map row needs of a site (a PatchSiteResult, or the results book's copy). */
export interface MapSite {
  component: string;
  head: number | null;
  selection: string;
}

/** The patching map's rows, one per component (heads separately), top to bottom in forward order. */
export function patchingMapRows<S extends MapSite>(
  sites: readonly S[],
): { label: string; pick: (s: S) => boolean }[] {
  const heads = [...new Set(sites.filter((s) => s.selection === 'head').map((s) => s.head!))];
  return [
    ...heads.map((h) => ({ label: `attn head ${h}`, pick: (s: S) => s.head === h })),
    ...(['attn.out', 'mlp.out', 'resid_post'] as const).map((c) => ({
      label: c,
      pick: (s: S) => s.component === c && s.selection === 'full',
    })),
  ];
}

/** `patching-map`: switch rate by component × block, Mem→Gen columns then Gen→Mem columns. */
export function patchingFigure(p: PatchingFile | null, layers: number | undefined): Figure | null {
  if (!p || !layers || p.pairsUsable === 0) return null;
  const blocks = Array.from({ length: layers }, (_, i) => i);
  const dirs = [
    ['M→G', 'memToGen'],
    ['G→M', 'genToMem'],
  ] as const;
  const cols = dirs.flatMap(([label]) => blocks.map((i) => `${label} block ${i}`));
  const spec = patchingMapRows(p.sites);
  const values = spec.map(({ pick }) =>
    dirs.flatMap(([, key]) =>
      blocks.map((i) => p.sites.find((s) => s.layer === i && pick(s))?.[key].rate ?? 0),
    ),
  );
  const title = `Patching map: switch rate when a site's last-position activation is the partner's (${p.pairsUsable} pairs)`;
  return {
    name: 'patching-map',
    title,
    spec: heatmap({
      title,
      rows: spec.map((r) => r.label),
      cols,
      values,
      rowTitle: 'site',
      colTitle: 'direction, block',
      colorTitle: 'switch rate',
      domain: [0, 1],
      width: Math.max(300, 60 * cols.length),
      height: Math.max(120, 26 * spec.length),
    }),
  };
}

export function patchingSection(p: PatchingFile | null, figs: FigureIndex): string | null {
  if (!p) return section('Activation patching', 'The patching stage has not run for this config.');
  const full = p.sites.filter((s) => s.selection === 'full' || s.selection === 'head');
  const sets = p.sites.filter((s) => s.selection === 'top' || s.selection === 'random');
  const means = p.sites.filter((s) => s.selection === 'class-mean' || s.selection === 'own-mean');
  const spans = p.sites.filter((s) => s.selection === 'span');
  return section(
    'Activation patching',
    `${p.pairsUsable} of ${p.pairsPatched} pairs have members whose first answer tokens differ; each member's ` +
      'activation at the last prompt position is replaced by its partner member\'s at one site, and "switched" ' +
      "counts members whose first answer token becomes the partner's (95 % Wilson intervals). Patching with the " +
      `member's own activation changed ${p.selfPatchChanged} answers at every site.`,
    fig(figs, 'patching-map'),
    table(HEADERS, rows(full)),
    sets.length > 0
      ? [
          'Top-N coordinates by abs(r) at each recorded site — the most a neuron set selected that way can do ' +
            'there — beside N coordinates of the same site drawn at random:',
          table(HEADERS, rows(sets)),
        ].join('\n\n')
      : null,
    means.length > 0
      ? [
          "Each member given one shared vector at a site — the mean over the patched pairs of the partner's " +
            'class, or of its own class — bounds what any additive steering vector at the last position can do ' +
            "there: where the partner's own activation switches the answer and the class mean does not, the " +
            'decision is carried by item-specific content, not by a direction.',
          table(HEADERS, rows(means)),
        ].join('\n\n')
      : null,
    spans.length > 0
      ? [
          "At token spans: a member's activations at the positions of some of its statements replaced by its " +
            "partner's at the positions of the same statements (the two members order them differently); " +
            "'every prompt position' at the embedding or a residual stream gives the partner's own forward pass.",
          table(HEADERS, rows(spans)),
        ].join('\n\n')
      : p.spansLeftOut
        ? `No token spans were patched: ${p.spansLeftOut}.`
        : null,
  );
}

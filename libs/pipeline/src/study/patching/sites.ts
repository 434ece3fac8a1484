/**
 * What the patching stage patches: every hook point a decision could pass through at the last
 * position — the embedding, each block's attention output, each head's mixed values (`attn.z`), the
 * MLP output and the residual stream after the block — in full, and at each recorded site (residual
 * stream, and MLP neurons when recorded) its top-N coordinates by |r| beside N random ones of the
 * same site.
 */

import { type SiteMatrix, topN } from '@memgen/analysis';
import type { Stream } from '@memgen/common';
import { type GPTConfig, type HookShape, headCoordinates, hookPoints } from '@memgen/model';
import type { StudyStatistics } from '../stats/stats-file.js';
import type { SpanKind } from './spans.js';

/** The part of a block (or the embedding) a site is. */
export type PatchComponent = 'embed' | 'attn.z' | 'attn.out' | 'mlp.out' | 'resid_post' | 'mlp.post';

/**
 * What a site patches in: all coordinates, one head's, the top N by |r|, or N at random, each from
 * the partner member; or all coordinates from the partner class's mean (`class-mean`) or the
 * member's own class's mean (`own-mean`); or (`span`) all coordinates at a token span's positions
 * from the partner's positions of the same tokens.
 */
export type PatchSelection = 'full' | 'head' | 'top' | 'random' | 'class-mean' | 'own-mean' | 'span';

export interface PatchSite {
  /** Stable id: `blocks.1.attn.out`, `blocks.0.attn.z#h2`, `blocks.0.resid_post@top4`, `…@random4`. */
  id: string;
  hook: string;
  component: PatchComponent;
  /** The block; null for the embedding. */
  layer: number | null;
  head: number | null;
  selection: PatchSelection;
  /** Flat coordinates patched, or 'all'. */
  coords: readonly number[] | 'all';
  /** How many coordinates are patched. */
  size: number;
  /** Span sites: which positions (./spans.ts); the others patch the last position. */
  span?: SpanKind;
}

const FULL_COMPONENTS: readonly PatchComponent[] = ['attn.out', 'mlp.out', 'resid_post'];

function componentOf(hook: string): PatchComponent {
  if (hook === 'embed') return 'embed';
  const m = /^blocks\.\d+\.(.+)$/.exec(hook);
  return (m?.[1] ?? hook) as PatchComponent;
}

/** Every whole-site and per-head patch, in forward order. */
export function fullSites(config: HookShape): PatchSite[] {
  const out: PatchSite[] = [];
  for (const p of hookPoints(config)) {
    const component = componentOf(p.name);
    if (component === 'attn.z') {
      for (let h = 0; h < config.nHead; h++) {
        const coords = headCoordinates(p, [h]);
        const base = { hook: p.name, component, layer: p.layer, head: h, selection: 'head' as const };
        out.push({ id: `${p.name}#h${h}`, ...base, coords, size: coords.length });
      }
    } else if (component === 'embed' || FULL_COMPONENTS.includes(component)) {
      const base = { hook: p.name, component, layer: p.layer, head: null, selection: 'full' as const };
      out.push({ id: p.name, ...base, coords: 'all', size: p.width });
    }
  }
  return out;
}

/** One site's row of r as its own [1, width] matrix. */
function siteRow(r: SiteMatrix, s: number): SiteMatrix {
  return { values: r.values.subarray(s * r.width, (s + 1) * r.width), sites: 1, width: r.width };
}

export interface CoordinateSiteOptions {
  topN: readonly number[];
  randomControl: boolean;
  /** Site names left out (the embedding, when statistics exclude it). */
  exclude: readonly string[];
  /**
   * Parent of the random draws: a site's N random coordinates come from `<hook>/random-<N>` under it,
   * a function of the site and N only, so other sites and sizes never shift them.
   */
  stream: Stream;
}

/** Top-N (and random-N) patches at every site of the statistics, N capped at the site's width. */
export function coordinateSites(stats: StudyStatistics, options: CoordinateSiteOptions): PatchSite[] {
  const out: PatchSite[] = [];
  for (const set of [stats.resid, stats.mlpPost]) {
    if (!set) continue;
    set.sites.forEach((hook, s) => {
      if (options.exclude.includes(hook)) return;
      const layer = hook === 'embed' ? null : Number(/^blocks\.(\d+)\./.exec(hook)?.[1]);
      const base = { hook, component: componentOf(hook), layer, head: null };
      for (const n of new Set(options.topN.map((k) => Math.min(k, set.r.width)))) {
        const top = topN(siteRow(set.r, s), n).coordinates.map((c) => c.dim);
        if (top.length === 0) continue;
        out.push({ id: `${hook}@top${n}`, ...base, selection: 'top', coords: top, size: top.length });
        if (!options.randomControl) continue;
        const rng = options.stream.derive(`${hook}/random-${n}`);
        const random = Array.from(rng.sampleIndices(set.r.width, top.length));
        out.push({
          id: `${hook}@random${n}`,
          ...base,
          selection: 'random',
          coords: random,
          size: random.length,
        });
      }
    });
  }
  return out;
}

/** Each block's attn.out, mlp.out and resid_post patched with the partner's and its own class mean. */
export function meanSites(config: HookShape): PatchSite[] {
  return fullSites(config)
    .filter((s) => s.selection === 'full' && s.component !== 'embed')
    .flatMap((s) =>
      (['class-mean', 'own-mean'] as const).map((selection) => ({
        ...s,
        id: `${s.hook}@${selection}`,
        selection,
      })),
    );
}

/** Each span kind at the embedding and at each block's attn.out, mlp.out and resid_post. */
export function spanSites(config: HookShape, spans: readonly SpanKind[]): PatchSite[] {
  const whole = fullSites(config).filter((s) => s.selection === 'full');
  return spans.flatMap((span) =>
    whole.map((s) => ({ ...s, id: `${s.hook}@${span}`, selection: 'span' as const, span })),
  );
}

export interface PatchSiteOptions extends CoordinateSiteOptions {
  classMeans: boolean;
}

/** Every site the stage patches: the full ones, the coordinate sets, then the mean sites. */
export function patchSites(
  config: Pick<GPTConfig, 'nLayer' | 'nEmbd' | 'nHead' | 'nInner'>,
  stats: StudyStatistics,
  options: PatchSiteOptions,
): PatchSite[] {
  return [
    ...fullSites(config),
    ...coordinateSites(stats, options),
    ...(options.classMeans ? meanSites(config) : []),
  ];
}

/**
 * What the stages' report sections share about figures: a figure (a Vega-Lite spec and the file
 * stem it is rendered to under figures/), the index a section looks its figures up in, and the
 * labels and legend settings every chart uses.
 */
import type { TopLevelSpec } from 'vega-lite';
import { figureLink } from './markdown.js';

export interface Figure {
  /** File stem under figures/. */
  name: string;
  title: string;
  spec: TopLevelSpec;
}

/** The report's figures by name. */
export type FigureIndex = Map<string, Figure>;

/** The Markdown link of figure `name`, or null when the report has no such figure. */
export function fig(figs: FigureIndex, name: string): string | null {
  const f = figs.get(name);
  return f ? figureLink(f.name, f.title) : null;
}

/** Full legend labels (Vega truncates at 160 px) and, optionally, integer ticks on x. */
export function readable(spec: TopLevelSpec, integerX = false): TopLevelSpec {
  const out = { ...spec, config: { ...(spec.config ?? {}), legend: { labelLimit: 0 } } } as Record<
    string,
    unknown
  >;
  const encoding = out.encoding as Record<string, Record<string, unknown>> | undefined;
  if (integerX && encoding?.x) {
    out.encoding = { ...encoding, x: { ...encoding.x, axis: { tickMinStep: 1, format: 'd' } } };
  }
  return out as unknown as TopLevelSpec;
}

/** "embed", "block 0", … for a site name. */
export function siteLabel(site: string): string {
  const m = /^blocks\.(\d+)\.(.+)$/.exec(site);
  if (!m) return site;
  return m[2] === 'resid_post' ? `block ${m[1]}` : `block ${m[1]} ${m[2]}`;
}

import type { TopLevelSpec } from 'vega-lite';
import { type ChartSize, chartHead } from './fields.js';

export interface HeatmapOptions extends ChartSize {
  title: string;
  /** Row labels, top to bottom (e.g. layers). Must be distinct. */
  rows: readonly string[];
  /** Column labels, left to right (e.g. tasks or neurons). Must be distinct. */
  cols: readonly string[];
  /** values[r][c] for row r, column c: rows.length × cols.length finite numbers. */
  values: readonly ArrayLike<number>[];
  rowTitle?: string;
  colTitle?: string;
  colorTitle?: string;
  /** Fixed colour domain [min, max] (e.g. [-1, 1] for correlations); default fits the data. */
  domain?: [number, number];
  /** Vega colour scheme; default 'viridis', or 'redblue' when the domain straddles zero. */
  scheme?: string;
}

/** A rows × cols grid of coloured cells (values: [rows.length][cols.length]). */
export function heatmap(options: HeatmapOptions): TopLevelSpec {
  const { title, rows, cols, values, domain } = options;
  for (const [name, labels] of [
    ['rows', rows],
    ['cols', cols],
  ] as const) {
    if (labels.length === 0) throw new Error(`heatmap: ${name} is empty`);
    if (new Set(labels).size !== labels.length) throw new Error(`heatmap: ${name} labels must be distinct`);
  }
  if (values.length !== rows.length) {
    throw new Error(`heatmap: values has ${values.length} rows, expected ${rows.length} (one per row label)`);
  }
  const cells: { row: string; col: string; value: number }[] = [];
  values.forEach((line, r) => {
    if (line.length !== cols.length) {
      throw new Error(`heatmap: values row ${r} has ${line.length} entries, expected ${cols.length}`);
    }
    for (let c = 0; c < cols.length; c++) {
      const value = line[c]!;
      if (!Number.isFinite(value))
        throw new Error(`heatmap: values[${r}][${c}] is ${value}, not a finite number`);
      cells.push({ row: rows[r]!, col: cols[c]!, value });
    }
  });
  const diverging = domain !== undefined && domain[0] < 0 && domain[1] > 0;
  const scale: Record<string, unknown> = { scheme: options.scheme ?? (diverging ? 'redblue' : 'viridis') };
  if (domain) scale.domain = domain;
  return {
    ...chartHead('heatmap', title, options, cells),
    mark: 'rect',
    encoding: {
      x: { field: 'col', type: 'ordinal', sort: [...cols], title: options.colTitle ?? '' },
      y: { field: 'row', type: 'ordinal', sort: [...rows], title: options.rowTitle ?? '' },
      color: { field: 'value', type: 'quantitative', title: options.colorTitle ?? 'value', scale },
    },
    config: { axis: { grid: false }, view: { stroke: null } },
  } as TopLevelSpec;
}

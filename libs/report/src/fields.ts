/**
 * Shared pieces of the chart builders: how a caller names a data field, and checking the rows
 * before Vega silently draws nothing for a misspelt field or a NaN.
 */
export type FieldType = 'quantitative' | 'ordinal' | 'nominal' | 'temporal';

export interface FieldSpec {
  /** Property of each data row. */
  field: string;
  /** Axis or legend title; defaults to the field name. */
  title?: string;
  /** Vega-Lite measurement type; each builder picks a sensible default. */
  type?: FieldType;
  /** Scale type for quantitative fields, e.g. 'log' for losses. */
  scale?: 'linear' | 'log' | 'symlog';
  /** Fixed [min, max] instead of fitting the data. */
  domain?: [number, number];
}

/** A field name, or a field with presentation options. */
export type FieldRef = string | FieldSpec;

/** One datum: field name → value. */
export type Row = Record<string, unknown>;

export interface ChartSize {
  /** Plot width in SVG units (default 400). */
  width?: number;
  /** Plot height in SVG units (default 250). */
  height?: number;
}

/** What the bar and line charts both take: `y` against `x`, split by `series`, over `data`. */
export interface XYChartOptions extends ChartSize {
  title: string;
  /** Horizontal field (its default type is the chart's). */
  x: FieldRef;
  /** Vertical field (quantitative). */
  y: FieldRef;
  /** Field splitting the rows into coloured series (nominal by default). */
  series?: FieldRef;
  data: readonly Row[];
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export function fieldSpec(ref: FieldRef): FieldSpec {
  return typeof ref === 'string' ? { field: ref } : ref;
}

/** Vega-Lite reads "a.b" as a nested path and "a[0]" as an index; we mean the literal key. */
export function escapeField(name: string): string {
  return name.replace(/[.[\]\\]/g, (c) => `\\${c}`);
}

/** A Vega-Lite encoding channel for a field. */
export function encodeField(ref: FieldRef, defaultType: FieldType): Record<string, unknown> {
  const f = fieldSpec(ref);
  const channel: Record<string, unknown> = {
    field: escapeField(f.field),
    type: f.type ?? defaultType,
    title: f.title ?? f.field,
  };
  const scale: Record<string, unknown> = {};
  if (f.scale) scale.type = f.scale;
  if (f.domain) scale.domain = f.domain;
  if (Object.keys(scale).length > 0) channel.scale = scale;
  return channel;
}

/**
 * Throws an Error naming the chart, row and field when a row lacks a field, or when a
 * quantitative field holds something other than a finite number (null, meaning missing, is allowed).
 */
export function checkRows(
  chart: string,
  data: readonly Row[],
  refs: (FieldRef | undefined)[],
  quantitative: FieldRef[],
): void {
  if (!Array.isArray(data)) throw new Error(`${chart}: data must be an array of rows`);
  const names = refs.filter((r): r is FieldRef => r !== undefined).map((r) => fieldSpec(r).field);
  const numeric = new Set(
    quantitative
      .filter((r) => (fieldSpec(r).type ?? 'quantitative') === 'quantitative')
      .map((r) => fieldSpec(r).field),
  );
  data.forEach((row, i) => {
    for (const name of names) {
      if (!(name in row)) throw new Error(`${chart}: row ${i} has no field "${name}"`);
      const value = row[name];
      if (numeric.has(name) && value !== null && !(typeof value === 'number' && Number.isFinite(value))) {
        throw new Error(
          `${chart}: row ${i} field "${name}" must be a finite number or null, got ${String(value)}`,
        );
      }
    }
  });
}

/**
 * What every chart's spec starts with: the schema, the title, the checked size, and the rows when the
 * whole chart draws one data set (layers that bring their own pass none).
 */
export function chartHead(chart: string, title: string, size: ChartSize, rows?: readonly unknown[]) {
  return {
    $schema: SCHEMA,
    title,
    ...chartSize(chart, size),
    ...(rows ? { data: { values: [...rows] } } : {}),
  };
}

/** Rejects sizes Vega would accept but render as an empty or absurd image. */
function chartSize(chart: string, size: ChartSize): { width: number; height: number } {
  const width = size.width ?? 400;
  const height = size.height ?? 250;
  for (const [name, v] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!(Number.isFinite(v) && v > 0 && v <= 10_000))
      throw new Error(`${chart}: ${name} must be in (0, 10000], got ${v}`);
  }
  return { width, height };
}
